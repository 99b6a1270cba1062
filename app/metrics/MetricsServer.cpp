#include "MetricsServer.h"

#include <QHostAddress>
#include <QTcpServer>

#include "LogFormat.h"
#include "MetricsHttp.h"
#include "PluginLoader.h"
#include "ServiceMetrics.h"
#include "nexustray/ListenAddress.h"

namespace nexustray::app {

namespace {

// The HTTP plugin, looked for once per process (the first listen()); null: *error says why.
MetricsHttp* metricsHttp(QString* error) {
    static const PluginLoad load =
        loadPlugin(QLatin1String(kMetricsPluginFileName), NexusTrayMetricsHttp_iid);
    *error = load.error;
    return qobject_cast<MetricsHttp*>(load.instance);
}

} // namespace

MetricsServer::MetricsServer(Client* client, QObject* parent)
    : QObject(parent)
    , m_metrics(std::make_unique<ServiceMetrics>(client)) {}

MetricsServer::~MetricsServer() = default;

bool MetricsServer::listen(const QString& listenAddr) {
    ListenAddress where;
    if (const QString problem = parseListenAddress(listenAddr, &where); !problem.isEmpty()) {
        m_error = QStringLiteral("metrics address '%1': %2 (e.g. 127.0.0.1:9464)")
                      .arg(listenAddr, problem);
        return false;
    }
    QString why;
    MetricsHttp* plugin = metricsHttp(&why);
    if (!plugin) {
        m_error = QStringLiteral("cannot serve metrics on %1: the metrics module did not load: %2")
                      .arg(listenAddr, why);
        return false;
    }
    // A new server first: when it cannot listen, the running one (if any) keeps serving.
    auto tcp = std::make_unique<QTcpServer>();
    if (!tcp->listen(where.address, where.port)) {
        m_error = QStringLiteral("cannot listen for metrics on %1: %2")
                      .arg(listenAddr, tcp->errorString());
        return false;
    }
    stop();
    ServiceMetrics* metrics = m_metrics.get();
    MetricsRoutes routes;
    routes.metrics = [metrics] { return metrics->prometheusText(); };
    routes.ready = [metrics](QByteArray* body) { return metrics->readiness(body); };
    routes.status = [metrics] { return metrics->statusJson(); };
    m_tcp = tcp.get();
    m_http.reset(plugin->serve(tcp.release(), routes)); // the HTTP server owns the TCP server
    m_error.clear();
    m_exposed = !where.address.isLoopback();
    m_address = QStringLiteral("%1:%2")
                    .arg(where.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + where.address.toString() + QLatin1Char(']')
                             : where.address.toString())
                    .arg(m_tcp->serverPort());
    return true;
}

void MetricsServer::stop() {
    if (!m_http)
        return;
    // The port is free at once; the server itself goes when the event loop is back, so that a
    // stop from inside a request (or a reload queued next to one) never deletes it under a scrape.
    m_tcp->close();
    QObject* old = m_http.release();
    old->setParent(this); // deleted with this object if the event loop has already ended
    old->deleteLater();
    m_tcp = nullptr;
    m_address.clear();
    m_exposed = false;
}

bool MetricsServer::start(const QString& listenAddr) {
    if (!listen(listenAddr)) {
        qCCritical(lcApp).noquote() << m_error;
        return false;
    }
    qCInfo(lcApp).noquote()
        << QStringLiteral("metrics on http://%1/metrics (also /ready, /status)").arg(m_address);
    if (m_exposed)
        qCWarning(lcApp).noquote()
            << QStringLiteral("the metrics endpoint %1 is reachable from other hosts: it shows "
                              "hostnames, relays and client addresses; prefer a loopback address")
                   .arg(m_address);
    return true;
}

} // namespace nexustray::app
