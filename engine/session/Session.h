// One authenticated WebSocket to one relay address: token, dial, challenge, attestation,
// re-attestation, keepalive, backoff and TLS. While live it owns one StreamMultiplexer (the streams
// relayed over this connection), hands it every binary message and is its MuxLink; when the
// connection goes the multiplexer is closed and retired, and the next connection gets a new one.
// Lives on its own worker thread: the WebSocket, the local sockets, the token provider and all
// timers are created there. The data path is: binary message -> multiplexer (decode -> stream
// lookup -> local write), and local read -> the multiplexer's fair send queue -> WebSocket.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <vector>

#include "nexustray/Snapshots.h"
#include "nexustray/TokenProvider.h"
#include "relay/MuxLink.h"
#include "relay/StreamMultiplexer.h"
#include "session/Backoff.h"
#include "session/HeapTrimmer.h"
#include "session/SessionSettings.h"

namespace nexustray {

class WebSocketClient;

class Session : public QObject, private MuxLink {
    Q_OBJECT
public:
    explicit Session(SessionSettings settings, QObject* parent = nullptr);
    ~Session() override;

    // Replace the token provider (library mode, tests). Call before start().
    void setTokenProvider(std::unique_ptr<TokenProvider> provider);

    SessionSnapshot snapshot() const;

    // An outbound stream (protocol.md §9) on the live connection's multiplexer; call on the
    // session's thread. The contract of StreamMultiplexer::openOutbound holds (ownership of `local`
    // passes at once; `done` exactly once on this thread, before `local` is read or closed); when
    // the session is not live, done(NotConnected) at once (Stopping while it stops) and `local`
    // is closed.
    // Returns the stream's client_id (null when not connected).
    QUuid openOutbound(const QString& targetAddr, QIODevice* local, OutboundCallback done);

public Q_SLOTS:
    void start();
    // Graceful: disconnect/shutdown for every stream, close 1001, then stopped().
    void stop();
    // The network came back: cut a pending backoff short.
    void networkAvailable();
    // The user closes one live stream (Client::closeStream).
    void closeStream(const QUuid& clientId);
    // The user wants a session waiting in Backoff to try again now (Client::retryNow): the
    // failure counters start from zero. False when the session is not waiting (e.g. Failed:
    // the client starts a new session instead).
    bool retryNow();

Q_SIGNALS:
    void sessionChanged(const nexustray::SessionSnapshot& snapshot);
    void streamChanged(const nexustray::StreamSnapshot& snapshot);
    void streamClosed(const nexustray::StreamSnapshot& snapshot);
    // One per token request the provider answered (AttestationResult says when each is decided).
    void attestationFinished(const nexustray::AttestationEvent& event);
    void stopped();

private:
    enum class Phase {
        Idle,
        FetchingToken,
        Dialing,
        WaitingChallenge,
        Attesting,
        Live,
        Backoff,
        Stopped
    };

    // connection attempts
    void beginAttempt();
    void onTokenFinished(quint64 requestId, const nexustray::TokenResult& result);
    void openWebSocket();
    void onWsConnected();
    void onWsDisconnected();
    void onTextMessage(const QString& text);
    void onBinaryMessage(const QByteArray& message);
    // `cause` (what classifyFailure() looks at) is `error` unless that names the relay URL.
    void attemptFailed(const QString& error, SessionErrorKind kind,
                       const QString& cause = QString());
    void scheduleRetry(const QString& error, bool afterEstablished);
    void dropWebSocket();
    void setState(SessionState state, const QString& error = QString(),
                  SessionErrorKind kind = SessionErrorKind::Other);
    void noteError(const QString& error, SessionErrorKind kind); // lastError for later
    // attestationFinished for `stage`; settleVerdict() for the token sent and awaiting the hub's
    // verdict (m_verdictPending), if any.
    void reportAttestation(AttestationStage stage, AttestationResult result,
                           const QString& reason = QString());
    void settleVerdict(AttestationResult result, const QString& reason = QString());
    void onKeepalive();
    void onReceiveDeadline();

    // streams (the multiplexer of the live connection)
    void openStreams();
    // Ends the live connection's streams (notifyHub: disconnect/shutdown each) and retires its
    // multiplexer; streams still flushing locally keep it alive, detached, until they are released.
    void closeAllStreams(bool notifyHub);
    void emitDirtyStreams();
    void onSnapshotTick();
    void runHealthChecks();

    // MuxLink
    bool isOpen() const override;
    void sendBinary(const QByteArray& message) override;
    qint64 bytesToWrite() const override;
    void flush() override;

    SessionSettings m_settings;
    StreamMultiplexer::Settings m_muxSettings;
    std::unique_ptr<TokenProvider> m_provider;
    Backoff m_backoff;
    int m_minRetryMs = 0; // least wait before the next attempt, asked for by the token provider
    WebSocketClient* m_ws = nullptr;

    Phase m_phase = Phase::Idle;
    SessionState m_state = SessionState::Disabled;
    QDateTime m_stateSince;
    QString m_lastError;
    SessionErrorKind m_errorKind = SessionErrorKind::None;
    QDateTime m_reconnectAt;
    bool m_stopping = false;
    bool m_established = false;   // survived stableAfterMs or carried traffic
    bool m_networkWake = false;   // network came back while no wait was pending
    quint64 m_pendingRequest = 0; // token request we are waiting for
    AttestationStage m_pendingStage = AttestationStage::Handshake;
    QString m_handshakeToken;
    // A handshake or attest token is on its way to (or at) the hub, which has not yet shown
    // whether it accepts it; m_verdictStage says which.
    bool m_verdictPending = false;
    AttestationStage m_verdictStage = AttestationStage::Handshake;

    // Timers are children so that moveToThread() takes them along.
    QTimer m_attemptTimer{this};   // challenge timeout
    QTimer m_retryTimer{this};     // backoff wait
    QTimer m_keepaliveTimer{this}; // our pings
    QTimer m_deadlineTimer{this};  // read deadline: nothing received for keepaliveDeadlineMs
    QTimer m_stableTimer{this};
    QTimer m_healthTimer{this};
    QTimer m_snapshotTimer{this};
    QTimer m_stopTimer{this};
    QElapsedTimer m_sinceReceive;
    QElapsedTimer m_clock; // for HeapTrimmer
    HeapTrimmer m_heapTrimmer;

    StreamMultiplexer* m_mux = nullptr; // while Live; a child
    // Multiplexers of old connections whose streams are still being released (they delete
    // themselves then).
    std::vector<QPointer<StreamMultiplexer>> m_retired;
    quint64 m_bytesIn = 0;  // of the connections before the live one
    quint64 m_bytesOut = 0; // of the connections before the live one
};

} // namespace nexustray
