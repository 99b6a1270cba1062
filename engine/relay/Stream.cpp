#include "relay/Stream.h"

#include <QAbstractSocket>
#include <QIODevice>
#include <QLocalSocket>
#include <QNetworkProxy>
#include <QTcpSocket>

#include <algorithm>
#include <utility>

#include "Logging.h"
#include "protocol/Frame.h"
#include "relay/StreamHost.h"

namespace nexustray {

namespace {
constexpr qint64 kCreditBatch = 8; // protocol.md §7.2: credits go back in batches of 8
// Empty data messages the tail padding may send beyond the reverse credit window. With a window
// that is a multiple of 8 (the current hub: 64) the padding always fits in the credit left, since
// credit + unacknowledged = window; a hub with another window gets at most 7 extra messages, far
// below its limit of 128 unwritten messages per stream.
constexpr qint64 kTailPaddingAllowance = kCreditBatch - 1;
constexpr qint64 kMaxCredits = qint64(1) << 20; // clamp for grants and totals
// Messages the hub may legitimately send outside our credit window (protocol.md §7.2, "early
// data"): everything it reads from its user before our first grant reaches it is not counted, and
// an old hub (§7.3) stops only when our pause arrives. Both are bounded by time in flight, not by
// the window: a session thread starved by a loaded machine can find a whole upload in its socket
// before it has read the `connect`. The hard limit leaves this much room on top of the window, so
// that only a hub ignoring both credits and pause loses a stream to it; 1024 full messages bound
// such a stream at 32 MiB.
constexpr qint64 kUncountedMessages = 1024;
// How much Qt may read ahead from a local socket (two full messages); beyond it the kernel holds
// the bytes and TCP back-pressure reaches the local service. 256 KiB cost ~20 MB of RSS with 100
// busy streams and bought no throughput (docs/PERFORMANCE.md).
constexpr qint64 kLocalReadBuffer = 64 * 1024;

// One data-message buffer per thread (a session and its streams live on one thread), reused for
// every message: the host copies what it sends, so the buffer is free again once sendData returns.
// Saves a 32 KiB allocation (and the page faults of heap trimming) per message.
QByteArray& messageBuffer() {
    thread_local QByteArray buffer = [] {
        QByteArray b;
        b.reserve(protocol::kMaxClientMessage);
        return b;
    }();
    return buffer;
}
} // namespace

Stream::Stream(Params params, StreamHost* host, QObject* parent)
    : RelayChannel(parent)
    , m_params(std::move(params))
    , m_host(host)
    , m_header(protocol::dataHeader(m_params.request.clientId))
    , m_reverseCredits(std::min(m_params.reverseCredits, kMaxCredits))
    , m_reverseUnlimited(m_params.reverseCredits <= 0) {
    m_sinceConnect.start();
    m_timer.setSingleShot(true);
    m_writeTimer.setSingleShot(true);
    connect(&m_writeTimer, &QTimer::timeout, this, &Stream::onWriteTimer);
}

Stream::~Stream() = default;

qint64 Stream::hardQueueLimit(const FlowControl& flow) {
    return 2 * qint64(flow.maxBuffer) + kCreditBatch + kUncountedMessages;
}

void Stream::onPongTimeout() {
    qCInfo(lcStream) << "stream" << id().toString(QUuid::WithoutBraces) << "no pong_client within"
                     << pongTimeoutMs() << "ms, closing";
    finish(QStringLiteral("timeout"), false);
}

void Stream::sendPing() {
    m_host->sendControl(protocol::makePing(id()));
}

void Stream::dial(const QString& hostPort) {
    m_target = hostPort;
    QString host;
    quint16 port = 0;
    if (!splitHostPort(hostPort, &host, &port)) {
        onLocalError(QStringLiteral("invalid target '%1'").arg(hostPort));
        return;
    }
    m_dialled = true;
    auto* socket = new QTcpSocket(this);
    socket->setProxy(QNetworkProxy::NoProxy); // local services are never reached through a proxy
    socket->setReadBufferSize(kLocalReadBuffer);
    m_local = socket;
    setupDevice();
    connect(&m_timer, &QTimer::timeout, this,
            [this] { onLocalError(QStringLiteral("dial timed out")); });
    m_timer.start(m_params.dialTimeoutMs);
    socket->connectToHost(host, port);
}

void Stream::attach(QIODevice* device) {
    m_target = QStringLiteral("handler");
    device->setParent(this);
    m_local = device;
    setupDevice();
    onLocalConnected();
}

void Stream::attachPending(QIODevice* device, const QString& target) {
    m_target = target;
    m_reverseCredits = 0;
    m_reverseUnlimited = false;
    device->setParent(this);
    m_local = device;
    // Not read before the hub said yes (protocol.md §9.3): Qt stops reading once its buffer
    // holds this much, so the peer's bytes wait in the kernel and back-pressure reaches it.
    setLocalReadBuffer(1);
    setupDevice();
}

void Stream::openPending(qint64 reverseCredits) {
    if (m_state != StreamState::Dialing || !m_local)
        return;
    m_reverseCredits = std::min(reverseCredits, kMaxCredits);
    m_reverseUnlimited = reverseCredits <= 0;
    setLocalReadBuffer(kLocalReadBuffer); // reading again (re-enables Qt's read notifier)
    onLocalConnected();
}

void Stream::failPending(const QString& reason, const QString& shownReason) {
    finish(reason, true, shownReason);
}

void Stream::setLocalReadBuffer(qint64 bytes) {
    if (auto* socket = qobject_cast<QAbstractSocket*>(m_local))
        socket->setReadBufferSize(bytes);
    else if (auto* local = qobject_cast<QLocalSocket*>(m_local))
        local->setReadBufferSize(bytes);
}

void Stream::setupDevice() {
    connect(m_local, &QIODevice::readyRead, this, &Stream::onLocalReadyRead);
    connect(m_local, &QIODevice::bytesWritten, this, &Stream::onLocalBytesWritten);
    connect(m_local, &QIODevice::readChannelFinished, this, &Stream::onLocalEof);
    if (auto* socket = qobject_cast<QAbstractSocket*>(m_local)) {
        connect(socket, &QAbstractSocket::connected, this, &Stream::onLocalConnected);
        connect(socket, &QAbstractSocket::disconnected, this, &Stream::onLocalEof);
        connect(socket, &QAbstractSocket::errorOccurred, this,
                [this, socket](QAbstractSocket::SocketError error) {
                    if (error == QAbstractSocket::RemoteHostClosedError &&
                        m_state == StreamState::Open)
                        onLocalEof();
                    else
                        onLocalError(socket->errorString());
                });
    } else {
        connect(m_local, &QIODevice::aboutToClose, this, &Stream::onLocalEof);
    }
}

void Stream::onLocalConnected() {
    // TCP_NODELAY: a local service that waits for our next segment (a TLS server after the
    // client's Finished) must not wait for Nagle + delayed ACK (~40 ms). Qt 6.4 drops the option
    // when set before the socket exists, so set it now, also on a library-mode device (which may
    // still be connecting when attached: then its connected() brings us here again).
    if (auto* socket = qobject_cast<QAbstractSocket*>(m_local);
        socket && socket->state() == QAbstractSocket::ConnectedState)
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_state != StreamState::Dialing)
        return;
    m_timer.stop();
    m_timer.disconnect(this);
    m_state = StreamState::Open;
    if (m_dialled) // the nexustray_stream_dial_seconds histogram (failed dials are not timed)
        m_dialSeconds = double(m_sinceConnect.nsecsElapsed()) / 1e9;
    touch();
    qCDebug(lcStream) << "stream" << id().toString(QUuid::WithoutBraces) << "connected to"
                      << m_target;
    if (!m_proxyHeader.isEmpty())
        writeProxyHeader();
    while (!m_early.empty() && m_state == StreamState::Open) {
        const QByteArray chunk = std::move(m_early.front());
        m_early.pop_front();
        writeToLocal(chunk.constData(), chunk.size());
    }
    if (m_state == StreamState::Open && m_local->bytesAvailable() > 0)
        onLocalReadyRead();
    m_host->markStreamDirty(this);
}

