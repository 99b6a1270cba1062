#include "ConnectProxy.h"

#include <QNetworkProxy>
#include <QTcpSocket>

namespace nexustray::test {

namespace {
constexpr qsizetype kMaxRequest = 16 * 1024;

// Pipes bytes from one socket to the other and closes the pair when either side ends.
void splice(QTcpSocket* a, QTcpSocket* b) {
    QObject::connect(a, &QTcpSocket::readyRead, b, [a, b] { b->write(a->readAll()); });
    QObject::connect(a, &QTcpSocket::disconnected, b, [b] { b->disconnectFromHost(); });
}
} // namespace

ConnectProxy::ConnectProxy(QObject* parent)
    : QObject(parent) {
    connect(&m_server, &QTcpServer::newConnection, this, &ConnectProxy::onNewConnection);
}

bool ConnectProxy::listen() {
    return m_server.listen(QHostAddress::LocalHost);
}

QString ConnectProxy::url() const {
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

void ConnectProxy::onNewConnection() {
    while (QTcpSocket* client = m_server.nextPendingConnection()) {
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        connect(client, &QTcpSocket::readyRead, this, [this, client] { onClientData(client); });
    }
}

void ConnectProxy::onClientData(QTcpSocket* client) {
    const QByteArray head = client->peek(kMaxRequest);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0)
        return; // the request is not complete yet
    client->skip(end + 4);
    disconnect(client, &QTcpSocket::readyRead, this, nullptr);
    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> request = lines.value(0).trimmed().split(' ');
    if (request.size() != 3 || request[0] != "CONNECT") {
        client->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        client->disconnectFromHost();
        return;
    }
    ++m_connects;
    const QString target = QString::fromLatin1(request[1]);
    m_targets << target;
    auto refuse = [client](const QByteArray& answer) {
        client->write(answer);
        client->disconnectFromHost();
    };
    QByteArray authorization;
    for (const QByteArray& line : lines) {
        if (line.toLower().startsWith("proxy-authorization:"))
            authorization = line.mid(line.indexOf(':') + 1).trimmed();
    }
    const bool authorized =
        m_credentials.isEmpty() || authorization == "Basic " + m_credentials.toBase64();
    if (m_mode == Mode::Garbage) {
        refuse("SSH-2.0-not-a-proxy\r\n\r\n");
        return;
    }
    if (m_mode == Mode::Deny) {
        refuse("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    if (m_mode == Mode::AlwaysAuth || !authorized) {
        // Closes after the challenge, as it says; the client asks again on a new connection.
        refuse("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
               "realm=\"test\"\r\nProxy-Connection: close\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    const qsizetype colon = target.lastIndexOf(QLatin1Char(':'));
    QString host = target.left(colon);
    if (host.startsWith(QLatin1Char('[')))
        host = host.mid(1, host.size() - 2);
    const quint16 port = quint16(target.mid(colon + 1).toUInt());
    auto* upstream = new QTcpSocket(client);
    upstream->setProxy(QNetworkProxy::NoProxy);
    connect(upstream, &QTcpSocket::connected, this, [this, client, upstream, target] {
        ++m_tunnels;
        client->write("HTTP/1.1 200 Connection established\r\n\r\n");
        splice(client, upstream);
        splice(upstream, client);
        if (client->bytesAvailable() > 0)
            upstream->write(client->readAll());
        Q_EMIT tunnelOpened(target);
    });
    connect(upstream, &QTcpSocket::errorOccurred, client, [client] {
        client->write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        client->disconnectFromHost();
    });
    const auto mapped = m_hosts.constFind(host.toLower());
    if (mapped != m_hosts.cend())
        upstream->connectToHost(*mapped, port);
    else
        upstream->connectToHost(host, port);
}

} // namespace nexustray::test
