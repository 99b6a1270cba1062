#include "websocket/WebSocketClient.h"

#include <QCryptographicHash>
#include <QSslSocket>
#include <QStringDecoder>
#include <QTcpSocket>

#include <cstring>
#include <utility>

namespace nexustray {

namespace {
constexpr qint64 kFlushAt = 256 * 1024;       // write at once beyond this, else at end of pass
constexpr qint64 kMaxUpgradeResponse = 16384; // status line + headers
constexpr int kDefaultHandshakeMs = 45000;    // protocol.md §1.1, as the Go client
constexpr int kCloseWaitMs = 3000;            // for the hub's close frame / TCP close
const char kAcceptGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool headerHasToken(const QByteArray& value, const char* token) {
    for (const QByteArray& part : value.split(','))
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}
} // namespace

WebSocketClient::WebSocketClient(QObject* parent)
    : QObject(parent)
    , m_rng(QRandomGenerator::system()->generate()) {
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
        connect(socket, &QSslSocket::sslErrors, this, &WebSocketClient::sslErrors);
        m_socket = socket;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &WebSocketClient::onTransportReady);
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &WebSocketClient::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &WebSocketClient::onSocketDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &WebSocketClient::bytesWritten);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (m_state == State::Connecting || m_state == State::Upgrading) {
            fail(e, m_socket->errorString());
        } else if (m_error == QAbstractSocket::UnknownSocketError) {
            m_error = e; // disconnected() follows
            m_errorString = m_socket->errorString();
        }
    });
    m_handshakeTimer.start();
    const quint16 port = quint16(url.port(tls ? 443 : 80));
    if (tls)
        static_cast<QSslSocket*>(m_socket)->connectToHostEncrypted(url.host(), port);
    else
        m_socket->connectToHost(url.host(), port);
}

void WebSocketClient::onTransportReady() {
    m_state = State::Upgrading;
    // Small control messages (credits) must not wait for Nagle; bulk data is coalesced by flush().
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    QByteArray nonce(16, Qt::Uninitialized);
    for (char& c : nonce)
        c = char(m_rng.bounded(256));
    m_key = nonce.toBase64();
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
    while (m_socket && m_socket->canReadLine()) {
        const QByteArray line = m_socket->readLine(kMaxUpgradeResponse);
        m_responseBytes += line.size();
        if (m_responseBytes > kMaxUpgradeResponse) {
            fail(QAbstractSocket::ProxyProtocolError,
                 QStringLiteral("WebSocket upgrade response is too large"));
            return false;
        }
        const QByteArray text = line.trimmed();
        if (!m_sawStatusLine) {
            m_sawStatusLine = true;
            m_statusLine = text;
            continue;
        }
        if (!text.isEmpty()) {
            const qsizetype colon = text.indexOf(':');
            if (colon > 0)
                m_responseHeaders.append(
                    {text.left(colon).trimmed().toLower(), text.mid(colon + 1).trimmed()});
            continue;
        }
        // End of the header block: anything after it is already WebSocket frames.
        const auto header = [this](const char* name) {
            for (const auto& [key, value] : std::as_const(m_responseHeaders))
                if (key == name)
                    return value;
            return QByteArray();
        };
        const QList<QByteArray> status = m_statusLine.split(' ');
        QString problem;
        if (status.size() < 2 || !status.at(0).startsWith("HTTP/1.") || status.at(1) != "101")
            problem = QStringLiteral("relay refused the WebSocket upgrade: %1")
                          .arg(QString::fromLatin1(m_statusLine.left(200)));
        else if (header("upgrade").compare("websocket", Qt::CaseInsensitive) != 0 ||
                 !headerHasToken(header("connection"), "upgrade"))
            problem = QStringLiteral("relay answered 101 without a WebSocket upgrade");
        else if (header("sec-websocket-accept") !=
                 QCryptographicHash::hash(m_key + kAcceptGuid, QCryptographicHash::Sha1).toBase64())
            problem = QStringLiteral("relay sent a wrong Sec-WebSocket-Accept");
        else if (!header("sec-websocket-extensions").isEmpty() ||
                 !header("sec-websocket-protocol").isEmpty())
            problem = QStringLiteral("relay chose an extension or subprotocol we did not offer");
        if (!problem.isEmpty()) {
            fail(QAbstractSocket::ConnectionRefusedError, problem);
            return false;
        }
        m_responseHeaders.clear();
        m_handshakeTimer.stop();
        m_state = State::Open;
        Q_EMIT connected();
        return m_state == State::Open;
    }
    if (m_socket && m_socket->bytesAvailable() > kMaxUpgradeResponse) {
        fail(QAbstractSocket::ProxyProtocolError,
             QStringLiteral("WebSocket upgrade response is too large"));
        return false;
    }
    return false;
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
        if (!m_closeSent)
            queueFrame(ws::Pong, payload.constData(), payload.size());
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
            QStringDecoder utf8(QStringDecoder::Utf8);
            reason = utf8(payload.mid(2));
            if (utf8.hasError())
                reason = QString::fromLatin1(payload.mid(2).toPercentEncoding());
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
        QByteArray body;
        body.append(char(code >> 8)).append(char(code & 0xFF)).append(why.toUtf8().left(123));
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
    QByteArray body;
    body.append(char(code >> 8)).append(char(code & 0xFF)).append(reason.toUtf8().left(123));
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
    ws::appendMaskedFrame(m_out, opcode, data, size, m_rng.generate());
    if (m_out.size() >= kFlushAt) {
        flush();
    } else if (!m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_flushScheduled = false;
                flush();
            },
            Qt::QueuedConnection);
    }
}

void WebSocketClient::flush() {
    if (m_out.isEmpty() || !m_socket)
        return;
    // One block for everything queued in this pass; QIODevice keeps the array without copying.
    m_socket->write(std::exchange(m_out, QByteArray()));
}

qint64 WebSocketClient::bytesToWrite() const {
    return m_out.size() + (m_socket ? m_socket->bytesToWrite() : 0);
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
    if (m_disconnectedEmitted)
        return;
    m_disconnectedEmitted = true;
    Q_EMIT disconnected();
}

} // namespace nexustray
