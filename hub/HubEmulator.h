// An in-process Nexus hub for the demo and the tests. It speaks the hub side of
// shared/spec/protocol.md as strictly as the real server: HS256 token validation (iss, aud, exp,
// nbf), stage-0 / challenge / stage-1 with a real 43-character nonce, identity equality between
// stages, token deadlines, reauth challenges, the 32 785-byte message limit (close 1009), reverse
// credits (64 on connect, +8 per 8 messages written to the user, stream killed at 128 pending) and
// forward credits / pause (initialCredits 0: an old hub, no credits either way, only pause/resume
// throttles the forward direction). Users reach it on real TCP relay listeners; the hub routes them
// by TLS SNI, then HTTP Host, then a tcp:<port> claim, to an authenticated session (weighted round
// robin). UDP users reach it on UDP relay ports (protocol.md §8.3, HubUdpPort / HubUdpFlow): one
// flow per user ip:port, routed to a session claiming udp:<port>; every data message is exactly
// one datagram both ways; forward credits as for TCP, and a flow without credit blocks its whole
// port's receive loop (like the real hub); reverse grants of 8 per 8 datagrams written; flows end
// on the claim's idle timeout (no datagram from the user), eviction beyond udpMaxFlows, a failed
// write noticed on the client's next datagram, a client disconnect noticed on the user's next
// datagram (dropped), or the session's end.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QStringList>
#include <QUrl>
#include <QUuid>

#include <memory>
#include <optional>

namespace nexustray::hub {

struct RelayPort {
    quint16 advertisedPort = 0; // what connect.conn_port says (e.g. 443)
    quint16 listenPort = 0;     // where the hub really listens on loopback; 0 = ephemeral
};

struct HubOptions {
    QByteArray jwtSecret; // backendsJWTSecret (HS256/384/512)
    QHostAddress address = QHostAddress::LocalHost;
    quint16 backendPort = 0;              // 0 = ephemeral
    std::optional<QSslConfiguration> tls; // set -> wss:// (local certificate + key inside)
    QList<RelayPort> relayPorts;
    int tokenTimeoutMs = 10000; // wait for each token
    int initialCredits = 64; // credits on connect; 0 = behave like an old hub (no credits at all:
                             // a forward grant acts as a plain resume, protocol.md §7.3)
    int maxPendingPerStream = 128; // unwritten messages per user before the stream dies
    int pingIntervalMs = 54000;
    int readDeadlineMs = 60000;
    int noCreditIdleTimeoutMs = 30000; // stream closed after this long without forward credit
    int sniffTimeoutMs = 300;          // wait for a TLS/HTTP prelude before using tcp:<port>

    // Additions (not in the first draft of this header):
    int preludeTimeoutMs = 10000; // a prelude that began (TLS/HTTP) but is incomplete after this
                                  // long is routed as if it carried no SNI/Host
    int writeDeadlineMs = 10000;  // a session whose WebSocket writes stall this long is dropped
    int secondUnitMs = 1000;      // length of one token "second" for reauth interval / grace
                                  // (tests shrink it; the real hub uses 1000)
    int userSendBufferBytes = 0;  // SO_SNDBUF for user sockets (0 = OS default); small values
                                  // make "user reads slowly" tests deterministic
    int clientDisconnectFlushMs = 50; // after a client `disconnect`, what the user has not taken
                                      // by then is dropped (the real hub: ~50 ms)
    // The client's flow control for a stream (its grants and pauses) takes effect only once the
    // hub has sent this many data messages of the stream: a grant and pause still in flight while
    // a fast user uploads (protocol.md §7.2 early data). 0 = they take effect when they arrive.
    int flowControlInFlightMessages = 0;
    // Port-claim allowlists. nullopt = any claim is accepted (emulator convenience); a list = the
    // real hub's allowedTCPPortClaims / allowedUDPPortClaims (an empty list refuses every claim).
    std::optional<QList<int>> allowedTcpPortClaims;
    std::optional<QList<int>> allowedUdpPortClaims;
    // Outbound [ext-outbound]. Disabled: tokens with outbound_allowed:true fail the handshake and
    // outbound_connect is answered "outbound connections disabled on this proxy". Enabled: the hub
    // dials the target itself (TCP) and relays it as a stream.
    bool outboundEnabled = false;
    QList<int> allowedOutboundPorts; // hub allowlist; empty = every port
    int maxOutboundPerSession = 100;
    int outboundDialTimeoutMs = 10000;
    // UDP relay ports (protocol.md §8.3). A flow's idle timeout comes from the session's claim
    // (flow_idle_timeout_seconds, clamped to [5, 300], default 30) in units of secondUnitMs.
    QList<RelayPort> udpRelayPorts;
    int udpMaxFlows = 200000;            // per relay port; a new flow beyond it evicts the oldest
    int udpIdleCheckMs = 5000;           // idle scan period (tests shrink it)
    int udpMaxDatagramBytes = 65507;     // a client datagram above it cannot be written to the user
    int udpReceiveBufferBytes = 1 << 20; // SO_RCVBUF of each UDP relay socket
    // Test hook (no real hub does this): an outbound_connect that passes every check of §9.1 is
    // never answered and never dialled, for the client's 15 s outbound timeout.
    bool outboundWithholdResult = false;
};

struct HubStats {
    int authenticatedSessions = 0; // currently authenticated (not cumulative)
    int activeStreams = 0;
    quint64 streamsOpened = 0;
    quint64 bytesToClient = 0;    // data payload bytes sent to backends
    quint64 bytesFromClient = 0;  // data payload bytes received from backends
    quint64 creditOverdrafts = 0; // data messages a client sent without a credit
    quint64 protocolViolations = 0;
    // Additions:
    quint64 sessionsRejected = 0;        // handshakes that failed (1008 or dropped)
    quint64 streamsKilledBufferFull = 0; // streams removed at maxPendingPerStream
    quint64 reverseGrantsSent = 0;       // resume_stream{credits:8} sent to clients
    quint64 usersRejected = 0;           // user connections without a route
    // Highest forward window a client ever claimed to hold for a stream: its credits granted minus
    // the data messages sent to it (prelude included), taken at each grant. A client that returns
    // one credit per message it consumed never exceeds its window (flowControl.maxBuffer).
    qint64 maxForwardOutstanding = 0;
    quint64 keepalivePongs = 0; // WebSocket pongs received from authenticated sessions
    quint64 pausesReceived = 0; // pause_stream messages for known streams
    // Bytes still queued for users when the flush window after a client `disconnect` ended (a
    // truncated download, unless the user had gone already).
    quint64 userBytesDropped = 0;
    // UDP relay ports:
    quint64 udpFlowsOpened = 0;
    int udpActiveFlows = 0;
    quint64 udpDatagramsToClient = 0;   // user datagrams sent to backends as data messages
    quint64 udpDatagramsFromClient = 0; // datagrams written to users
    quint64 udpDatagramsDropped = 0;    // user datagrams not relayed (no route, ended flow, ...)
    quint64 udpWriteFailures = 0;       // client datagrams the hub could not write to the user
    quint64 udpFlowsEvicted = 0;
};

class HubEmulatorPrivate;
class HubSession;
class HubUserStream;
class HubUdpPort;
class HubUdpFlow;

class HubEmulator : public QObject {
    Q_OBJECT
public:
    explicit HubEmulator(HubOptions options, QObject* parent = nullptr);
    ~HubEmulator() override;

