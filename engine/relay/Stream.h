// One relayed user connection (a `client_id`): hub data in -> local device, local device -> hub
// data out, with the credit and pause/resume rules of protocol.md §6 and §7.
//
// Forward (hub -> local): every data message is written to the local device at once; its credit
// goes back to the hub when the device reports the bytes written (batches of 8; held while paused,
// since any grant also resumes). Messages that arrive while the local dial is pending are kept
// (early data). Watermarks send pause/resume, a hard limit closes the stream with buffer_full
// (with room for what a hub may send before our grant or pause reaches it, protocol.md §7.2).
// A PROXY protocol header, when the port mapping asks for one, goes to the local device first.
// Reverse (local -> hub): the local device is read only while the hub granted credit and the
// WebSocket is not congested; otherwise the bytes wait in the kernel (TCP back-pressure).
// Local EOF: the tail is sent, then the stream stays open until the hub has confirmed writing every
// message to the user (its credits come back in batches of 8, so the tail is padded with empty
// data messages to a multiple of 8), and only then sends `disconnect`: the hub drops what it still
// holds for the user ~50 ms after a `disconnect`, which truncated slow downloads (issue 9).
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUuid>

#include <deque>

#include "nexustray/Config.h"
#include "nexustray/ConnectRequest.h"
#include "nexustray/Snapshots.h"
#include "relay/RelayChannel.h"

class QIODevice;

namespace nexustray {

class StreamHost;

class Stream : public RelayChannel {
    Q_OBJECT
public:
    struct Params {
        ConnectRequest request;
        qint64 reverseCredits = 0; // from connect.credits; 0 = unlimited (old hub)
        FlowControl flow;
        int dialTimeoutMs = 10000;
        // Local EOF: wait this long for credit to send the tail and for the hub to confirm it
        // wrote all of it (protocol.md §6.3: 30 s; also the hub's own no-credit limit).
        int drainTimeoutMs = 30000;
        int flushTimeoutMs = 10000; // hub disconnect: wait this long for the local write
        // Data queued for the local side and none of it written for this long: the local service
        // is stuck, the stream ends with `timeout` (protocol.md §10.2: local write timeout 10 s).
        // Without it a paused stream to a stuck service would live for ever, since a pause has no
        // time limit at the hub (§7.1).
        int localWriteTimeoutMs = 10000;
        StreamKind kind = StreamKind::Tcp; // in snapshots
    };

    Stream(Params params, StreamHost* host, QObject* parent = nullptr);
    ~Stream() override;

    // Messages queued for the local side beyond which the stream closes with buffer_full: twice
    // the window plus what the hub may send outside it (protocol.md §7.2 early data).
    static qint64 hardQueueLimit(const FlowControl& flow);

    const QUuid& id() const override { return m_params.request.clientId; }
    StreamState state() const { return m_state; }
    bool isOpen() const override {
        return m_state == StreamState::Dialing || m_state == StreamState::Open;
    }

    // A PROXY protocol header (issue 15) for the local side: written once, when the local
    // connection opens, before any hub data (early data included). Not hub data: it neither costs
    // nor returns credit and is not counted in bytesIn. Call before dial().
    void setProxyHeader(const QByteArray& header) { m_proxyHeader = header; }

    // Opening (exactly one of these, right after construction).
    void dial(const QString& hostPort) override;
    void attach(QIODevice* device); // takes ownership; the device must be open
    void refuse(const QString& why) override { onLocalError(why); } // closes with dial_failed

    // Outbound streams (protocol.md §9), opened by this client. attachPending() takes the device
    // (ownership at once) but leaves it unread: the stream stays Dialing with no reverse credit,
    // and Qt may hold at most one byte of it (the rest stays in the kernel) until the hub's
    // `outbound_result`. openPending() is the success: reverse credits from its `credits`
    // (0 = unlimited, clamped like connect), then the stream relays like any other.
    // failPending() ends it with `reason` to the hub (none when empty) after flushing what the
    // caller wrote to the device meanwhile (e.g. a SOCKS5 failure reply); `shownReason` is the
    // snapshot's close reason when set.
    void attachPending(QIODevice* device, const QString& target);
    void openPending(qint64 reverseCredits);
    void failPending(const QString& reason, const QString& shownReason = QString());

