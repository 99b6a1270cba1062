// What every relayed client_id shares: the health check, dial-target parsing and the common
// snapshot fields.
#include "relay/RelayChannel.h"

#include <algorithm>
#include <chrono>
#include <climits>

namespace nexustray {

RelayChannel::RelayChannel(QObject* parent)
    : QObject(parent) {
    m_pongTimer.setSingleShot(true);
    connect(&m_pongTimer, &QTimer::timeout, this, [this] {
        if (isOpen())
            onPongTimeout();
    });
    touch();
}

RelayChannel::~RelayChannel() = default;

qint64 RelayChannel::nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool RelayChannel::splitHostPort(const QString& hostPort, QString* host, quint16* port) {
    const int colon = hostPort.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString h = hostPort.left(colon).trimmed();
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    bool ok = false;
    const int p = hostPort.mid(colon + 1).toInt(&ok);
    if (!ok || p < 1 || p > 65535 || h.isEmpty())
        return false;
    *host = h;
    *port = quint16(p);
    return true;
}

void RelayChannel::fillCommonSnapshot(StreamSnapshot& s, const QString& sessionId,
                                      const ConnectRequest& request) const {
    s.sessionId = sessionId;
    s.clientId = id();
    s.clientIp = request.clientIp;
    s.hostname = request.hostname;
    s.port = request.port;
    s.target = m_target;
    s.state = m_state;
    s.bytesIn = m_bytesIn;
    s.bytesOut = m_bytesOut;
    s.openedAt = m_openedAt;
    s.closeReason = m_closeReason;
}

void RelayChannel::touch() {
    m_lastActivityMs = nowMs();
}

void RelayChannel::onPong() {
    m_pongTimer.stop();
    touch();
}

void RelayChannel::checkHealth(qint64 nowMs, qint64 inactivityMs, qint64 pongTimeoutMs) {
    if (!isOpen())
        return;
    if (m_pongTimer.isActive())
        return; // a ping is unanswered: the timer decides (data meanwhile does not cancel it)
    if (nowMs - m_lastActivityMs > inactivityMs) {
        sendPing();
        m_pongTimer.start(int(std::clamp<qint64>(pongTimeoutMs, 0, INT_MAX)));
    }
}

} // namespace nexustray
