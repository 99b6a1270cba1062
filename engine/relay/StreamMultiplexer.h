// The streams of one live connection to the hub: a table client_id -> RelayChannel (a TCP Stream or
// a UdpFlow), the routing of every
// stream message (hub `connect` through the connect handler or PortRouter, `disconnect`,
// `pong_client`, `resume_stream`, data), the fair send queue towards the hub, the memory of closed
// ids (at most one `disconnect`/`unknown` per unknown id, protocol.md §4), throttled stream
// snapshots, stream health checks (§10.3) and closing every stream when the connection ends.
//
// It knows nothing about tokens, authentication, keepalive or reconnection: it sends through a
// MuxLink, and the session hands it every binary message it receives while live. The session
// creates one multiplexer per live connection and retires it when the connection goes
// (closeAll(), then retire()): streams that are still flushing to their local side keep it alive,
// detached (its link is closed for good), until the last of them is released.
//
// Data path: binary message -> protocol::decodeMessage() (the payload is a view, no copy) -> table
// lookup -> RelayChannel::onHubData() (Stream or UdpFlow) -> local write; and local readyRead ->
// scheduleSend() -> RelayChannel::sendToHub() -> MuxLink -> MuxLink::flush(), at once when no
// other stream waits, else in the fair round robin of the pass (pumpSendQueue).
//
// Kinds of stream (StreamKind). Every kind is keyed by its client_id in the same table and shares
// the send queue, credits and closed-id memory:
// - Tcp: the hub opens it with `connect` (transport tcp); today's streams. A stream routed by a
//   port mapping with `proxyProtocol` gets its PROXY header (user's client_ip -> relayAddress with
//   conn_port); UDP flows, outbound streams and connect-handler answers never do.
// - Udp: the hub opens it with `connect` (transport udp, §8.3): a UdpFlow, one datagram per data
//   message in both directions, credits but no pause, closed after the route's flow idle timeout
//   (Settings::udpRoutes). Routed like Tcp (connect handler, then PortRouter's `udp:N` default);
//   a handler's Device answer is refused for UDP.
// - Outbound: the client opens it (§9, openOutbound()): a random v4 client_id that is neither in
//   the table nor in the closed-id memory, the stream enters the table pending (its local device
//   attached, unread), `outbound_connect` goes out, and `outbound_result` is routed by id like
//   `resume_stream` (success: reverse credits and our forward grant, then an ordinary stream;
//   failure, 15 s without an answer, or the connection ending: the caller hears why). The
//   outbound functions are kept apart below (Outbound.* members) from the table's routing.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUuid>

#include <deque>

#include "config/PortRouter.h"
#include "nexustray/Config.h"
#include "nexustray/ConnectRequest.h"
#include "nexustray/Snapshots.h"
#include "protocol/ControlMessage.h"
#include "relay/OutboundResult.h"
#include "relay/StreamHost.h"

class QIODevice;

namespace nexustray {

class MuxLink;
class RelayChannel;

// The kind of stream a hub `connect` opens (StreamKind, Snapshots.h): Tcp for transport tcp,
// absent or unknown; Udp for transport udp.
StreamKind streamKindOf(const protocol::ControlMessage& connect);

class StreamMultiplexer : public QObject, private StreamHost {
    Q_OBJECT
public:
    // Everything the streams of one connection need; the session builds it once from its settings.
    struct Settings {
        QString sessionId;   // in snapshots and log lines
        QString backendName; // ConnectRequest
        QString relayUrl;    // ConnectRequest
        // The relay's address as this connection reached it, the destination of PROXY protocol
        // headers; null when unknown (a proxy dialled the relay by name).
        QHostAddress relayAddress;
        PortRouter router;
        ConnectHandler connectHandler; // library mode: asked before the router
        FlowControl flow;
        HealthChecks healthChecks;
        int dialTimeoutMs = 10000;
        int drainTimeoutMs = 30000;
        // UDP flows: the idle timeout of each claimed port (flowIdleTimeoutSeconds; absent or 0 ->
        // 30 s, clamped to [5, 300] like the hub's defaults).
        QList<UdpRoute> udpRoutes;
        int udpIdleTimeoutMs = 0;      // > 0: every flow's idle timeout instead (tests)
        int outboundTimeoutMs = 15000; // wait for `outbound_result` (protocol.md §9.3: 15 s)
    };

    // `link` must outlive the multiplexer.
    StreamMultiplexer(const Settings& settings, MuxLink* link, QObject* parent = nullptr);
    ~StreamMultiplexer() override;

    // A binary message from the hub (data or control), while the link is open.
    void onHubMessage(const QByteArray& message);
    // The link took bytes: resume sending once it drained below the low mark.
    void onLinkWritten();
    // Ping idle streams and close unanswered ones (protocol.md §10.3); the session's timer calls
    // it.
    void checkHealth();
    // Emits streamChanged for every open stream that changed since the last call. True if any
    // stream changed at all (also one that closed meanwhile): the session snapshot is due then.
    bool emitDirtyStreams();

