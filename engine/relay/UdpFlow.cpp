// One relayed UDP flow: a connected QUdpSocket, one datagram per data message both ways.
#include "relay/UdpFlow.h"

#include <QNetworkProxy>
#include <QUdpSocket>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <sys/socket.h>
#endif

#include "Logging.h"
#include "protocol/Frame.h"
#include "relay/StreamHost.h"

namespace nexustray {

namespace {
constexpr qint64 kCreditBatch = 8; // protocol.md §7.2: credits go back in batches of 8
constexpr qint64 kMaxCredits = qint64(1) << 20; // clamp for grants and totals

// Takes the socket's pending error if it is an ICMP refusal. Qt's hasPendingDatagrams() peeks with
// recvfrom(), which consumes that error silently, so it must be asked for first.
bool takeRefusal(const QUdpSocket& socket) {
#ifdef Q_OS_UNIX
    int error = 0;
    socklen_t size = sizeof(error);
    return ::getsockopt(int(socket.socketDescriptor()), SOL_SOCKET, SO_ERROR, &error, &size) == 0 &&
           error == ECONNREFUSED;
#else
    Q_UNUSED(socket);
    return false; // elsewhere Qt reports it as ConnectionRefusedError (onSocketError)
#endif
}
} // namespace

UdpFlow::UdpFlow(Params params, StreamHost* host, QObject* parent)
    : RelayChannel(parent)
    , m_params(std::move(params))
    , m_host(host)
    , m_header(protocol::dataHeader(m_params.request.clientId))
    , m_reverseCredits(std::min(m_params.reverseCredits, kMaxCredits))
    , m_reverseUnlimited(m_params.reverseCredits <= 0) {
    m_dialTimer.setSingleShot(true);
    connect(&m_dialTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcStream).noquote() << "udp flow" << id().toString(QUuid::WithoutBraces)
                                      << "dial to" << m_target << "timed out";
        finish(QStringLiteral("dial_failed"));
    });
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &UdpFlow::onIdleTimer);
    datagramSeen();
}

UdpFlow::~UdpFlow() = default;

void UdpFlow::dial(const QString& hostPort) {
    m_target = hostPort;
    QString host;
    quint16 port = 0;
    if (!splitHostPort(hostPort, &host, &port)) {
        qCWarning(lcStream).noquote()
            << "udp flow" << id().toString(QUuid::WithoutBraces) << "invalid target" << hostPort;
        finish(QStringLiteral("dial_failed"));
        return;
    }
    m_socket = new QUdpSocket(this);
    m_socket->setProxy(QNetworkProxy::NoProxy); // local services are never proxied
    connect(m_socket, &QAbstractSocket::connected, this, &UdpFlow::onConnected);
    connect(m_socket, &QIODevice::readyRead, this, &UdpFlow::onReadyRead);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &UdpFlow::onSocketError);
    m_dialTimer.start(m_params.dialTimeoutMs);
    // A connected UDP socket: the name is resolved, then only the target's datagrams are read.
    m_socket->connectToHost(host, port);
}

void UdpFlow::refuse(const QString& why) {
    qCWarning(lcStream).noquote() << "udp flow" << id().toString(QUuid::WithoutBraces)
                                  << "refused:" << why;
    finish(QStringLiteral("dial_failed"));
}

void UdpFlow::onConnected() {
    if (m_state != StreamState::Dialing)
        return;
    m_dialTimer.stop();
    m_state = StreamState::Open;
    touch();
    qCDebug(lcStream) << "udp flow" << id().toString(QUuid::WithoutBraces) << "connected to"
                      << m_target;
    while (!m_early.empty() && m_state == StreamState::Open) {
        const QByteArray datagram = std::move(m_early.front());
        m_early.pop_front();
        writeDatagram(datagram.constData(), datagram.size());
    }
    if (m_state == StreamState::Open && m_socket->hasPendingDatagrams())
        onReadyRead(); // a reply that came in while the early datagrams were written
    m_host->markStreamDirty(this);
}

