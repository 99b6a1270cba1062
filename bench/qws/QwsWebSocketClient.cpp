#include "websocket/WebSocketClient.h" // the bench's QWebSocket stand-in (bench/qws/websocket/)

namespace nexustray {

QwsWebSocketClient::QwsWebSocketClient(QObject* parent)
    : QObject(parent)
    , m_ws(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this)) {
    connect(m_ws, &QWebSocket::connected, this, &QwsWebSocketClient::connected);
    connect(m_ws, &QWebSocket::disconnected, this, &QwsWebSocketClient::disconnected);
    connect(m_ws, &QWebSocket::textMessageReceived, this, &QwsWebSocketClient::textMessageReceived);
    connect(m_ws, &QWebSocket::binaryMessageReceived, this,
            &QwsWebSocketClient::binaryMessageReceived);
    connect(m_ws, &QWebSocket::pong, this,
            [this](quint64, const QByteArray& payload) { Q_EMIT pong(payload); });
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    connect(m_ws, &QWebSocket::errorOccurred, this, &QwsWebSocketClient::errorOccurred);
#else
    connect(m_ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            &QwsWebSocketClient::errorOccurred);
#endif
    connect(m_ws, &QWebSocket::sslErrors, this, &QwsWebSocketClient::onSslErrors);
    connect(m_ws, &QWebSocket::bytesWritten, this, &QwsWebSocketClient::bytesWritten);
}

QwsWebSocketClient::~QwsWebSocketClient() = default;

void QwsWebSocketClient::onSslErrors(const QList<QSslError>& errors) {
    if (m_addedRoots && trust::AddedRoots::onlyMissingIssuer(errors) &&
        m_addedRoots->verify(m_ws->sslConfiguration().peerCertificateChain(),
                             m_ws->requestUrl().host())) {
        m_ws->ignoreSslErrors(errors);
        return;
    }
    Q_EMIT sslErrors(errors);
}

} // namespace nexustray
