// The client end of one WebSocket to a relay (RFC 6455), written for the relay's data path.
//
// Why not QWebSocket: in Qt 6.4 every outgoing message is copied, masked one byte at a time and
// written as two socket blocks (header, payload) — the largest user-space cost of relaying
// (docs/PERFORMANCE.md). Here a message is masked a word at a time straight into one output
// buffer, and all frames produced in one event-loop pass leave in one write. The interface
// follows QWebSocket's, so the session reads the same either way.
//
// Scope: what protocol.md §1 needs. ws:// and wss:// (QSslSocket, the caller's
// QSslConfiguration), the application proxy like every QAbstractSocket, no extensions, no
// subprotocols, messages sent unfragmented, fragmented incoming messages reassembled, pings
// answered, the close handshake in both directions.
#pragma once

#include <QAbstractSocket>
#include <QByteArray>
#include <QObject>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>
#include <QUrl>

#include <optional>

#include "websocket/WebSocketFraming.h"

class QTcpSocket;

namespace nexustray {

class WebSocketClient : public QObject {
    Q_OBJECT
public:
    explicit WebSocketClient(QObject* parent = nullptr);
    ~WebSocketClient() override;

    // Settings; call before open().
    void setSslConfiguration(const QSslConfiguration& configuration) { m_ssl = configuration; }
    void setMaxAllowedIncomingMessageSize(qint64 bytes) { m_maxMessage = bytes; }
    void setHandshakeTimeout(int ms) { m_handshakeTimer.setInterval(ms); }

    void open(const QUrl& url);

    // Messages are queued and leave together at the end of the current event-loop pass.
    void sendTextMessage(const QString& text);
    void sendBinaryMessage(const QByteArray& message) {
        sendBinaryMessage(message.constData(), message.size());
    }
    void sendBinaryMessage(const char* data, qsizetype size);
    void ping(const QByteArray& payload = QByteArray());
    // Starts the close handshake; disconnected() follows when the hub has answered (or not).
    void close(quint16 code = ws::Normal, const QString& reason = QString());
    // Drops the connection at once; disconnected() follows if it was connected.
    void abort();

    qint64 bytesToWrite() const;
    quint16 closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    QAbstractSocket::SocketError error() const { return m_error; }
    QString errorString() const { return m_errorString; }

Q_SIGNALS:
    void connected();
    void disconnected();
    void textMessageReceived(const QString& text);
    void binaryMessageReceived(const QByteArray& message);
    void pong(const QByteArray& payload);
    void errorOccurred(QAbstractSocket::SocketError error);
    void sslErrors(const QList<QSslError>& errors);
    void bytesWritten(qint64 bytes);

private:
    enum class State { Idle, Connecting, Upgrading, Open, Closing, Closed };

    void onTransportReady();
    void onReadyRead();
    bool readUpgradeResponse();
    void readFrames();
    // Why a frame header breaks RFC 6455 or our limits; empty when it is fine.
    QString frameProblem(const ws::FrameHeader& header) const;
    void handleFrame(const ws::FrameHeader& header, QByteArray payload);
    void handleControlFrame(ws::Opcode opcode, const QByteArray& payload);
    void deliverMessage(ws::Opcode opcode, QByteArray message);
    void failConnection(quint16 code, const QString& why);
    void fail(QAbstractSocket::SocketError error, const QString& why);
    void queueFrame(ws::Opcode opcode, const char* data, qsizetype size);
    void flush();
    void onSocketDisconnected();
    void finish();

    QTcpSocket* m_socket = nullptr;
    // optional: constructing a QSslConfiguration loads the TLS backend (~4 MB), which ws:// never
    // needs
    std::optional<QSslConfiguration> m_ssl;
    QUrl m_url;
    State m_state = State::Idle;
    qint64 m_maxMessage = 1024 * 1024;
    QByteArray m_key;        // Sec-WebSocket-Key we sent
    QByteArray m_statusLine; // of the upgrade response
    bool m_sawStatusLine = false;
    QList<QPair<QByteArray, QByteArray>> m_responseHeaders;
    qint64 m_responseBytes = 0;

    QByteArray m_out; // frames not yet handed to the socket
    bool m_flushScheduled = false;

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
    QRandomGenerator m_rng;
};

} // namespace nexustray