void UdpFlow::onHubData(const char* data, qsizetype size) {
    if (!isOpen())
        return;
    touch();
    datagramSeen();
    if (m_state == StreamState::Dialing) {
        if (qsizetype(m_early.size()) < kEarlyLimit)
            m_early.emplace_back(data, size);
        else
            dropForward();
    } else {
        writeDatagram(data, size);
    }
    m_host->markStreamDirty(this);
}

void UdpFlow::writeDatagram(const char* data, qsizetype size) {
    // One write on a connected UDP socket is one datagram (an empty one included).
    m_writing = true;
    const qint64 written = m_socket->write(data, size);
    m_writing = false;
    if (written < 0 && m_socket->error() == QAbstractSocket::ConnectionRefusedError)
        onRefused(); // the refusal of an earlier datagram surfaced on this write
    if (written != size) {
        // Kernel buffer full or a pending error: UDP may lose it, the flow stays (Go: same).
        qCDebug(lcStream) << "udp flow" << id().toString(QUuid::WithoutBraces)
                          << "datagram not written:" << m_socket->errorString();
        dropForward();
        return;
    }
    ++m_datagramsIn;
    m_bytesIn += quint64(size);
    consumeForward();
}

void UdpFlow::dropForward() {
    ++m_datagramsDropped;
    consumeForward();
}

void UdpFlow::consumeForward() {
    ++m_creditsToReturn;
    returnCredits(false);
}

void UdpFlow::returnCredits(bool force) {
    if (m_creditsToReturn >= kCreditBatch || (force && m_creditsToReturn > 0)) {
        m_host->sendControl(protocol::makeResume(id(), m_creditsToReturn));
        m_creditsToReturn = 0;
    }
}

void UdpFlow::onReadyRead() {
    if (m_state != StreamState::Open)
        return;
    if (takeRefusal(*m_socket))
        onRefused();
    bool queued = false;
    bool readAny = false;
    while (m_state == StreamState::Open && m_socket->hasPendingDatagrams()) {
        const qint64 size = m_socket->pendingDatagramSize();
        if (size < 0)
            break;
        readAny = true;
        datagramSeen();
        touch();
        if (size > protocol::kMaxDataPayload || qsizetype(m_reverse.size()) >= kReverseQueueLimit) {
            m_socket->readDatagram(nullptr, 0); // discard
            ++m_datagramsDropped;
            if (size > protocol::kMaxDataPayload)
                qCDebug(lcStream) << "udp flow" << id().toString(QUuid::WithoutBraces)
                                  << "local datagram of" << size << "bytes above the limit dropped";
            continue;
        }
        QByteArray message;
        char* payload = protocol::beginData(message, m_header, size);
        const qint64 n = m_socket->readDatagram(payload, size);
        if (n < 0)
            break;
        if (n < size)
            protocol::finishData(message, n);
        m_reverse.push_back(std::move(message));
        queued = true;
    }
    // Readable but no datagram: a pending socket error (an ICMP refusal). Reading collects it
    // (errorOccurred) and re-arms Qt's read notifier, which stays off until the next read.
    if (!readAny && m_state == StreamState::Open)
        m_socket->readDatagram(nullptr, 0);
    if (queued && m_state == StreamState::Open) {
        m_host->markStreamDirty(this);
        if (hasReverseCredit())
            m_host->scheduleSend(this);
    }
}

bool UdpFlow::sendToHub(int maxMessages) {
    int sent = 0;
    while (sent < maxMessages && m_state == StreamState::Open && !m_reverse.empty() &&
           hasReverseCredit() && m_host->canSendData()) {
        const QByteArray message = std::move(m_reverse.front());
        m_reverse.pop_front();
        m_host->sendData(message);
        if (!m_reverseUnlimited)
            --m_reverseCredits;
        ++m_datagramsOut;
        m_bytesOut += quint64(protocol::dataPayloadSize(message));
        ++sent;
    }
    if (sent > 0)
        m_host->markStreamDirty(this);
    return m_state == StreamState::Open && !m_reverse.empty() && hasReverseCredit();
}

void UdpFlow::onHubCredits(qint64 credits) {
    if (credits <= 0 || !isOpen())
        return;
    m_reverseCredits = std::min(m_reverseCredits + std::min(credits, kMaxCredits), kMaxCredits);
    if (m_state == StreamState::Open && !m_reverse.empty())
        m_host->scheduleSend(this);
}

