#include "websocket/WebSocketClient.h"

#include "websocket/ProxySettings.h"
#include "websocket/UpgradeResponse.h"

#include <QRandomGenerator>
#include <QScopedValueRollback>
#include <QSslSocket>
#include <QStringDecoder>
#include <QTcpSocket>

#include <cstring>
#include <utility>

namespace nexustray {

namespace {
constexpr qint64 kFlushAt = 256 * 1024;    // write at once beyond this, else at end of pass
constexpr int kDefaultHandshakeMs = 45000; // protocol.md §1.1, as the Go client
constexpr int kCloseWaitMs = 3000;         // for the hub's close frame / TCP close
// A pong waits while the socket holds more than this (it is not draining); then only the latest
// ping is answered. Below the session's high-water mark, so pongs are not starved by bulk data.
constexpr qint64 kPongHoldAt = 256 * 1024;

// The close frame body we send: code, then the reason cut to fit one control frame.
QByteArray closeBody(quint16 code, const QString& reason) {
    QByteArray body;
    body.append(char(code >> 8)).append(char(code & 0xFF)).append(ws::closeReasonBytes(reason));
    return body;
}
} // namespace

WebSocketClient::WebSocketClient(QObject* parent)
    : QObject(parent) {
    m_handshakeTimer.setSingleShot(true);
    m_handshakeTimer.setInterval(kDefaultHandshakeMs);
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        fail(QAbstractSocket::SocketTimeoutError, QStringLiteral("no WebSocket upgrade within %1 s")
                                                      .arg(m_handshakeTimer.interval() / 1000));
    });
    m_closeTimer.setSingleShot(true);
    m_closeTimer.setInterval(kCloseWaitMs);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        if (m_socket)
            m_socket->abort(); // the hub did not finish the close handshake
        finish();
    });
}

WebSocketClient::~WebSocketClient() {
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void WebSocketClient::open(const QUrl& url) {
    m_url = url;
    m_state = State::Connecting;
    const bool tls = url.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0;
    if (!tls && url.scheme().compare(QLatin1String("ws"), Qt::CaseInsensitive) != 0) {
        // Reported from the event loop, like every other failure to connect.
        QMetaObject::invokeMethod(
            this,
            [this] {
                fail(QAbstractSocket::UnsupportedSocketOperationError,
                     QStringLiteral("unsupported URL scheme \"%1\" (ws or wss)")
                         .arg(m_url.scheme()));
            },
            Qt::QueuedConnection);
        return;
    }
    if (tls) {
        auto* socket = new QSslSocket(this);
        if (m_ssl)
            socket->setSslConfiguration(*m_ssl);
        connect(socket, &QSslSocket::encrypted, this, &WebSocketClient::onTransportReady);
        connect(socket, &QSslSocket::sslErrors, this, &WebSocketClient::onSslErrors);
        // QSslSocket's bytesWritten fires when plaintext is encrypted, not when it is sent.
        connect(socket, &QSslSocket::encryptedBytesWritten, this,
                &WebSocketClient::onTransportProgress);
        m_socket = socket;
        m_tls = socket;
    } else {
        m_socket = new QTcpSocket(this);
        m_tls = nullptr;
        connect(m_socket, &QTcpSocket::bytesWritten, this, &WebSocketClient::onTransportProgress);
    }
    connect(m_socket, &QTcpSocket::connected, this, &WebSocketClient::onTcpConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &WebSocketClient::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &WebSocketClient::onSocketDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (m_state == State::Connecting || m_state == State::Upgrading) {
            fail(e, dialErrorText(e));
        } else if (m_error == QAbstractSocket::UnknownSocketError) {
            m_error = e; // disconnected() follows
            m_errorString = m_socket->errorString();
        }
    });
    m_socket->setProxy(m_proxy);
    m_handshakeTimer.start();
    const quint16 port = quint16(url.port(tls ? 443 : 80));
    if (tls)
        static_cast<QSslSocket*>(m_socket)->connectToHostEncrypted(url.host(), port);
    else
        m_socket->connectToHost(url.host(), port);
}