    // From the hub.
    void onHubData(const char* data, qsizetype size) override;
    void onHubDisconnect() override;
    void onHubCredits(qint64 credits) override;

    // Sends up to `maxMessages` data messages; true if it could send more right now.
    bool sendToHub(int maxMessages) override;

    // Client shutting down: stop reading, send disconnect/shutdown, close the local side.
    void shutdown() override;
    // The session is gone: close the local side, send nothing.
    void abandon() override;
    // The user closed it (Client::closeStream): disconnect/normal to the hub, the local side is
    // flushed and closed; the snapshot's close reason is "closed by user".
    void closeByUser() override;

    StreamSnapshot snapshot(const QString& sessionId) const override;
    qint64 queuedToLocal() const { return m_queuedMessages; }
    quint64 bytesIn() const { return m_bytesIn; }
    quint64 bytesOut() const { return m_bytesOut; }
    const QString& closeReason() const { return m_closeReason; }

private:
    void onPongTimeout() override;
    void sendPing() override;
    void onLocalConnected();
    void onLocalReadyRead();
    void onLocalBytesWritten(qint64 bytes);
    void onLocalEof();
    void onLocalError(const QString& error);
    void writeProxyHeader();
    void writeToLocal(const char* data, qsizetype size);
    void flushLocalSocket();
    void returnCredits(bool force);
    void maybeFinishDrain();
    void padTailAndAwaitAck();
    void dropLocalQueue();
    bool hasReverseCredit() const;
    // Ends the stream: `reason` empty = tell the hub nothing.
    // `reason` is sent to the hub (none when empty: the hub closed it); `shownReason`, when set,
    // is the snapshot's close reason instead.
    void finish(const QString& reason, bool flushLocal, const QString& shownReason = QString());
    void closeLocal(bool flush);
    void release();
    void setupDevice();
    void setLocalReadBuffer(qint64 bytes); // sockets only: how much Qt may read ahead
    void armWriteTimer();
    void onWriteTimer();

    Params m_params;
    StreamHost* m_host;
    QIODevice* m_local = nullptr;
    QByteArray m_header; // 17-byte data header, built once

    // PROXY protocol header: not yet written (empty once it was, or without one), and its bytes
    // the device has not yet reported written (they return no credit)
    QByteArray m_proxyHeader;
    qint64 m_proxyHeaderUnwritten = 0;

    // forward
    std::deque<QByteArray> m_early;  // hub data received while dialing
    std::deque<qint64> m_writeSizes; // sizes of messages handed to the local device, oldest first
    qint64 m_frontWritten = 0;       // bytes of m_writeSizes.front() already written
    qint64 m_queuedMessages = 0;     // messages not yet written to the local side
    qint64 m_creditsToReturn = 0;
    bool m_paused = false;

    // reverse
    qint64 m_reverseCredits = 0;
    bool m_reverseUnlimited = false;
    // Data messages sent that the hub has not yet returned credit for, i.e. not yet confirmed as
    // written to the user (protocol.md §7.2). Zero again = the hub has written everything.
    qint64 m_unacknowledged = 0;
    bool m_localEof = false;
    bool m_awaitingTailAck = false; // tail sent and padded; disconnect once m_unacknowledged is 0
    bool m_hubClosed = false;

    QElapsedTimer m_sinceConnect; // from the hub's `connect` (construction), for the dial time
    bool m_dialled = false;       // dial() ran: a local TCP dial, timed
    double m_dialSeconds = -1;    // StreamSnapshot::dialSeconds
    QTimer m_timer{this};         // dial timeout / drain timeout / flush timeout, one at a time
    // local write timeout: armed while data waits for the local side; checks m_lastLocalWriteMs
    // when it fires instead of being restarted on every write
    QTimer m_writeTimer{this};
    qint64 m_lastLocalWriteMs = 0;
};

} // namespace nexustray
