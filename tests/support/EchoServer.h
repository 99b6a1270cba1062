// Local TCP services for tests: EchoServer sends back what it receives; SinkServer reads,
// counts and hashes (SHA-256 over everything received, in arrival order) and can stop reading to
// create back-pressure. Both listen on 127.0.0.1 (ephemeral port unless given).
#pragma once

#include <QByteArray>
#include <QCryptographicHash>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

namespace nexustray::test {

class EchoServer : public QObject {
    Q_OBJECT
public:
    explicit EchoServer(QObject* parent = nullptr);
    bool listen(quint16 port = 0);
    quint16 port() const { return m_server.serverPort(); }
    int connectionCount() const { return m_connections; }
    int openConnections() const;
    qint64 bytesEchoed() const { return m_bytes; }
    void closeAll(); // close every accepted connection (FIN after flushing)

Q_SIGNALS:
    void newConnection();
    void connectionClosed();

private:
    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
    int m_connections = 0;
    qint64 m_bytes = 0;
};

class SinkServer : public QObject {
    Q_OBJECT
public:
    explicit SinkServer(QObject* parent = nullptr);
    bool listen(quint16 port = 0);
    quint16 port() const { return m_server.serverPort(); }
    int connectionCount() const { return m_connections; }
    qint64 bytesReceived() const { return m_bytes; }
    QByteArray sha256() const;            // hash of everything received so far
    qint64 bytesHeld() const;             // arrived in our read buffers but not read (not reading)
    bool sawEof() const { return m_eof; } // some connection was closed by the peer

    // false: stop reading (Qt's read buffer is bounded, so TCP back-pressure reaches the sender);
    // true: read again.
    void setReading(bool reading);
    // SO_RCVBUF for connections accepted from now on (0 = OS default).
    void setReceiveBufferSize(int bytes) { m_rcvbuf = bytes; }

Q_SIGNALS:
    void bytesArrived(qint64 total);
    void connectionClosed();

private:
    void drain(QTcpSocket* socket);

    QTcpServer m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    int m_connections = 0;
    qint64 m_bytes = 0;
    bool m_reading = true;
    bool m_eof = false;
    int m_rcvbuf = 0;
};

} // namespace nexustray::test
