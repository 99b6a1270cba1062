// Local UDP services for tests, on 127.0.0.1 (ephemeral port): UdpEchoServer sends every datagram
// back to its sender, one for one (empty ones too), and can blast datagrams at the last sender (a
// storm); UdpSink only receives and records. Both count datagrams and keep their sizes in order.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QUdpSocket>

namespace nexustray::test {

class UdpEchoServer : public QObject {
    Q_OBJECT
public:
    explicit UdpEchoServer(QObject* parent = nullptr);
    bool listen();
    quint16 port() const { return m_socket.localPort(); }
    int datagramsReceived() const { return int(m_sizes.size()); }
    QList<qsizetype> sizesReceived() const { return m_sizes; } // in arrival order
    qint64 bytesReceived() const { return m_bytes; }
    // Sends `count` copies of `payload` to whoever sent the last datagram; false if nobody did.
    bool blast(int count, const QByteArray& payload);

Q_SIGNALS:
    void datagramReceived(qsizetype size);

private:
    QUdpSocket m_socket;
    QList<qsizetype> m_sizes;
    qint64 m_bytes = 0;
    QHostAddress m_lastPeer;
    quint16 m_lastPeerPort = 0;
};

class UdpSink : public QObject {
    Q_OBJECT
public:
    explicit UdpSink(QObject* parent = nullptr);
    bool listen();
    quint16 port() const { return m_socket.localPort(); }
    QList<QByteArray> datagrams() const { return m_datagrams; } // in arrival order

private:
    QUdpSocket m_socket;
    QList<QByteArray> m_datagrams;
};

} // namespace nexustray::test
