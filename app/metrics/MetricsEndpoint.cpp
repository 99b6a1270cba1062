// See MetricsEndpoint.h.
#include "MetricsEndpoint.h"

#include "LogFormat.h"
#include "MetricsServer.h"

namespace nexustray::app {

MetricsEndpoint::MetricsEndpoint(MetricsServer* server, QString cliAddress, QString fallbackAddress,
                                 QObject* parent)
    : QObject(parent)
    , m_server(server)
    , m_cliAddress(std::move(cliAddress))
    , m_fallbackAddress(std::move(fallbackAddress)) {}

QString MetricsEndpoint::wantedAddress() const {
    if (!m_cliAddress.isEmpty())
        return m_cliAddress;
    return m_configAddress.isEmpty() ? m_fallbackAddress : m_configAddress;
}

bool MetricsEndpoint::setSwitchedOn(bool on) {
    m_switchedOn = on;
    bool ok = true;
    if (!on) {
        if (m_server->isListening())
            qCInfo(lcApp) << "metrics endpoint switched off";
        m_server->stop();
        m_servingRequest.clear();
        m_error.clear();
    } else if (wantedAddress().isEmpty()) {
        m_server->stop();
        m_servingRequest.clear();
    } else {
        ok = listenOn(wantedAddress());
        if (!ok) { // switching on failed: off, not somewhere else, until switched on again
            m_server->stop();
            m_switchedOn = false;
        }
    }
    report();
    return ok;
}

bool MetricsEndpoint::listenOn(const QString& address) {
    if (!m_cliAddress.isEmpty()) {
        if (!m_configAddress.isEmpty() && m_configAddress != m_cliAddress)
            qCInfo(lcApp).noquote()
                << QStringLiteral("metrics address from --metrics %1 (it overrides the config's "
                                  "metrics.listen %2)")
                       .arg(m_cliAddress, m_configAddress);
        else
            qCInfo(lcApp).noquote() << "metrics address from --metrics" << m_cliAddress;
    } else if (!m_configAddress.isEmpty()) {
        qCInfo(lcApp).noquote() << "metrics address from the config's metrics.listen"
                                << m_configAddress;
    } else {
        qCInfo(lcApp).noquote() << "metrics address: the default" << address;
    }
    if (!m_server->start(address)) {
        m_error = m_server->error();
        return false;
    }
    m_servingRequest = address;
    m_error.clear();
    return true;
}

void MetricsEndpoint::applyConfig(const Config& config) {
    const QString before = m_configAddress;
    m_configAddress = config.metrics.listen;
    if (!m_cliAddress.isEmpty()) {
        if (before != m_configAddress)
            qCInfo(lcApp).noquote() << "metrics.listen changed in the config; --metrics"
                                    << m_cliAddress << "stays in force";
        return;
    }
    if (!m_switchedOn)
        return;
    const QString wanted = wantedAddress();
    if (m_server->isListening() && wanted == m_servingRequest)
        return;
    if (wanted.isEmpty()) {
        qCInfo(lcApp) << "metrics.listen was removed from the config: metrics endpoint stopped";
        m_server->stop();
        m_servingRequest.clear();
        m_error.clear();
    } else if (!listenOn(wanted) && m_server->isListening()) {
        qCCritical(lcApp).noquote()
            << QStringLiteral("the metrics endpoint stays on %1").arg(m_server->address());
    }
    report();
}

void MetricsEndpoint::report() {
    Q_EMIT stateChanged(m_server->isListening(), m_server->address(), m_error);
}

} // namespace nexustray::app