// Before everything else the local side gets; its bytes are kept apart from the messages' sizes,
// so that bytesWritten() returns credit only for hub data.
void Stream::writeProxyHeader() {
    const QByteArray header = std::exchange(m_proxyHeader, QByteArray());
    if (m_local->write(header) != header.size()) {
        onLocalError(QStringLiteral("local write failed: %1").arg(m_local->errorString()));
        return;
    }
    m_proxyHeaderUnwritten = header.size();
}

void Stream::onHubData(const char* data, qsizetype size) {
    if (!isOpen())
        return;
    touch();
    if (m_localEof) {
        // The local side is gone: discarded (protocol.md §6.3), but consumed all the same, so the
        // credit goes back and the hub never stalls on this stream while its tail is confirmed.
        ++m_creditsToReturn;
        returnCredits(false);
        return;
    }
    ++m_queuedMessages;
    m_bytesIn += quint64(size);
    // Only a hub that ignores credits and pause_stream gets this far (see hardQueueLimit).
    const qint64 hardLimit = hardQueueLimit(m_params.flow);
    if (m_queuedMessages > hardLimit) {
        qCWarning(lcStream) << "stream" << id().toString(QUuid::WithoutBraces)
                            << "local side too slow: more than" << hardLimit
                            << "messages queued, closing (buffer_full)";
        finish(QStringLiteral("buffer_full"), false);
        return;
    }
    if (m_state == StreamState::Dialing)
        m_early.emplace_back(data, size);
    else
        writeToLocal(data, size);
    if (isOpen() && !m_paused && m_queuedMessages >= m_params.flow.highWaterMark) {
        m_paused = true;
        m_host->sendControl(protocol::makePause(id()));
    }
    m_host->markStreamDirty(this);
}

