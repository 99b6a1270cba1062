#include "UserPort.h"

#include <QTcpSocket>

#include <memory>

namespace bench {

UserPort::UserPort(HubPeer* hub, quint16 connPort, QObject* parent)
    : QObject(parent)
    , m_hub(hub)
    , m_connPort(connPort) {
    m_server.setListenBacklogSize(4096);
    connect(&m_server, &QTcpServer::newConnection, this, &UserPort::onConnection);
}

bool UserPort::listen() {
    return m_server.listen(QHostAddress::LocalHost);
}

void UserPort::onConnection() {
    while (QTcpSocket* user = m_server.nextPendingConnection()) {
        user->setParent(this);
        user->setSocketOption(QAbstractSocket::LowDelayOption, 1); // like the Go hub
        struct Relay {
            HubStream* stream = nullptr; // null before the first bytes and after either side closed
            bool opened = false;
        };
        auto relay = std::make_shared<Relay>();
        connect(user, &QTcpSocket::readyRead, this, [this, user, relay] {
            const QByteArray data = user->readAll();
            if (data.isEmpty())
                return;
            if (relay->stream) {
                m_hub->send(relay->stream, data.constData(), data.size());
                m_hub->flush(); // to the client in this pass, as a hub writes (HubPeer::flush)
                return;
            }
            if (relay->opened)
                return; // the client ended the stream; the user is being closed
            relay->opened = true;
            relay->stream = m_hub->open(m_connPort, data);
            m_hub->flush();
            relay->stream->onData = [user](HubStream*, const char* d, qsizetype n) {
                user->write(d, n);
                user->flush(); // to the user in this pass
            };
            relay->stream->onClosed = [user, relay](HubStream*) {
                relay->stream = nullptr;
                user->disconnectFromHost(); // after what is buffered
            };
        });
        connect(user, &QTcpSocket::disconnected, this, [this, user, relay] {
            if (HubStream* s = std::exchange(relay->stream, nullptr))
                m_hub->close(s);
            user->deleteLater();
        });
    }
}

} // namespace bench
