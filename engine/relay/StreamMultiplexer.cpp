// The streams of one live connection: routing, fair sending, closed-id memory, snapshots.
#include "relay/StreamMultiplexer.h"

#include <QScopedValueRollback>

#include <algorithm>

#include "Logging.h"
#include "config/Hostname.h"
#include "protocol/Frame.h"
#include "relay/MuxLink.h"
#include "relay/ProxyProtocolHeader.h"
#include "relay/Stream.h"
#include "relay/UdpFlow.h"

namespace nexustray {

namespace {
// Above this many unsent bytes on the link no more local data is read (memory bound); the send
// queue resumes when the link drained below the low mark.
constexpr qint64 kLinkHighWater = 1024 * 1024;
constexpr qint64 kLinkLowWater = 256 * 1024;
constexpr int kMessagesPerTurn = 4; // fairness: round robin, at most 4 messages per stream per turn
constexpr int kClosedIdMemory = 4096;
// UDP flow idle timeout: the hub's default and clamp (protocol.md §8.1).
constexpr int kUdpIdleDefaultSeconds = 30;
constexpr int kUdpIdleMinSeconds = 5;
constexpr int kUdpIdleMaxSeconds = 300;
} // namespace

StreamKind streamKindOf(const protocol::ControlMessage& connect) {
    return connect.isUdp() ? StreamKind::Udp : StreamKind::Tcp;
}

StreamMultiplexer::StreamMultiplexer(const Settings& settings, MuxLink* link, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_link(link) {}

StreamMultiplexer::~StreamMultiplexer() {
    // Deleted without closeAll(): release the local sides without telling the hub.
    closeAll(false);
}

void StreamMultiplexer::onHubMessage(const QByteArray& message) {
    const protocol::DecodedMessage decoded = protocol::decodeMessage(message);
    switch (decoded.kind) {
    case protocol::DecodedMessage::Kind::Data: {
        m_bytesIn += quint64(decoded.payload.size());
        RelayChannel* stream = m_streams.value(decoded.clientId);
        if (stream)
            stream->onHubData(decoded.payload.data(), decoded.payload.size());
        else
            onUnknownStreamData(decoded.clientId);
        break;
    }
    case protocol::DecodedMessage::Kind::Control:
        handleControl(decoded.control);
        break;
    case protocol::DecodedMessage::Kind::Invalid:
        qCWarning(lcSession).noquote()
            << m_settings.sessionId << "ignoring a bad message from the relay:" << decoded.error;
        break;
    }
}

void StreamMultiplexer::handleControl(const protocol::ControlMessage& message) {
    using protocol::ControlEvent;
    RelayChannel* stream = m_streams.value(message.clientId);
    switch (message.event) {
    case ControlEvent::Connect:
        handleConnect(message);
        return;
    case ControlEvent::Disconnect:
        if (stream)
            stream->onHubDisconnect();
        return;
    case ControlEvent::PongClient:
        if (stream)
            stream->onPong();
        return;
    case ControlEvent::ResumeStream:
        if (stream)
            stream->onHubCredits(message.credits);
        return;
    case ControlEvent::OutboundResult:
        handleOutboundResult(message); // StreamMultiplexerOutbound.cpp
        return;
    default:
        qCDebug(lcSession).noquote()
            << m_settings.sessionId << "ignoring control event" << message.rawEvent;
        return;
    }
}

void StreamMultiplexer::handleConnect(const protocol::ControlMessage& message) {
    if (message.clientId.isNull()) {
        qCWarning(lcSession).noquote()
            << m_settings.sessionId << "connect without client_id ignored";
        return;
    }
    if (RelayChannel* old = m_streams.value(message.clientId)) {
        // Never happens with the real hub; the old stream cannot be trusted any more.
        old->abandon();
    }
    const StreamKind kind = streamKindOf(message);
    ConnectRequest request;
    request.clientId = message.clientId;
    request.backendName = m_settings.backendName;
    request.relayUrl = m_settings.relayUrl;
    const QString normalized = hostname::normalize(message.hostname);
    request.hostname = normalized.isEmpty() ? message.hostname : normalized;
    request.port = message.connPort;
    request.clientIp = message.clientIp;
    request.transport = kind == StreamKind::Udp ? Transport::Udp : Transport::Tcp;
    request.isTls = message.isTls;

    RelayChannel* channel = nullptr;
    Stream* stream = nullptr; // a TCP stream, which may also take a handler's device
    if (kind == StreamKind::Udp) {
        UdpFlow::Params params;
        params.request = request;
        params.reverseCredits = message.credits;
        params.dialTimeoutMs = m_settings.dialTimeoutMs;
        params.idleTimeoutMs = udpIdleTimeoutMs(request.port);
        channel = new UdpFlow(params, this, this);
    } else {
        Stream::Params params;
        params.request = request;
        params.reverseCredits = message.credits;
        params.flow = m_settings.flow;
        params.dialTimeoutMs = m_settings.dialTimeoutMs;
        params.drainTimeoutMs = m_settings.drainTimeoutMs;
        channel = stream = new Stream(params, this, this);
    }
    ++m_streamObjects;
    connect(channel, &RelayChannel::released, this, [this, channel] { onStreamReleased(channel); });
    m_streams.insert(request.clientId, channel);
    // Forward credit first, so the hub can keep sending while we dial (protocol.md §6.1).
    sendControl(protocol::makeResume(request.clientId, m_settings.flow.maxBuffer));
    const char* label = kind == StreamKind::Udp ? "udp flow" : "stream";
    qCDebug(lcStream).noquote() << label << request.clientId.toString(QUuid::WithoutBraces)
                                << "from" << request.clientIp << "for" << request.hostname << "port"
                                << request.port;

    if (m_settings.connectHandler) {
        const ConnectDecision decision = m_settings.connectHandler(request);
        switch (decision.kind) {
        case ConnectDecision::Kind::Dial:
            channel->dial(decision.target);
            return;
        case ConnectDecision::Kind::Device:
            if (decision.device && stream) {
                stream->attach(decision.device);
                return;
            }
            if (decision.device) {
                // A QIODevice has no datagram boundaries: a UDP flow cannot be relayed through it.
                decision.device->deleteLater();
                channel->refuse(QStringLiteral("the connect handler answered a device, which UDP "
                                               "flows do not support (answer dial or refuse)"));
                return;
            }
            break;
        case ConnectDecision::Kind::Refuse:
            channel->refuse(QStringLiteral("refused by the connect handler"));
            return;
        case ConnectDecision::Kind::NoRoute:
            break;
        }
    }
    const std::optional<PortRouter::Route> route =
        m_settings.router.route(request.port, request.hostname);
    if (!route) {
        qCInfo(lcStream).noquote() << label << request.clientId.toString(QUuid::WithoutBraces)
                                   << "no route for" << request.hostname << "port" << request.port;
        channel->refuse(QStringLiteral("no route"));
        return;
    }
    if (stream && route->proxyProtocol != ProxyProtocol::None)
        stream->setProxyHeader(proxyProtocolHeader(route->proxyProtocol, request.clientIp,
                                                   m_settings.relayAddress, quint16(request.port)));
    channel->dial(route->target);
}

int StreamMultiplexer::udpIdleTimeoutMs(int port) const {
    if (m_settings.udpIdleTimeoutMs > 0)
        return m_settings.udpIdleTimeoutMs;
    int seconds = kUdpIdleDefaultSeconds;
    for (const UdpRoute& route : m_settings.udpRoutes) {
        if (route.port == port && route.flowIdleTimeoutSeconds.value_or(0) > 0)
            seconds =
                std::clamp(*route.flowIdleTimeoutSeconds, kUdpIdleMinSeconds, kUdpIdleMaxSeconds);
    }
    return seconds * 1000;
}

void StreamMultiplexer::onStreamReleased(RelayChannel* stream) {
    Q_EMIT streamClosed(stream->snapshot(m_settings.sessionId));
    stream->deleteLater();
    --m_streamObjects;
    if (m_retired && m_streamObjects == 0)
        deleteLater();
}

void StreamMultiplexer::onUnknownStreamData(const QUuid& id) {
    if (m_closedIds.contains(id))
        return; // in flight when we closed it: drop silently
    // At most one disconnect/unknown per ID (protocol.md §4 recommendation).
    rememberClosed(id);
    sendControl(protocol::makeDisconnect(id, QStringLiteral("unknown")));
}

void StreamMultiplexer::rememberClosed(const QUuid& id) {
    if (m_closedIds.contains(id))
        return;
    m_closedIds.insert(id);
    m_closedOrder.push_back(id);
    if (m_closedOrder.size() > kClosedIdMemory) {
        m_closedIds.remove(m_closedOrder.front());
        m_closedOrder.pop_front();
    }
}

bool StreamMultiplexer::linkOpen() const {
    return !m_retired && m_link->isOpen();
}

void StreamMultiplexer::sendControl(const protocol::ControlMessage& message) {
    if (linkOpen())
        m_link->sendBinary(protocol::encodeControl(message));
}

void StreamMultiplexer::sendData(const QByteArray& message) {
    if (!linkOpen())
        return;
    m_bytesOut += quint64(protocol::dataPayloadSize(message));
    m_link->sendBinary(message);
}

bool StreamMultiplexer::canSendData() const {
    return linkOpen() && m_link->bytesToWrite() < kLinkHighWater;
}

void StreamMultiplexer::scheduleSend(RelayChannel* stream) {
    if (m_sendQueue.empty() && !m_pumpScheduled && !m_pumping && canSendData()) {
        // Nothing else waits: this stream's turn now, in the pass that read its bytes, not one
        // pass later; on the relay's path each pass is a poll and a wake-up more (issue 10).
        sendTurn(stream);
        return;
    }
    queueForSend(stream);
    // Batch the readyRead notifications of this event-loop turn into one fair pass (a pass that
    // is running picks the stream up itself).
    if (!m_pumping)
        schedulePump();
}

void StreamMultiplexer::queueForSend(RelayChannel* stream) {
    if (!m_queued.contains(stream->id())) {
        m_queued.insert(stream->id());
        m_sendQueue.push_back(stream->id());
    }
}

void StreamMultiplexer::schedulePump() {
    if (m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpScheduled = false;
            pumpSendQueue();
        },
        Qt::QueuedConnection);
}

void StreamMultiplexer::sendTurn(RelayChannel* stream) {
    {
        const QScopedValueRollback<bool> pumping(m_pumping, true);
        if (stream->sendToHub(kMessagesPerTurn))
            queueForSend(stream);
    }
    // The rest (and whatever became ready meanwhile) in the fair pass of this turn.
    if (!m_sendQueue.empty())
        schedulePump();
    m_link->flush();
}

void StreamMultiplexer::onLinkWritten() {
    if (!m_sendQueue.empty() && m_link->bytesToWrite() < kLinkLowWater)
        pumpSendQueue();
}

void StreamMultiplexer::pumpSendQueue() {
    if (m_pumping)
        return; // a report of the link's progress inside a pass: that pass goes on anyway
    {
        const QScopedValueRollback<bool> pumping(m_pumping, true);
        while (!m_sendQueue.empty() && canSendData()) {
            const QUuid id = m_sendQueue.front();
            m_sendQueue.pop_front();
            m_queued.remove(id);
            RelayChannel* stream = m_streams.value(id);
            if (stream && stream->sendToHub(kMessagesPerTurn))
                queueForSend(stream);
        }
    }
    // What this pass queued leaves now; whatever is left waits for the link to drain
    // (onLinkWritten) or for credit.
    m_link->flush();
}

void StreamMultiplexer::forgetStream(RelayChannel* stream) {
    const QUuid id = stream->id();
    // An outbound request whose stream ends before the hub answered (its local side closed).
    finishPendingOutbound(id, OutboundResult{OutboundResult::Kind::Refused,
                                             QStringLiteral("closed before the hub answered")});
    if (m_streams.value(id) == stream)
        m_streams.remove(id);
    m_dirty.remove(id);
    rememberClosed(id);
}

void StreamMultiplexer::markStreamDirty(RelayChannel* stream) {
    m_dirty.insert(stream->id());
}

bool StreamMultiplexer::emitDirtyStreams() {
    if (m_dirty.isEmpty())
        return false;
    const QSet<QUuid> dirty = std::exchange(m_dirty, {});
    for (const QUuid& id : dirty) {
        if (RelayChannel* stream = m_streams.value(id))
            Q_EMIT streamChanged(stream->snapshot(m_settings.sessionId));
    }
    return true;
}

void StreamMultiplexer::checkHealth() {
    const auto& hc = m_settings.healthChecks;
    const qint64 now = RelayChannel::nowMs();
    const QList<RelayChannel*> streams = m_streams.values();
    for (RelayChannel* stream : streams) {
        if (m_pendingOutbound.contains(stream->id()))
            continue; // the hub does not know the id before its outbound_result: no pong
        stream->checkHealth(now, qint64(hc.inactivityTimeoutSeconds) * 1000,
                            qint64(hc.pongTimeoutSeconds) * 1000);
    }
}

bool StreamMultiplexer::closeStream(const QUuid& clientId) {
    RelayChannel* stream = m_streams.value(clientId);
    if (!stream || !stream->isOpen())
        return false;
    stream->closeByUser();
    return true;
}

void StreamMultiplexer::closeAll(bool notifyHub) {
    failPendingOutbound(notifyHub ? OutboundResult::Kind::Stopping
                                  : OutboundResult::Kind::SessionLost);
    const QList<RelayChannel*> streams = m_streams.values();
    for (RelayChannel* stream : streams) {
        if (notifyHub)
            stream->shutdown();
        else
            stream->abandon();
    }
    m_streams.clear();
    m_sendQueue.clear();
    m_queued.clear();
}

void StreamMultiplexer::retire() {
    m_retired = true;
    if (m_streamObjects == 0)
        deleteLater();
}

} // namespace nexustray