void Stream::writeToLocal(const char* data, qsizetype size) {
    if (size == 0) { // nothing will ever be reported written: the credit is due now
        --m_queuedMessages;
        ++m_creditsToReturn;
        returnCredits(false);
        return;
    }
    const qint64 written = m_local->write(data, size);
    if (written != size) {
        onLocalError(QStringLiteral("local write failed: %1").arg(m_local->errorString()));
        return;
    }
    if (m_writeSizes.empty())
        m_lastLocalWriteMs = nowMs(); // the clock starts when data starts waiting
    m_writeSizes.push_back(size);
    armWriteTimer();
    flushLocalSocket();
}

// To the kernel now, not on the socket's write notifier one event-loop pass later: on the relay's
// path each pass is a poll and a wake-up more (issue 10). The socket reports what it wrote from
// inside this call (onLocalBytesWritten), as it would from its notifier.
void Stream::flushLocalSocket() {
    if (auto* socket = qobject_cast<QAbstractSocket*>(m_local)) {
        if (socket->state() == QAbstractSocket::ConnectedState)
            socket->flush();
    } else if (auto* local = qobject_cast<QLocalSocket*>(m_local)) {
        if (local->state() == QLocalSocket::ConnectedState)
            local->flush();
    }
}

void Stream::armWriteTimer() {
    if (!m_writeTimer.isActive())
        m_writeTimer.start(m_params.localWriteTimeoutMs);
}

