// Test helper: a SOCKS5 front on 127.0.0.1 that runs one Socks5Handshake per accepted connection
// with the test's settings and opener (in the product the session's worker thread does this).
#pragma once

#include <QTcpServer>
#include <QTcpSocket>

#include "socks5/Socks5Handshake.h"

namespace socks5test {

class Socks5TestServer : public QObject {
public:
    Socks5TestServer(nexustray::socks5::Socks5Settings settings,
                     nexustray::socks5::OutboundOpener opener)
        : m_settings(std::move(settings))
        , m_opener(std::move(opener)) {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setParent(nullptr); // the handshake takes it
                new nexustray::socks5::Socks5Handshake(socket, m_settings, m_opener);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }

private:
    QTcpServer m_server;
    nexustray::socks5::Socks5Settings m_settings;
    nexustray::socks5::OutboundOpener m_opener;
};

} // namespace socks5test