    // The user closes one stream (RelayChannel::closeByUser); false if it is not open here.
    bool closeStream(const QUuid& clientId);
    // The connection ends. notifyHub: every stream sends `disconnect`/`shutdown` and flushes its
    // local side (graceful stop); otherwise the local sides are aborted and nothing is sent.
    void closeAll(bool notifyHub);
    // After closeAll(): send nothing more, and delete itself as soon as no stream object is left
    // (at once if none is).
    void retire();

    // Outbound stream to `targetAddr` ("host:port", IPv6 in brackets; the hub resolves names).
    // Contract:
    // - `local` must be open; ownership passes to the stream at once (also on failure). It is not
    //   read before the hub's success (zero reverse credit; the peer's bytes stay in the kernel).
    // - `done` is called exactly once, on this (the session's) thread, before the stream reads
    //   from or writes to `local` or closes it: Connected before any hub data is written to it;
    //   Refused (the hub's reason; disconnect "dial_failed"), Timeout (no answer within
    //   Settings::outboundTimeoutMs; disconnect "timeout"), SessionLost (closeAll without
    //   notifying the hub, i.e. the connection ended), Stopping (closeAll(true): the client
    //   stops; disconnect "shutdown"), or Refused "local side closed" when `local` closes first.
    // - On failure `local` is closed after `done` returns, flushing what `done` wrote to it (a
    //   SOCKS5 caller writes its failure reply there), and deleted later.
    // - When the link is not open: done(NotConnected) at once, then `local` is closed.
    // Returns the stream's client_id (null when not connected).
    QUuid openOutbound(const QString& targetAddr, QIODevice* local, OutboundCallback done);

    qsizetype streamCount() const { return m_streams.size(); } // streams in the table
    quint64 bytesIn() const { return m_bytesIn; }              // data payload bytes, hub -> local
    quint64 bytesOut() const { return m_bytesOut; }            // data payload bytes, local -> hub

Q_SIGNALS:
    void streamChanged(const nexustray::StreamSnapshot& snapshot);
    void streamClosed(const nexustray::StreamSnapshot& snapshot);

private:
    void handleControl(const protocol::ControlMessage& message);
    void handleConnect(const protocol::ControlMessage& message);
    void onUnknownStreamData(const QUuid& id);
    void rememberClosed(const QUuid& id);
    void pumpSendQueue();
    // One turn of `stream` now (scheduleSend when nothing else waits), the rest queued.
    void sendTurn(RelayChannel* stream);
    void queueForSend(RelayChannel* stream);
    void schedulePump(); // pumpSendQueue once, from the event loop
    void onStreamReleased(RelayChannel* stream);
    int udpIdleTimeoutMs(int port) const;
    bool linkOpen() const; // false for good once retired

    // Outbound (protocol.md §9): the requests waiting for their `outbound_result`.
    struct PendingOutbound {
        OutboundCallback done;
        QTimer* timer = nullptr; // outboundTimeoutMs; a child, deleted with the entry
    };
    QUuid freshOutboundId() const;
    void handleOutboundResult(const protocol::ControlMessage& message);
    // Takes the pending entry of `id` (if any) and calls its callback with `result`.
    bool finishPendingOutbound(const QUuid& id, const OutboundResult& result);
    // Fails every pending request (closeAll): Stopping or SessionLost.
    void failPendingOutbound(OutboundResult::Kind kind);

    // StreamHost
    void sendControl(const protocol::ControlMessage& message) override;
    void sendData(const QByteArray& message) override;
    bool canSendData() const override;
    void scheduleSend(RelayChannel* stream) override;
    void forgetStream(RelayChannel* stream) override;
    void markStreamDirty(RelayChannel* stream) override;

    const Settings m_settings;
    MuxLink* const m_link;

    QHash<QUuid, RelayChannel*> m_streams;
    int m_streamObjects = 0; // not yet released: in the table or still closing
    bool m_retired = false;  // detached from the link, deletes itself when the last stream goes
    QSet<QUuid> m_dirty;
    std::deque<QUuid> m_sendQueue;
    QSet<QUuid> m_queued;
    bool m_pumpScheduled = false;
    bool m_pumping = false;          // inside a stream's sendToHub: scheduleSend only queues
    std::deque<QUuid> m_closedOrder; // bounded memory of closed / unknown IDs
    QSet<QUuid> m_closedIds;
    QHash<QUuid, PendingOutbound> m_pendingOutbound;
    quint64 m_bytesIn = 0;
    quint64 m_bytesOut = 0;
};

} // namespace nexustray