void Stream::onWriteTimer() {
    if (!isOpen() || m_writeSizes.empty())
        return;
    const qint64 idle = nowMs() - m_lastLocalWriteMs;
    if (idle < m_params.localWriteTimeoutMs) {
        m_writeTimer.start(int(m_params.localWriteTimeoutMs - idle));
        return;
    }
    qCWarning(lcStream) << "stream" << id().toString(QUuid::WithoutBraces) << "local service"
                        << m_target << "took no data for" << m_params.localWriteTimeoutMs
                        << "ms, closing (timeout)";
    finish(QStringLiteral("timeout"), false);
}

void Stream::onLocalBytesWritten(qint64 bytes) {
    if (bytes > 0)
        m_lastLocalWriteMs = nowMs();
    const qint64 header = std::min(bytes, m_proxyHeaderUnwritten); // written first, no credit
    m_proxyHeaderUnwritten -= header;
    bytes -= header;
    while (bytes > 0 && !m_writeSizes.empty()) {
        const qint64 rest = m_writeSizes.front() - m_frontWritten;
        if (bytes < rest) {
            m_frontWritten += bytes;
            break;
        }
        bytes -= rest;
        m_writeSizes.pop_front();
        m_frontWritten = 0;
        --m_queuedMessages;
        ++m_creditsToReturn;
    }
    if (isOpen())
        returnCredits(false);
}

void Stream::returnCredits(bool force) {
    if (m_paused) {
        // Credits are held while paused: every resume_stream, with or without credits, also
        // resumes the hub (protocol.md §5.2, §7.1), and an old hub reads it as a plain resume
        // (§7.3). A batch sent now would undo the pause long before the low watermark, and the
        // hub (which sends nothing while paused) gains nothing from it. Re-sending the pause
        // after each batch would still let the hub read between the two. So one resume at the
        // low watermark both undoes the pause and hands back everything owed (0 = plain resume).
        if (m_queuedMessages > m_params.flow.lowWaterMark)
            return;
        m_paused = false;
        m_host->sendControl(protocol::makeResume(id(), m_creditsToReturn));
        m_creditsToReturn = 0;
        return;
    }
    if (m_creditsToReturn >= kCreditBatch || (force && m_creditsToReturn > 0)) {
        m_host->sendControl(protocol::makeResume(id(), m_creditsToReturn));
        m_creditsToReturn = 0;
    }
}

bool Stream::hasReverseCredit() const {
    return m_reverseUnlimited || m_reverseCredits > 0;
}

void Stream::onLocalReadyRead() {
    if (m_state == StreamState::Open && hasReverseCredit())
        m_host->scheduleSend(this);
}

bool Stream::sendToHub(int maxMessages) {
    int sent = 0;
    while (sent < maxMessages && m_state == StreamState::Open && hasReverseCredit() &&
           m_host->canSendData()) {
        const qint64 available = m_local->bytesAvailable();
        if (available <= 0)
            break;
        const qint64 chunk = std::min<qint64>(available, protocol::kMaxDataPayload);
        QByteArray& message = messageBuffer();
        const qint64 n = m_local->read(protocol::beginData(message, m_header, chunk), chunk);
        if (n <= 0)
            break;
        if (n < chunk)
            protocol::finishData(message, n);
        m_host->sendData(message);
        if (!m_reverseUnlimited) {
            --m_reverseCredits;
            ++m_unacknowledged;
        }
        m_bytesOut += quint64(n);
        ++sent;
    }
    if (sent > 0) {
        touch();
        m_host->markStreamDirty(this);
    }
    if (m_localEof)
        maybeFinishDrain();
    return m_state == StreamState::Open && hasReverseCredit() && m_local->bytesAvailable() > 0;
}

void Stream::onHubCredits(qint64 credits) {
    if (credits <= 0 || !isOpen())
        return;
    m_reverseCredits = std::min(m_reverseCredits + std::min(credits, kMaxCredits), kMaxCredits);
    m_unacknowledged = std::max<qint64>(0, m_unacknowledged - credits);
    if (m_awaitingTailAck) {
        if (m_unacknowledged == 0) {
            qCDebug(lcStream) << "stream" << id().toString(QUuid::WithoutBraces)
                              << "hub wrote the whole tail";
            finish(QStringLiteral("normal"), false);
        }
        return;
    }
    if (m_state == StreamState::Open && m_local->bytesAvailable() > 0)
        m_host->scheduleSend(this);
}

