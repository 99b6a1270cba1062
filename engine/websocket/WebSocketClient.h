// The client end of one WebSocket to a relay (RFC 6455), written for the relay's data path.
//
// Why not QWebSocket: in Qt 6.4 every outgoing message is copied, masked one byte at a time and
// written as two socket blocks (header, payload) — the largest user-space cost of relaying
// (docs/PERFORMANCE.md). Here a message is masked a word at a time straight into one output
// buffer, and all frames produced in one event-loop pass leave in one write. The interface
// follows QWebSocket's, so the session reads the same either way.
//
// Scope: what protocol.md §1 needs. ws:// and wss:// (QSslSocket, the caller's
// QSslConfiguration), an HTTP CONNECT proxy when the caller sets one (setProxy; none by default, so
// Qt's application proxy never applies), no extensions, no subprotocols, messages sent
// unfragmented, fragmented incoming messages reassembled, pings answered, the close handshake in
// both directions.
//
// Back-pressure: bytesToWrite() counts everything not yet taken by the network — queued frames,
// the socket's buffer and, for wss://, the ciphertext QSslSocket holds (it encrypts all of a
// write at once, so its plaintext count alone is near zero). bytesWritten() reports network
// progress (ciphertext for wss://), so a sender waiting for the buffer to drain wakes up when it
// really did.
#pragma once

#include <QAbstractSocket>
#include <QByteArray>
#include <QHostAddress>
#include <QNetworkProxy>
#include <QObject>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>
#include <QUrl>

#include <array>
#include <memory>
#include <optional>

#include "websocket/AddedRoots.h"
#include "websocket/WebSocketFraming.h"

class QSslSocket;
class QTcpSocket;

namespace nexustray {

class WebSocketClient : public QObject {
    Q_OBJECT
public:
    explicit WebSocketClient(QObject* parent = nullptr);
    ~WebSocketClient() override;

    // Settings; call before open().
    void setSslConfiguration(const QSslConfiguration& configuration) { m_ssl = configuration; }
    // Roots trusted beyond the configuration's (trust::AddedRoots): a chain Qt refuses only for
    // want of an issuer is accepted when it verifies against them; sslErrors() is then not
    // emitted.
    void setAddedRoots(std::shared_ptr<const trust::AddedRoots> roots) {
        m_addedRoots = std::move(roots);
    }
    void setMaxAllowedIncomingMessageSize(qint64 bytes) { m_maxMessage = bytes; }
    void setHandshakeTimeout(int ms) { m_handshakeTimer.setInterval(ms); }
    // An HttpProxy tunnels the dial with CONNECT host:port (the proxy resolves the relay's name);
    // NoProxy (the default) dials directly.
    void setProxy(const QNetworkProxy& proxy) { m_proxy = proxy; }
    QNetworkProxy proxy() const { return m_proxy; }

    void open(const QUrl& url);

    // Messages are queued and leave together at the end of the current event-loop pass.
    void sendTextMessage(const QString& text);
    void sendBinaryMessage(const QByteArray& message) {
        sendBinaryMessage(message.constData(), message.size());
    }
    void sendBinaryMessage(const char* data, qsizetype size);
    void ping(const QByteArray& payload = QByteArray());
    // Writes what is queued now instead of at the end of the pass, through to the kernel (a
    // sender that has finished a batch: the stream multiplexer after each send pass). False when
    // nothing was queued.
    bool flush();
    // Starts the close handshake; disconnected() follows when the hub has answered (or not).
    void close(quint16 code = ws::Normal, const QString& reason = QString());
    // Drops the connection at once; disconnected() follows if it was connected.
    void abort();

    qint64 bytesToWrite() const;
    quint16 closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    QAbstractSocket::SocketError error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    // The socket's peer, as QWebSocket reports it (null before the dial). Through a proxy this is
    // the proxy's address, not the relay's.
    QHostAddress peerAddress() const;
    quint16 peerPort() const;

Q_SIGNALS:
    void connected();
    void disconnected();
    void textMessageReceived(const QString& text);
    void binaryMessageReceived(const QByteArray& message);
    void pong(const QByteArray& payload);
    void errorOccurred(QAbstractSocket::SocketError error);
    void sslErrors(const QList<QSslError>& errors);
    // The network took `bytes` (for wss://: bytes of ciphertext).
    void bytesWritten(qint64 bytes);

private:
    enum class State { Idle, Connecting, Upgrading, Open, Closing, Closed };

    void onTcpConnected();
    void onSslErrors(const QList<QSslError>& errors);
    void onTransportReady();
    void onReadyRead();
    bool readUpgradeResponse();
    void onTransportProgress(qint64 bytes);
    void readFrames();
    // Why a frame header breaks RFC 6455 or our limits; empty when it is fine.
    QString frameProblem(const ws::FrameHeader& header) const;
    void handleFrame(const ws::FrameHeader& header, QByteArray payload);
    void handleControlFrame(ws::Opcode opcode, const QByteArray& payload);
    void deliverMessage(ws::Opcode opcode, QByteArray message);
    void failConnection(quint16 code, const QString& why);
    void fail(QAbstractSocket::SocketError error, const QString& why);
    // The socket's dial error in words, naming the proxy when there is one.
    QString dialErrorText(QAbstractSocket::SocketError error) const;
    void queueFrame(ws::Opcode opcode, const char* data, qsizetype size);
    void scheduleFlush();
    // Bytes the socket holds: plaintext not yet encrypted plus, for wss://, ciphertext.
    qint64 transportBytesToWrite() const;
    quint32 nextMaskKey();
    void onSocketDisconnected();
    void finish();

    QTcpSocket* m_socket = nullptr;
    // optional: constructing a QSslConfiguration loads the TLS backend (~4 MB), which ws:// never
    // needs
    std::optional<QSslConfiguration> m_ssl;
    std::shared_ptr<const trust::AddedRoots> m_addedRoots;
    QNetworkProxy m_proxy{QNetworkProxy::NoProxy};
    QUrl m_url;
    State m_state = State::Idle;
    qint64 m_maxMessage = 1024 * 1024;
    QSslSocket* m_tls = nullptr; // m_socket, when it is wss://
    QByteArray m_key;            // Sec-WebSocket-Key we sent

    QByteArray m_out;              // frames not yet handed to the socket
    bool m_flushScheduled = false; // the end-of-pass flush is posted (scheduleFlush)
    bool m_flushingSocket = false; // inside m_socket->flush(): its progress is passed on later
    qint64 m_heldProgress = 0;     // written during that flush, not yet reported
    // Only the latest ping is answered while the socket is not draining (RFC 6455 §5.5.3), so a
    // ping flood cannot grow the write buffer.
    bool m_pongPending = false;
    QByteArray m_pongPayload;

    ws::Opcode m_messageOpcode = ws::Continuation; // of a fragmented message in progress
    QByteArray m_message;

    bool m_closeSent = false;
    quint16 m_closeCode = ws::Abnormal;
    QString m_closeReason;
    QAbstractSocket::SocketError m_error = QAbstractSocket::UnknownSocketError;
    QString m_errorString;
    bool m_disconnectedEmitted = false;

    QTimer m_handshakeTimer{this};
    QTimer m_closeTimer{this};
    // Masking keys from the system CSPRNG (RFC 6455 §5.3: unpredictable), fetched in batches.
    std::array<quint32, 256> m_maskKeys{};
    std::size_t m_maskKeyIndex = 256;
};

} // namespace nexustray
