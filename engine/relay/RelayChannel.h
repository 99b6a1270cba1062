// One relayed client_id as the StreamMultiplexer sees it, whatever it carries: a TCP Stream or a
// UdpFlow. The multiplexer's single table, send queue, closed-id memory, snapshots, health checks
// and closeAll/retire work through this interface only; the data path stays in the subclasses
// (hub data -> onHubData() -> local side; local side -> sendToHub() -> StreamHost::sendData()).
//
// Also holds what both kinds share: the health check of protocol.md §10.3 (ping_client when idle,
// a pongTimeout timer), the "host:port" parsing of a dial target, and the state and counters every
// snapshot shows (fillCommonSnapshot).
#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUuid>

#include "nexustray/ConnectRequest.h"
#include "nexustray/Snapshots.h"

namespace nexustray {

class RelayChannel : public QObject {
    Q_OBJECT
public:
    explicit RelayChannel(QObject* parent = nullptr);
    ~RelayChannel() override;

    virtual const QUuid& id() const = 0;
    virtual bool isOpen() const = 0; // Dialing or Open

    // Opening (exactly one of these, right after construction; Stream also has attach()).
    virtual void dial(const QString& hostPort) = 0;
    virtual void refuse(const QString& why) = 0; // closes with dial_failed

    // From the hub.
    virtual void onHubData(const char* data, qsizetype size) = 0;
    virtual void onHubDisconnect() = 0;
    virtual void onHubCredits(qint64 credits) = 0;
    void onPong();

    // Sends up to `maxMessages` data messages; true if it could send more right now.
    virtual bool sendToHub(int maxMessages) = 0;

    // Health check (protocol.md §10.3), called every few seconds: sends ping_client when the
    // channel has been idle for longer than inactivityMs and starts the pongTimeoutMs timer.
    void checkHealth(qint64 nowMs, qint64 inactivityMs, qint64 pongTimeoutMs);

    // Client shutting down: disconnect/shutdown to the hub, close the local side.
    virtual void shutdown() = 0;
    // The session is gone: close the local side, send nothing.
    virtual void abandon() = 0;
    // The user closed it: disconnect/normal; the snapshot's close reason is "closed by user".
    virtual void closeByUser() = 0;

    virtual StreamSnapshot snapshot(const QString& sessionId) const = 0;

    // Monotonic milliseconds used for activity and health checks.
    static qint64 nowMs();
    // "host:port" or "[v6]:port" -> host (without brackets) and port 1..65535.
    static bool splitHostPort(const QString& hostPort, QString* host, quint16* port);

Q_SIGNALS:
    // Fully closed (local side flushed and closed): the host may delete the channel now.
    void released();

protected:
    // The snapshot fields both kinds fill the same way (ids, request, target, state, bytes, times,
    // close reason); the caller adds its own (TLS, kind, datagram counters).
    void fillCommonSnapshot(StreamSnapshot& s, const QString& sessionId,
                            const ConnectRequest& request) const;

    // Activity for the health check: data either way, dial completion, pong.
    void touch();
    void stopHealthCheck() { m_pongTimer.stop(); }
    int pongTimeoutMs() const { return m_pongTimer.interval(); }
    // Our ping_client stayed unanswered for pongTimeoutMs: close with `timeout`.
    virtual void onPongTimeout() = 0;
    // Sends ping_client for this channel (through its host).
    virtual void sendPing() = 0;

    StreamState m_state = StreamState::Dialing;
    QString m_target;       // "host:port" dialled, or "handler"
    quint64 m_bytesIn = 0;  // from the hub, written to the local side
    quint64 m_bytesOut = 0; // read from the local side, sent to the hub
    QDateTime m_openedAt = QDateTime::currentDateTimeUtc();
    QString m_closeReason;

private:
    qint64 m_lastActivityMs = 0;
    // our ping_client is unanswered when it fires (protocol.md §10.3: a pongTimeout timer started
    // with the ping, not a look at the next 5 s scan)
    QTimer m_pongTimer{this};
};

} // namespace nexustray