void Stream::onLocalEof() {
    if (m_localEof || !isOpen())
        return;
    if (m_state == StreamState::Dialing) {
        onLocalError(QStringLiteral("connection closed during dial"));
        return;
    }
    m_localEof = true;
    qCDebug(lcStream) << "stream" << id().toString(QUuid::WithoutBraces) << "local side closed";
    dropLocalQueue();
    // The tail still needs credit, then the hub's confirmation; give both a bounded time
    // (protocol.md §6.3: 30 s, which is also the hub's limit for a stream without credit).
    m_timer.disconnect(this);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_awaitingTailAck) {
            qCWarning(lcStream) << "stream" << id().toString(QUuid::WithoutBraces)
                                << "hub did not confirm writing the last" << m_unacknowledged
                                << "messages to the user within" << m_params.drainTimeoutMs
                                << "ms; ending the stream anyway (the user may miss the tail)";
        } else {
            qCWarning(lcStream) << "stream" << id().toString(QUuid::WithoutBraces)
                                << "no credit to send the tail within" << m_params.drainTimeoutMs
                                << "ms;" << m_local->bytesAvailable()
                                << "bytes dropped, ending the stream";
        }
        finish(QStringLiteral("normal"), false);
    });
    m_timer.start(m_params.drainTimeoutMs);
    if (m_local->bytesAvailable() > 0)
        m_host->scheduleSend(this);
    maybeFinishDrain();
}

// Whatever still waits for the local side will never be written: it counts as consumed
// (protocol.md §7.2), and a pause is undone, so the hub is not left without credit.
void Stream::dropLocalQueue() {
    m_writeTimer.stop();
    m_creditsToReturn += m_queuedMessages;
    m_queuedMessages = 0;
    m_writeSizes.clear();
    m_frontWritten = 0;
    returnCredits(false);
}

void Stream::maybeFinishDrain() {
    if (!m_localEof || m_awaitingTailAck || m_state != StreamState::Open ||
        m_local->bytesAvailable() > 0)
        return;
    if (m_reverseUnlimited) {
        finish(QStringLiteral("normal"), false); // old hub: no credits, nothing to wait for
        return;
    }
    padTailAndAwaitAck();
}

// The whole tail is sent. The hub returns 8 credits per 8 messages written to the user and keeps a
// remainder below 8 to itself, so empty data messages (which it counts like any other) round the
// unacknowledged count up to a multiple of 8; once every credit is back, all was written and the
// `disconnect` can no longer cut the user's download short.
void Stream::padTailAndAwaitAck() {
    m_awaitingTailAck = true;
    const qint64 padding = (kCreditBatch - m_unacknowledged % kCreditBatch) % kCreditBatch;
    Q_ASSERT(padding <= kTailPaddingAllowance);
    QByteArray& message = messageBuffer();
    protocol::beginData(message, m_header, 0);
    for (qint64 i = 0; i < padding; ++i) {
        m_host->sendData(message);
        --m_reverseCredits; // may go below zero by at most kTailPaddingAllowance
        ++m_unacknowledged;
    }
    if (m_unacknowledged == 0) {
        finish(QStringLiteral("normal"), false);
        return;
    }
    qCDebug(lcStream) << "stream" << id().toString(QUuid::WithoutBraces) << "tail sent," << padding
                      << "empty messages added; waiting for the hub to write" << m_unacknowledged
                      << "messages";
}