    bool start(QString* error = nullptr);
    // Drops every session (close 1001) and user connection and stops listening.
    void stop();

    QUrl backendUrl() const; // ws(s)://127.0.0.1:<port>/connect
    quint16 relayListenPort(quint16 advertisedPort) const;
    quint16 udpRelayListenPort(quint16 advertisedPort) const; // 0 = no such UDP relay port
    HubStats stats() const;

    // Test hooks.
    void sendReauthChallenges();                   // to every authenticated session now
    void dropSessions(bool sendCloseFrame);        // simulate a crash (false) or restart
    void sendRawBinary(const QByteArray& message); // hostile input to every authenticated session
    void sendRawText(const QByteArray& message);
    // Addition: number of currently authenticated sessions / open streams of a session's backend.
    int authenticatedSessionCount() const;

Q_SIGNALS:
    void sessionAuthenticated(const QString& backendName, const QStringList& hostnames, int weight);
    void sessionReauthenticated(const QString& backendName);
    void sessionClosed(const QString& backendName, int closeCode, const QString& reason);
    void streamOpened(const QUuid& clientId, const QString& hostname);
    void streamClosed(const QUuid& clientId, const QString& why);
    void clientDisconnectReceived(const QUuid& clientId, const QString& reason);
    void protocolViolation(const QString& what);
    // Additions:
    // A user connection was closed because no session serves its route: the SNI/Host it asked
    // for (normalised), or "tcp:<advertisedPort>" when it carried neither.
    void userRejected(quint16 advertisedPort, const QString& routeKey);
    // A reauth challenge was sent (timer or sendReauthChallenges()).
    void reauthChallengeSent(const QString& backendName);
    // The hub holds user bytes it may not send to the client now (stream paused, or no forward
    // credit left): lets a test see that the hub stopped, instead of waiting a while.
    // (For UDP: a flow has no forward credit, so its port stopped reading until a grant.)
    void userDataHeld(const QUuid& clientId);
    // UDP relay ports: a flow began (connect sent) / ended. why: "idle", "evicted", "write failed",
    // "client disconnect", "session ended", "stopped".
    void udpFlowOpened(const QUuid& clientId, quint16 advertisedPort);
    void udpFlowClosed(const QUuid& clientId, const QString& why);
    // A user datagram was not relayed. why: "no route" (no session claims udp:<port>),
    // "flow ended" (the first datagram after a client disconnect), "flow closed" (its flow ended
    // while the datagram waited for credit).
    void udpDatagramDropped(quint16 advertisedPort, const QString& why);

private:
    friend class HubEmulatorPrivate;
    friend class HubSession;
    friend class HubUserStream;
    friend class HubUdpPort;
    friend class HubUdpFlow;
    std::unique_ptr<HubEmulatorPrivate> d;
};

} // namespace nexustray::hub
