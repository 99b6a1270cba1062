// Bench-only stand-in for engine/websocket/WebSocketClient.h: the same interface, implemented with
// QWebSocket. nexus-bench-qws-client compiles the engine's unchanged Session.cpp against this
// header (this directory comes first on its include path, and -DWebSocketClient=QwsWebSocketClient
// renames the class inside that one translation unit), so the benchmark can measure the real
// engine with QWebSocket underneath, next to the own client. Never part of the engine or the app.
//
// What QWebSocket (Qt 6.4) does with a message is what the own client was written to avoid: copy
// it (tmpData.detach()), mask it a byte at a time, write header and payload as two blocks.
#pragma once

#include <QAbstractSocket>
#include <QByteArray>
#include <QHostAddress>
#include <QNetworkProxy>
#include <QObject>
#include <QSslConfiguration>
#include <QSslError>
#include <QUrl>
#include <QWebSocket>

#include <memory>

#include "websocket/AddedRoots.h"
#include "websocket/WebSocketFraming.h"

namespace nexustray {

class QwsWebSocketClient : public QObject {
    Q_OBJECT
public:
    explicit QwsWebSocketClient(QObject* parent = nullptr);
    ~QwsWebSocketClient() override;

    void setSslConfiguration(const QSslConfiguration& configuration) {
        m_ws->setSslConfiguration(configuration);
    }
    // Same rule as the own client (websocket/AddedRoots.h), applied in onSslErrors().
    void setAddedRoots(std::shared_ptr<const trust::AddedRoots> roots) {
        m_addedRoots = std::move(roots);
    }
    void setMaxAllowedIncomingMessageSize(qint64 bytes) {
        m_ws->setMaxAllowedIncomingMessageSize(quint64(bytes));
    }
    void setHandshakeTimeout(int) {} // QWebSocket 6.4 has its own, fixed one
    void setProxy(const QNetworkProxy& proxy) { m_ws->setProxy(proxy); }
    QNetworkProxy proxy() const { return m_ws->proxy(); }

    void open(const QUrl& url) { m_ws->open(url); }
    void sendTextMessage(const QString& text) { m_ws->sendTextMessage(text); }
    // QWebSocket copies the message before it returns, as the engine's buffer reuse expects.
    void sendBinaryMessage(const QByteArray& message) { m_ws->sendBinaryMessage(message); }
    void sendBinaryMessage(const char* data, qsizetype size) {
        m_ws->sendBinaryMessage(QByteArray::fromRawData(data, size));
    }
    void ping(const QByteArray& payload = QByteArray()) { m_ws->ping(payload); }
    bool flush() { return m_ws->flush(); }
    void close(quint16 code = ws::Normal, const QString& reason = QString()) {
        m_ws->close(QWebSocketProtocol::CloseCode(code), reason);
    }
    void abort() { m_ws->abort(); }

    qint64 bytesToWrite() const { return m_ws->bytesToWrite(); }
    quint16 closeCode() const { return quint16(m_ws->closeCode()); }
    QString closeReason() const { return m_ws->closeReason(); }
    QAbstractSocket::SocketError error() const { return m_ws->error(); }
    QString errorString() const { return m_ws->errorString(); }
    QHostAddress peerAddress() const { return m_ws->peerAddress(); }
    quint16 peerPort() const { return m_ws->peerPort(); }

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
    void onSslErrors(const QList<QSslError>& errors);

    QWebSocket* m_ws;
    std::shared_ptr<const trust::AddedRoots> m_addedRoots;
};

} // namespace nexustray