void WebSocketClient::onSslErrors(const QList<QSslError>& errors) {
    // Called during the handshake: ignoring here lets it go on (QSslSocket checks the list after
    // this signal). Only the exact errors Qt reported are waived, and only these kinds.
    if (m_addedRoots && m_tls && trust::AddedRoots::onlyMissingIssuer(errors)) {
        const QString name =
            m_tls->peerVerifyName().isEmpty() ? m_url.host() : m_tls->peerVerifyName();
        if (m_addedRoots->verify(m_tls->peerCertificateChain(), name)) {
            m_tls->ignoreSslErrors(errors);
            return;
        }
    }
    Q_EMIT sslErrors(errors);
}

void WebSocketClient::onTcpConnected() {
    // Small control messages (credits) must not wait for Nagle, nor the TLS handshake's last
    // flight; bulk data is coalesced by flush(). Qt 6.4 drops the option when it is set before
    // the socket is connected.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (!m_tls)
        onTransportReady(); // wss:// waits for encrypted()
}

void WebSocketClient::onTransportReady() {
    m_state = State::Upgrading;
    quint32 nonce[4];
    QRandomGenerator::system()->fillRange(nonce);
    m_key = QByteArray(reinterpret_cast<const char*>(nonce), sizeof nonce).toBase64();
    QByteArray host = m_url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']'; // IPv6 literal
    const bool tls = m_url.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0;
    if (m_url.port() != -1 && m_url.port() != (tls ? 443 : 80))
        host += ':' + QByteArray::number(m_url.port());
    QByteArray target = m_url.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (m_url.hasQuery())
        target += '?' + m_url.query(QUrl::FullyEncoded).toUtf8();
    // A plain RFC 6455 upgrade: no subprotocol, no extensions, no credentials (protocol.md §1.1).
    m_socket->write("GET " + target + " HTTP/1.1\r\nHost: " + host +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + m_key +
                    "\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

void WebSocketClient::onReadyRead() {
    if (m_state == State::Upgrading && !readUpgradeResponse())
        return;
    if (m_state == State::Open || m_state == State::Closing)
        readFrames();
}

bool WebSocketClient::readUpgradeResponse() {
    if (!m_socket)
        return false;
    const QByteArray received =
        m_socket->peek(qMin<qint64>(m_socket->bytesAvailable(), ws::kMaxUpgradeResponse));
    const ws::UpgradeResponse response = ws::readUpgradeResponse(received, m_key);
    switch (response.status) {
    case ws::UpgradeResponse::Status::Incomplete:
        return false;
    case ws::UpgradeResponse::Status::TooLarge:
        fail(QAbstractSocket::ProxyProtocolError, response.problem);
        return false;
    case ws::UpgradeResponse::Status::Refused:
        fail(QAbstractSocket::ConnectionRefusedError, response.problem);
        return false;
    case ws::UpgradeResponse::Status::Accepted:
        break;
    }
    m_socket->skip(response.consumed);
    m_handshakeTimer.stop();
    m_state = State::Open;
    Q_EMIT connected();
    return m_state == State::Open;
}

void WebSocketClient::readFrames() {
    char head[ws::kMaxFrameHeader];
    while (m_socket && (m_state == State::Open || m_state == State::Closing)) {
        const qint64 available = m_socket->bytesAvailable();
        if (available < 2)
            break;
        const qint64 peeked = m_socket->peek(head, qMin<qint64>(available, sizeof head));
        const std::optional<ws::FrameHeader> h = ws::parseFrameHeader(head, peeked);
        if (!h)
            break;
        const QString problem = frameProblem(*h);
        if (!problem.isEmpty()) {
            const bool tooBig = problem.startsWith(QLatin1String("incoming message larger"));
            failConnection(tooBig ? ws::TooBig : ws::ProtocolError, problem);
            return;
        }
        if (available < qint64(h->headerLength) + qint64(h->payloadLength))
            break; // wait for the whole frame
        m_socket->skip(h->headerLength);
        handleFrame(*h, m_socket->read(qint64(h->payloadLength)));
    }
}

QString WebSocketClient::frameProblem(const ws::FrameHeader& h) const {
    const bool control = h.opcode >= ws::Close;
    if (h.rsv)
        return QStringLiteral("reserved bits set");
    if (h.masked)
        return QStringLiteral("masked frame from the relay");
    if ((h.opcode > ws::Binary && h.opcode < ws::Close) || h.opcode > ws::Pong)
        return QStringLiteral("unknown opcode %1").arg(int(h.opcode));
    if (control)
        return h.fin && h.payloadLength <= 125 ? QString()
                                               : QStringLiteral("malformed control frame");
    const bool continuation = h.opcode == ws::Continuation;
    if (continuation && m_messageOpcode == ws::Continuation)
        return QStringLiteral("continuation frame without a message");
    if (!continuation && m_messageOpcode != ws::Continuation)
        return QStringLiteral("new message inside a fragmented one");
    if (h.payloadLength > quint64(m_maxMessage) ||
        quint64(m_message.size()) + h.payloadLength > quint64(m_maxMessage))
        return QStringLiteral("incoming message larger than %1 bytes").arg(m_maxMessage);
    return QString();
}

void WebSocketClient::handleFrame(const ws::FrameHeader& header, QByteArray payload) {
    if (header.opcode >= ws::Close) {
        handleControlFrame(header.opcode, payload);
        return;
    }
    if (header.opcode != ws::Continuation) {
        if (header.fin) {
            deliverMessage(header.opcode, std::move(payload));
            return;
        }
        m_messageOpcode = header.opcode;
        m_message = std::move(payload);
        return;
    }
    m_message += payload;
    if (header.fin) {
        const ws::Opcode opcode = std::exchange(m_messageOpcode, ws::Continuation);
        deliverMessage(opcode, std::exchange(m_message, QByteArray()));
    }
}

void WebSocketClient::deliverMessage(ws::Opcode opcode, QByteArray message) {
    if (m_state != State::Open)
        return; // after our close frame nothing more is delivered
    if (opcode == ws::Binary) {
        Q_EMIT binaryMessageReceived(message);
        return;
    }
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString text = utf8(message);
    if (utf8.hasError()) {
        failConnection(ws::InvalidData, QStringLiteral("text message is not valid UTF-8"));
        return;
    }
    Q_EMIT textMessageReceived(text);
}

void WebSocketClient::handleControlFrame(ws::Opcode opcode, const QByteArray& payload) {
    switch (opcode) {
    case ws::Ping:
        if (m_closeSent || m_state != State::Open)
            return;
        m_pongPending = true; // replaces an older unanswered ping's pong
        m_pongPayload = payload;
        scheduleFlush();
        return;
    case ws::Pong:
        Q_EMIT pong(payload);
        return;
    case ws::Close: {
        if (payload.size() == 1) {
            failConnection(ws::ProtocolError, QStringLiteral("close frame with a 1-byte body"));
            return;
        }
        quint16 code = ws::NoStatus;
        QString reason;
        if (payload.size() >= 2) {
            code = quint16(quint8(payload[0]) << 8 | quint8(payload[1]));
            if (!ws::isValidCloseCode(code)) {
                failConnection(ws::ProtocolError,
                               QStringLiteral("invalid close code %1 from the relay").arg(code));
                return;
            }
            QStringDecoder utf8(QStringDecoder::Utf8);
            reason = utf8(payload.mid(2));
            if (utf8.hasError()) {
                failConnection(ws::InvalidData,
                               QStringLiteral("close reason from the relay is not valid UTF-8"));
                return;
            }
        }
        m_closeCode = code;
        m_closeReason = reason;
        if (!m_closeSent) {
            // Echo the code (RFC 6455 §5.5.1), then the hub closes the TCP connection.
            const char body[2] = {char(code >> 8), char(code & 0xFF)};
            queueFrame(ws::Close, body, code == ws::NoStatus ? 0 : 2);
            m_closeSent = true;
        }
        m_state = State::Closing;
        flush();
        if (m_socket)
            m_socket->disconnectFromHost(); // after the write buffer has drained
        m_closeTimer.start();
        return;
    }
    default:
        return;
    }
}

void WebSocketClient::failConnection(quint16 code, const QString& why) {
    // RFC 6455 §7.1.7: send a close frame with the reason, then drop the connection.
    if (m_error == QAbstractSocket::UnknownSocketError) {
        m_error = QAbstractSocket::RemoteHostClosedError;
        m_errorString = QStringLiteral("WebSocket protocol error from the relay: %1").arg(why);
    }
    if (!m_closeSent && m_socket) {
        const QByteArray body = closeBody(code, why);
        queueFrame(ws::Close, body.constData(), body.size());
        m_closeSent = true;
    }
    m_closeCode = code;
    m_closeReason = why;
    m_state = State::Closing;
    flush();
    if (m_socket)
        m_socket->disconnectFromHost();
    m_closeTimer.start();
}

void WebSocketClient::fail(QAbstractSocket::SocketError error, const QString& why) {
    if (m_state == State::Closed)
        return;
    m_error = error;
    m_errorString = why;
    m_handshakeTimer.stop();
    Q_EMIT errorOccurred(error);
    if (m_socket)
        m_socket->abort();
    finish();
}

QString WebSocketClient::dialErrorText(QAbstractSocket::SocketError error) const {
    const QString socketText = m_socket ? m_socket->errorString() : QString();
    if (m_proxy.type() != QNetworkProxy::HttpProxy || m_state != State::Connecting)
        return socketText;
    const QString who = QStringLiteral("proxy ") + proxy::describe(m_proxy);
    switch (error) {
    case QAbstractSocket::ProxyConnectionRefusedError:
        return who + QStringLiteral(" refused the connection");
    case QAbstractSocket::ProxyConnectionClosedError:
        return who + QStringLiteral(" closed the connection unexpectedly");
    case QAbstractSocket::ProxyConnectionTimeoutError:
        return who + QStringLiteral(" did not answer in time");
    case QAbstractSocket::ProxyNotFoundError:
        return who + QStringLiteral(" not found (its name does not resolve)");
    case QAbstractSocket::ProxyAuthenticationRequiredError:
        return m_proxy.user().isEmpty() ? who + QStringLiteral(" requires authentication (407)")
                                        : who + QStringLiteral(" rejected the credentials (407)");
    case QAbstractSocket::ProxyProtocolError:
        return who + QStringLiteral(" answered garbage (%1)").arg(socketText);
    // Qt's names for a CONNECT answered 403/405, 404 and 503.
    case QAbstractSocket::SocketAccessError:
        return who + QStringLiteral(" denied the tunnel to %1").arg(m_url.host());
    case QAbstractSocket::HostNotFoundError:
        return who + QStringLiteral(" could not resolve %1").arg(m_url.host());
    case QAbstractSocket::ConnectionRefusedError:
        return who + QStringLiteral(" could not connect to the relay (%1)").arg(socketText);
    default:
        return QStringLiteral("via %1: %2").arg(who, socketText);
    }
}

void WebSocketClient::sendTextMessage(const QString& text) {
    const QByteArray utf8 = text.toUtf8();
    queueFrame(ws::Text, utf8.constData(), utf8.size());
}

void WebSocketClient::sendBinaryMessage(const char* data, qsizetype size) {
    queueFrame(ws::Binary, data, size);
}

void WebSocketClient::ping(const QByteArray& payload) {
    queueFrame(ws::Ping, payload.constData(), qMin<qsizetype>(payload.size(), 125));
}

void WebSocketClient::close(quint16 code, const QString& reason) {
    if (m_state == State::Connecting || m_state == State::Upgrading) {
        abort();
        return;
    }
    if (m_state != State::Open)
        return;
    const QByteArray body = closeBody(code, reason);
    queueFrame(ws::Close, body.constData(), body.size());
    m_closeSent = true;
    m_state = State::Closing;
    flush();
    m_closeTimer.start(); // the hub answers with its close frame, then ends the TCP connection
}

void WebSocketClient::abort() {
    m_handshakeTimer.stop();
    if (m_socket && m_socket->state() != QAbstractSocket::UnconnectedState) {
        m_socket->abort(); // emits disconnected() when it was connected
        if (m_state == State::Closed)
            return;
    }
    finish();
}

void WebSocketClient::queueFrame(ws::Opcode opcode, const char* data, qsizetype size) {
    if (!m_socket || m_closeSent)
        return;
    if (m_state != State::Open && !(m_state == State::Closing && opcode >= ws::Close))
        return;
    ws::appendMaskedFrame(m_out, opcode, data, size, nextMaskKey());
    if (m_out.size() >= kFlushAt)
        flush();
    else
        scheduleFlush();
}

void WebSocketClient::scheduleFlush() {
    // A posted call, even when MuxLink::flush() will have written everything before it runs: a
    // zero-interval timer that flush() cancels saved the wake-up write but not the client's CPU
    // per request (docs/PERFORMANCE.md, "The end-of-pass flush").
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_flushScheduled = false;
            flush();
        },
        Qt::QueuedConnection);
}

