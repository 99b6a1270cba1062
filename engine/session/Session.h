// One authenticated WebSocket to one relay address, and every stream relayed over it.
// Lives on its own worker thread: the WebSocket, the local sockets, the token provider and all
// timers are created there. The data path is: binary message -> decode -> stream lookup ->
// local write, and local read -> fair send queue -> WebSocket.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUuid>

#include <deque>
#include <memory>

#include "config/PortRouter.h"
#include "nexustray/Snapshots.h"
#include "nexustray/TokenProvider.h"
#include "relay/StreamHost.h"
#include "session/Backoff.h"
#include "session/HeapTrimmer.h"
#include "session/SessionSettings.h"

namespace nexustray {

class Stream;
class WebSocketClient;

class Session : public QObject, private StreamHost {
    Q_OBJECT
public:
    explicit Session(SessionSettings settings, QObject* parent = nullptr);
    ~Session() override;

    // Replace the token provider (library mode, tests). Call before start().
    void setTokenProvider(std::unique_ptr<TokenProvider> provider);

    SessionSnapshot snapshot() const;

public Q_SLOTS:
    void start();
    // Graceful: disconnect/shutdown for every stream, close 1001, then stopped().
    void stop();
    // The network came back: cut a pending backoff short.
    void networkAvailable();

Q_SIGNALS:
    void sessionChanged(const nexustray::SessionSnapshot& snapshot);
    void streamChanged(const nexustray::StreamSnapshot& snapshot);
    void streamClosed(const nexustray::StreamSnapshot& snapshot);
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
    void attemptFailed(const QString& error, const QString& cause = QString());
    void scheduleRetry(const QString& error, bool afterEstablished);
    void dropWebSocket();
    void setState(SessionState state, const QString& error = QString());
    void onKeepalive();
    void onReceiveDeadline();

    // streams
    void handleConnect(const protocol::ControlMessage& message);
    void handleControl(const protocol::ControlMessage& message);
    void onUnknownStreamData(const QUuid& id);
    void pumpSendQueue();
    void closeAllStreams(bool notifyHub);
    void rememberClosed(const QUuid& id);
    void emitDirtyStreams();
    void onSnapshotTick();
    void runHealthChecks();

    // StreamHost
    void sendControl(const protocol::ControlMessage& message) override;
    void sendData(const QByteArray& message) override;
    bool canSendData() const override;
    void scheduleSend(Stream* stream) override;
    void forgetStream(Stream* stream) override;
    void markStreamDirty(Stream* stream) override;

    SessionSettings m_settings;
    PortRouter m_router;
    std::unique_ptr<TokenProvider> m_provider;
    Backoff m_backoff;
    WebSocketClient* m_ws = nullptr;

    Phase m_phase = Phase::Idle;
    SessionState m_state = SessionState::Disabled;
    QDateTime m_stateSince;
    QString m_lastError;
    QDateTime m_reconnectAt;
    bool m_stopping = false;
    bool m_established = false;   // survived stableAfterMs or carried traffic
    bool m_networkWake = false;   // network came back while no wait was pending
    quint64 m_pendingRequest = 0; // token request we are waiting for
    AttestationStage m_pendingStage = AttestationStage::Handshake;
    QString m_handshakeToken;

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

    QHash<QUuid, Stream*> m_streams;
    QSet<QUuid> m_dirty;
    std::deque<QUuid> m_sendQueue;
    QSet<QUuid> m_queued;
    bool m_pumpScheduled = false;
    std::deque<QUuid> m_closedOrder; // bounded memory of closed / unknown IDs
    QSet<QUuid> m_closedIds;
    quint64 m_bytesIn = 0;
    quint64 m_bytesOut = 0;
};

} // namespace nexustray