void UdpFlow::onSocketError() {
    if (!isOpen())
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    if (m_state == StreamState::Dialing) {
        qCWarning(lcStream).noquote()
            << "udp flow" << id().toString(QUuid::WithoutBraces) << "dial to" << m_target
            << "failed:" << m_socket->errorString();
        finish(QStringLiteral("dial_failed"));
        return;
    }
    if (error == QAbstractSocket::ConnectionRefusedError) {
        if (!m_writing) // a failed write counts it itself
            onRefused();
        return;
    }
    qCDebug(lcStream).noquote() << "udp flow" << id().toString(QUuid::WithoutBraces)
                                << "socket error:" << m_socket->errorString();
}

// ICMP port unreachable for a datagram we wrote: that datagram is lost, the flow stays (the
// service may come back).
void UdpFlow::onRefused() {
    ++m_datagramsDropped;
    if (!m_refusalLogged) {
        m_refusalLogged = true;
        qCWarning(lcStream).noquote()
            << "backend" << m_params.request.backendName << "udp flow"
            << id().toString(QUuid::WithoutBraces) << "target" << m_target
            << "refused a datagram (ICMP port unreachable); such datagrams are counted as "
               "dropped, the flow stays open";
    }
    m_host->markStreamDirty(this);
}

void UdpFlow::datagramSeen() {
    m_lastDatagramMs = nowMs();
    if (!m_idleTimer.isActive())
        m_idleTimer.start(m_params.idleTimeoutMs);
}

void UdpFlow::onIdleTimer() {
    if (!isOpen())
        return;
    const qint64 idle = nowMs() - m_lastDatagramMs;
    if (idle < m_params.idleTimeoutMs) {
        m_idleTimer.start(int(m_params.idleTimeoutMs - idle));
        return;
    }
    qCDebug(lcStream) << "udp flow" << id().toString(QUuid::WithoutBraces) << "idle for"
                      << m_params.idleTimeoutMs << "ms, closing (timeout)";
    finish(QStringLiteral("timeout"));
}

void UdpFlow::onPongTimeout() {
    qCInfo(lcStream) << "udp flow" << id().toString(QUuid::WithoutBraces) << "no pong_client within"
                     << pongTimeoutMs() << "ms, closing";
    finish(QStringLiteral("timeout"));
}

void UdpFlow::sendPing() {
    m_host->sendControl(protocol::makePing(id()));
}

void UdpFlow::onHubDisconnect() {
    finish(QString());
}

void UdpFlow::shutdown() {
    finish(QStringLiteral("shutdown"));
}

void UdpFlow::abandon() {
    if (!isOpen())
        return;
    m_closeReason = QStringLiteral("session_ended");
    m_host->forgetStream(this);
    release();
}

void UdpFlow::closeByUser() {
    finish(QStringLiteral("normal"), QStringLiteral("closed by user"));
}

void UdpFlow::finish(const QString& reason, const QString& shownReason) {
    if (!isOpen())
        return;
    m_closeReason = !shownReason.isEmpty() ? shownReason
                    : reason.isEmpty()     ? QStringLiteral("closed_by_hub")
                                           : reason;
    if (!reason.isEmpty())
        m_host->sendControl(protocol::makeDisconnect(id(), reason));
    m_host->forgetStream(this);
    release();
}

void UdpFlow::release() {
    m_state = StreamState::Closed;
    m_dialTimer.stop();
    m_idleTimer.stop();
    stopHealthCheck();
    m_early.clear();
    m_reverse.clear();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    m_host->markStreamDirty(this);
    Q_EMIT released();
}

StreamSnapshot UdpFlow::snapshot(const QString& sessionId) const {
    StreamSnapshot s;
    fillCommonSnapshot(s, sessionId, m_params.request);
    s.kind = StreamKind::Udp;
    s.datagramsIn = m_datagramsIn;
    s.datagramsOut = m_datagramsOut;
    s.datagramsDropped = m_datagramsDropped;
    return s;
}

} // namespace nexustray