bool WebSocketClient::flush() {
    if (!m_socket)
        return false;
    bool wrote = false;
    if (m_pongPending && !m_closeSent && transportBytesToWrite() < kPongHoldAt) {
        // Ahead of the data queued in this pass: a control frame may go between any two frames.
        m_pongPending = false;
        QByteArray frame;
        ws::appendMaskedFrame(frame, ws::Pong, m_pongPayload.constData(), m_pongPayload.size(),
                              nextMaskKey());
        m_pongPayload.clear();
        m_socket->write(frame);
        wrote = true;
    }
    if (!m_out.isEmpty()) {
        // One block for everything queued in this pass; QIODevice keeps the array without
        // copying.
        m_socket->write(std::exchange(m_out, QByteArray()));
        wrote = true;
    }
    if (m_closeSent) {
        m_pongPending = false; // nothing may follow our close frame
        m_pongPayload.clear();
    }
    if (wrote && !m_flushingSocket) {
        // To the kernel now, not on a later pass of the event loop (QSslSocket encrypts on a
        // queued call, QTcpSocket writes on its write notifier): each such pass was a poll and
        // a wake-up more on the relay's path (issue 10). The socket reports its progress from
        // inside this call; onTransportProgress passes it on from the event loop instead, so no
        // sender is re-entered while it is sending.
        const QScopedValueRollback<bool> flushing(m_flushingSocket, true);
        m_socket->flush();
    }
    return wrote;
}

