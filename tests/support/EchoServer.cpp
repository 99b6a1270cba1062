#include "EchoServer.h"

namespace nexustray::test {

namespace {
constexpr qint64 kSinkReadBuffer = 16 * 1024;
}

EchoServer::EchoServer(QObject* parent)
    : QObject(parent) {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* s = m_server.nextPendingConnection()) {
            s->setParent(this);
            ++m_connections;
            m_sockets.append(s);
            connect(s, &QTcpSocket::readyRead, this, [this, s] {
                const QByteArray data = s->readAll();
                m_bytes += data.size();
                s->write(data);
            });
            // Peer EOF: finish writing what was echoed, then close our side too.
            connect(s, &QTcpSocket::readChannelFinished, s, [s] { s->disconnectFromHost(); });
            connect(s, &QTcpSocket::disconnected, this, [this, s] {
                s->deleteLater();
                Q_EMIT connectionClosed();
            });
            Q_EMIT newConnection();
        }
    });
}

bool EchoServer::listen(quint16 port) {
    return m_server.listen(QHostAddress::LocalHost, port);
}

int EchoServer::openConnections() const {
    int n = 0;
    for (const auto& s : m_sockets) {
        n += (s && s->state() == QAbstractSocket::ConnectedState) ? 1 : 0;
    }
    return n;
}

void EchoServer::closeAll() {
    for (const auto& s : std::as_const(m_sockets)) {
        if (s) {
            s->disconnectFromHost();
        }
    }
}

SinkServer::SinkServer(QObject* parent)
    : QObject(parent) {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* s = m_server.nextPendingConnection()) {
            s->setParent(this);
            ++m_connections;
            m_sockets.append(s);
            s->setReadBufferSize(kSinkReadBuffer);
            if (m_rcvbuf > 0) {
                s->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, m_rcvbuf);
            }
            connect(s, &QTcpSocket::readyRead, this, [this, s] { drain(s); });
            connect(s, &QTcpSocket::readChannelFinished, this, [this, s] {
                drain(s);
                m_eof = true;
            });
            connect(s, &QTcpSocket::disconnected, this, [this, s] {
                drain(s);
                m_eof = true;
                s->deleteLater();
                Q_EMIT connectionClosed();
            });
            drain(s);
        }
    });
}

bool SinkServer::listen(quint16 port) {
    return m_server.listen(QHostAddress::LocalHost, port);
}

QByteArray SinkServer::sha256() const {
    return m_hash.result();
}

qint64 SinkServer::bytesHeld() const {
    qint64 n = 0;
    for (const auto& s : m_sockets) {
        n += s ? s->bytesAvailable() : 0;
    }
    return n;
}

void SinkServer::drain(QTcpSocket* socket) {
    if (!m_reading) {
        return;
    }
    const QByteArray data = socket->readAll();
    if (data.isEmpty()) {
        return;
    }
    m_bytes += data.size();
    m_hash.addData(data);
    Q_EMIT bytesArrived(m_bytes);
}

void SinkServer::setReading(bool reading) {
    m_reading = reading;
    if (reading) {
        for (const auto& s : std::as_const(m_sockets)) {
            if (s) {
                drain(s);
            }
        }
    }
}

} // namespace nexustray::test