void Stream::onLocalError(const QString& error) {
    if (!isOpen())
        return;
    if (m_state == StreamState::Dialing) {
        qCWarning(lcStream).noquote() << "stream" << id().toString(QUuid::WithoutBraces)
                                      << "dial to" << m_target << "failed:" << error;
        finish(QStringLiteral("dial_failed"), false);
        return;
    }
    qCInfo(lcStream).noquote() << "stream" << id().toString(QUuid::WithoutBraces)
                               << "local error:" << error;
    finish(QStringLiteral("normal"), false);
}

void Stream::onHubDisconnect() {
    m_hubClosed = true;
    finish(QString(), true);
}

void Stream::shutdown() {
    finish(QStringLiteral("shutdown"), true);
}

void Stream::abandon() {
    if (m_state == StreamState::Closed)
        return;
    if (m_closeReason.isEmpty())
        m_closeReason = QStringLiteral("session_ended");
    const bool wasOpen = isOpen();
    m_state = StreamState::Closing;
    if (wasOpen)
        m_host->forgetStream(this);
    closeLocal(false);
}

void Stream::closeByUser() {
    finish(QStringLiteral("normal"), true, QStringLiteral("closed by user"));
}

void Stream::finish(const QString& reason, bool flushLocal, const QString& shownReason) {
    if (!isOpen())
        return;
    m_closeReason = !shownReason.isEmpty() ? shownReason
                    : reason.isEmpty()     ? QStringLiteral("closed_by_hub")
                                           : reason;
    if (!reason.isEmpty()) {
        // Any credit we still owe is moot once the stream ends; the disconnect follows our data.
        m_host->sendControl(protocol::makeDisconnect(id(), reason));
    }
    m_state = StreamState::Closing;
    m_writeTimer.stop();
    stopHealthCheck();
    m_early.clear();
    m_host->forgetStream(this);
    closeLocal(flushLocal);
}

void Stream::closeLocal(bool flush) {
    m_timer.stop();
    m_timer.disconnect(this);
    if (!m_local) {
        release();
        return;
    }
    m_local->disconnect(this);
    auto* socket = qobject_cast<QAbstractSocket*>(m_local);
    if (socket && flush && socket->state() == QAbstractSocket::ConnectedState &&
        socket->bytesToWrite() > 0) {
        // Write everything already accepted from the hub before closing (bounded).
        connect(socket, &QAbstractSocket::disconnected, this, &Stream::release);
        connect(socket, &QAbstractSocket::errorOccurred, this, &Stream::release);
        connect(&m_timer, &QTimer::timeout, this, [socket] { socket->abort(); });
        m_timer.start(m_params.flushTimeoutMs);
        socket->disconnectFromHost();
        return;
    }
    auto* localSocket = qobject_cast<QLocalSocket*>(m_local);
    if (localSocket && flush && localSocket->state() == QLocalSocket::ConnectedState &&
        localSocket->bytesToWrite() > 0) {
        // Likewise for a local socket (an outbound handle's socketpair end): close() would drop
        // what Qt still buffers for it.
        connect(localSocket, &QLocalSocket::disconnected, this, &Stream::release);
        connect(&m_timer, &QTimer::timeout, this, [this, localSocket] {
            localSocket->abort();
            release();
        });
        m_timer.start(m_params.flushTimeoutMs);
        localSocket->disconnectFromServer();
        return;
    }
    if (socket)
        socket->abort();
    else
        m_local->close();
    release();
}

void Stream::release() {
    if (m_state == StreamState::Closed)
        return;
    m_timer.stop();
    m_state = StreamState::Closed;
    m_host->markStreamDirty(this);
    Q_EMIT released();
}

StreamSnapshot Stream::snapshot(const QString& sessionId) const {
    StreamSnapshot s;
    fillCommonSnapshot(s, sessionId, m_params.request);
    s.isTls = m_params.request.isTls;
    s.kind = m_params.kind;
    s.dialSeconds = m_dialSeconds;
    return s;
}

} // namespace nexustray
