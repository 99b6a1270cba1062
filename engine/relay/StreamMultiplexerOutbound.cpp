// The outbound half of StreamMultiplexer (protocol.md §9.1, §9.2): streams this client opens with
// `outbound_connect` and the routing of their `outbound_result`. Kept apart from the table's
// routing of hub-opened streams (StreamMultiplexer.cpp); the contract is in StreamMultiplexer.h.
#include <QIODevice>
#include <QPointer>

#include "Logging.h"
#include "relay/MuxLink.h"
#include "relay/Stream.h"
#include "relay/StreamMultiplexer.h"

namespace nexustray {

QUuid StreamMultiplexer::freshOutboundId() const {
    // Random v4; never one the hub may still associate with an earlier stream.
    QUuid id = QUuid::createUuid();
    while (id.isNull() || m_streams.contains(id) || m_closedIds.contains(id) ||
           m_pendingOutbound.contains(id))
        id = QUuid::createUuid();
    return id;
}

QUuid StreamMultiplexer::openOutbound(const QString& targetAddr, QIODevice* local,
                                      OutboundCallback done) {
    if (!linkOpen()) {
        done(OutboundResult{OutboundResult::Kind::NotConnected,
                            QStringLiteral("the session is not connected")});
        local->close();
        local->deleteLater();
        return {};
    }
    const QUuid id = freshOutboundId();
    Stream::Params params;
    params.request.clientId = id;
    params.request.backendName = m_settings.backendName;
    params.request.relayUrl = m_settings.relayUrl;
    params.request.hostname = targetAddr;
    params.kind = StreamKind::Outbound;
    params.flow = m_settings.flow;
    params.dialTimeoutMs = m_settings.dialTimeoutMs;
    params.drainTimeoutMs = m_settings.drainTimeoutMs;
    auto* stream = new Stream(params, this, this);
    ++m_streamObjects;
    connect(stream, &Stream::released, this, [this, stream] { onStreamReleased(stream); });
    m_streams.insert(id, stream);

    PendingOutbound pending;
    pending.done = std::move(done);
    pending.timer = new QTimer(this);
    pending.timer->setSingleShot(true);
    connect(pending.timer, &QTimer::timeout, this, [this, id] {
        QPointer<Stream> waiting = qobject_cast<Stream*>(m_streams.value(id));
        qCWarning(lcStream).noquote()
            << m_settings.sessionId << "outbound" << id.toString(QUuid::WithoutBraces)
            << "no outbound_result within" << m_settings.outboundTimeoutMs << "ms";
        if (finishPendingOutbound(id, OutboundResult{OutboundResult::Kind::Timeout,
                                                     QStringLiteral("the hub did not answer")}) &&
            waiting)
            waiting->failPending(QStringLiteral("timeout"));
    });
    pending.timer->start(m_settings.outboundTimeoutMs);
    m_pendingOutbound.insert(id, pending);

    stream->attachPending(local, targetAddr);
    protocol::ControlMessage request;
    request.event = protocol::ControlEvent::OutboundConnect;
    request.clientId = id;
    request.targetAddr = targetAddr;
    sendControl(request);
    qCInfo(lcStream).noquote() << m_settings.sessionId << "outbound"
                               << id.toString(QUuid::WithoutBraces) << "to" << targetAddr
                               << "requested";
    markStreamDirty(stream);
    return id;
}

void StreamMultiplexer::handleOutboundResult(const protocol::ControlMessage& message) {
    const QUuid id = message.clientId;
    QPointer<Stream> stream = qobject_cast<Stream*>(m_streams.value(id));
    if (!stream || !m_pendingOutbound.contains(id)) {
        if (message.success && !stream && m_closedIds.contains(id)) {
            // A late success for a request we gave up (timeout, local side closed): the hub has
            // registered the stream by now, so release it there.
            sendControl(protocol::makeDisconnect(id, QStringLiteral("normal")));
        }
        qCDebug(lcStream).noquote() << m_settings.sessionId << "ignoring outbound_result for"
                                    << id.toString(QUuid::WithoutBraces);
        return;
    }
    if (message.success) {
        qCInfo(lcStream).noquote() << m_settings.sessionId << "outbound"
                                   << id.toString(QUuid::WithoutBraces) << "connected";
        // Our forward grant (protocol.md §7.2), then the caller, then the first local write.
        sendControl(protocol::makeResume(id, m_settings.flow.maxBuffer));
        finishPendingOutbound(id, OutboundResult{OutboundResult::Kind::Connected, QString()});
        if (stream)
            stream->openPending(message.credits);
        return;
    }
    const QString reason =
        message.reason.isEmpty() ? QStringLiteral("refused by the hub") : message.reason;
    qCWarning(lcStream).noquote() << m_settings.sessionId << "outbound"
                                  << id.toString(QUuid::WithoutBraces) << "refused:" << reason;
    finishPendingOutbound(id, OutboundResult{OutboundResult::Kind::Refused, reason});
    if (stream)
        stream->failPending(QStringLiteral("dial_failed"));
}

bool StreamMultiplexer::finishPendingOutbound(const QUuid& id, const OutboundResult& result) {
    const auto it = m_pendingOutbound.find(id);
    if (it == m_pendingOutbound.end())
        return false;
    const PendingOutbound pending = it.value();
    m_pendingOutbound.erase(it);
    pending.timer->stop();
    pending.timer->deleteLater(); // may be running its own timeout slot
    if (pending.done)
        pending.done(result);
    return true;
}

void StreamMultiplexer::failPendingOutbound(OutboundResult::Kind kind) {
    const bool stopping = kind == OutboundResult::Kind::Stopping;
    const QList<QUuid> ids = m_pendingOutbound.keys();
    for (const QUuid& id : ids) {
        QPointer<Stream> stream = qobject_cast<Stream*>(m_streams.value(id));
        finishPendingOutbound(
            id, OutboundResult{kind, stopping ? QStringLiteral("the client is stopping")
                                              : QStringLiteral("the session ended")});
        if (stream) {
            if (stopping)
                stream->failPending(QStringLiteral("shutdown"));
            else
                stream->failPending(QString(), QStringLiteral("session_ended"));
        }
    }
}

} // namespace nexustray
