#include "UdpEchoServer.h"

#include <QNetworkDatagram>

namespace nexustray::test {

UdpEchoServer::UdpEchoServer(QObject* parent)
    : QObject(parent) {
    connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
        while (m_socket.hasPendingDatagrams()) {
            const QNetworkDatagram d = m_socket.receiveDatagram();
            if (!d.isValid())
                break;
            m_lastPeer = d.senderAddress();
            m_lastPeerPort = quint16(d.senderPort());
            m_sizes.append(d.data().size());
            m_bytes += d.data().size();
            m_socket.writeDatagram(d.data(), m_lastPeer, m_lastPeerPort);
            Q_EMIT datagramReceived(d.data().size());
        }
    });
}

bool UdpEchoServer::listen() {
    return m_socket.bind(QHostAddress::LocalHost, 0);
}

bool UdpEchoServer::blast(int count, const QByteArray& payload) {
    if (m_lastPeerPort == 0)
        return false;
    for (int i = 0; i < count; ++i) {
        if (m_socket.writeDatagram(payload, m_lastPeer, m_lastPeerPort) != payload.size())
            return false;
    }
    return true;
}

UdpSink::UdpSink(QObject* parent)
    : QObject(parent) {
    connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
        while (m_socket.hasPendingDatagrams()) {
            const QNetworkDatagram d = m_socket.receiveDatagram();
            if (!d.isValid())
                break;
            m_datagrams.append(d.data());
        }
    });
}

bool UdpSink::listen() {
    return m_socket.bind(QHostAddress::LocalHost, 0);
}

} // namespace nexustray::test