void WebSocketClient::onTransportProgress(qint64 bytes) {
    if (m_flushingSocket) {
        // One report for everything written during the flush; it is posted when the first bytes
        // are held.
        const bool firstHeld = m_heldProgress == 0;
        m_heldProgress += bytes;
        if (firstHeld) {
            QMetaObject::invokeMethod(
                this,
                [this] {
                    if (const qint64 held = std::exchange(m_heldProgress, 0); held > 0)
                        onTransportProgress(held);
                },
                Qt::QueuedConnection);
        }
        return;
    }
    if (m_pongPending)
        flush();
    Q_EMIT bytesWritten(bytes);
}

qint64 WebSocketClient::transportBytesToWrite() const {
    if (!m_socket)
        return 0;
    return m_socket->bytesToWrite() + (m_tls ? m_tls->encryptedBytesToWrite() : 0);
}

QHostAddress WebSocketClient::peerAddress() const {
    return m_socket ? m_socket->peerAddress() : QHostAddress();
}

quint16 WebSocketClient::peerPort() const {
    return m_socket ? m_socket->peerPort() : 0;
}

qint64 WebSocketClient::bytesToWrite() const {
    return m_out.size() + transportBytesToWrite();
}

quint32 WebSocketClient::nextMaskKey() {
    if (m_maskKeyIndex == m_maskKeys.size()) {
        QRandomGenerator::system()->fillRange(m_maskKeys.data(), qsizetype(m_maskKeys.size()));
        m_maskKeyIndex = 0;
    }
    return m_maskKeys[m_maskKeyIndex++];
}

void WebSocketClient::onSocketDisconnected() {
    if (m_socket && m_socket->bytesAvailable() > 0 &&
        (m_state == State::Open || m_state == State::Closing))
        readFrames(); // a close frame may have arrived together with the FIN
    finish();
}

void WebSocketClient::finish() {
    m_state = State::Closed;
    m_handshakeTimer.stop();
    m_closeTimer.stop();
    m_out.clear();
    m_pongPending = false;
    m_pongPayload.clear();
    if (m_disconnectedEmitted)
        return;
    m_disconnectedEmitted = true;
    Q_EMIT disconnected();
}

} // namespace nexustray
