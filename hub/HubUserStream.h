// One user TCP connection at the hub (or one outbound connection the hub dialled for a client):
// prelude sniffing, then relaying with the hub's flow control (protocol.md §6, §7):
//  - forward (user -> client): unlimited until the client's first credit grant, then a window of
//    max(first grant, 64); reading stops at 0 credits or while paused; no credit for
//    noCreditIdleTimeoutMs closes the stream. Old-hub mode (initialCredits 0): no window at all,
//    a grant is a plain resume, only pause throttles; HubOptions::flowControlInFlightMessages
//    delays the client's grants and pauses, as a long round trip would;
//  - reverse (client -> user): at most maxPendingPerStream unwritten messages (one more kills the
//    stream), and resume_stream{credits:8} after every 8 messages written to the user.
#pragma once

#include "hub/HubCredits.h"
#include "hub/HubEmulator.h"
#include "hub/PreludeSniffer.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUuid>

class QTcpSocket;

namespace nexustray::hub {

class HubEmulatorPrivate;
class HubSession;

class HubUserStream : public QObject {
    Q_OBJECT
public:
    // A user that connected to a relay port: starts sniffing at once.
    HubUserStream(QTcpSocket* socket, const RelayPort& port, HubEmulatorPrivate* hub);
    // An outbound connection: dials `host:port`, then reports to `session`.
    HubUserStream(HubSession* session, const QUuid& id, const QString& host, quint16 port,
                  HubEmulatorPrivate* hub);
    ~HubUserStream() override;

    QUuid id() const { return m_id; }
    RelayPort relayPort() const { return m_port; }
    QString clientAddress() const; // "ip:port" / "[v6]:port"
    QByteArray takePrelude();
    bool isOutbound() const { return m_outbound; }

    // Relay phase.
    void attach(HubSession* session, const QUuid& id);
    void writeFromClient(QByteArrayView payload);
    void preludeSent() { m_forward.messageSent(); } // the session sent a prelude message for us
    void outputDrained() { pump(); }                // the session's WebSocket backlog is gone
    void pause();
    void resume(qint64 credits);
    // Client disconnect: flush what is queued for the user for clientDisconnectFlushMs (~50 ms),
    // drop the rest, close (no message). Like the real hub, this truncates a slow user's download
    // when the client sends `disconnect` before the hub confirmed writing everything.
    void closeAfterClientDisconnect();
    // Session end: flush what is queued for the user, half-close, close 2 s later (no message).
    void closeGracefully();
    // Drop without flushing (used by stop()).
    void abortNow();

    // Reverse credits: the client's balance (overdraft accounting) and the hub's grants.
    ReverseGrants reverse;

private:
    enum class Phase { Sniffing, Dialing, Relaying, Closing };

    void onReadyRead();
    void sniff();
    void decide(const PreludeResult& result);
    void pump();
    // Applies the held controls once the stream has sent flowControlInFlightMessages; true if
    // any were applied.
    bool releaseHeldControls();
    void onBytesWritten(qint64 bytes);
    void onUserEof();
    void messageWritten();
    void kill(const QString& why); // stream removed: disconnect to the client, user aborted
    void startClosing(int graceMs);
    void halfCloseWhenFlushed();

    HubEmulatorPrivate* d;
    QTcpSocket* m_socket;
    RelayPort m_port;
    bool m_outbound = false;
    Phase m_phase = Phase::Sniffing;
    QByteArray m_prelude;
    QTimer m_sniffTimer;

    QPointer<HubSession> m_session;
    QUuid m_id;
    QByteArray m_header;

    // forward
    bool m_paused = false;
    ForwardWindow m_forward;
    // pause (-1) / resume(credits >= 0) from the client not yet in effect, in order
    // (HubOptions::flowControlInFlightMessages)
    QList<qint64> m_heldControls;
    bool m_userEof = false;
    QTimer m_noCreditTimer;

    // reverse
    QList<qint64> m_pending; // bytes still unwritten per queued message

    QTimer m_closeTimer;
};

} // namespace nexustray::hub
