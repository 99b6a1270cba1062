#include "DownloadServer.h"

#include <QTcpSocket>

#include <memory>

namespace nexustray::test {

DownloadServer::DownloadServer(QByteArray body, QObject* parent)
    : QObject(parent)
    , m_body(std::move(body)) {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* s = m_server.nextPendingConnection()) {
            s->setParent(this);
            auto head = std::make_shared<QByteArray>();
            connect(s, &QTcpSocket::readyRead, s, [this, s, head] {
                if (head->endsWith("\r\n\r\n"))
                    return; // answered already
                *head += s->readAll();
                if (!head->endsWith("\r\n\r\n"))
                    return;
                // The request is read in full, so closing sends FIN, not RST; disconnectFromHost
                // writes the whole body first.
                s->write(m_body);
                s->disconnectFromHost();
            });
            connect(s, &QTcpSocket::disconnected, this, [this, s] {
                ++m_closed;
                s->deleteLater();
                Q_EMIT responseClosed();
            });
        }
    });
}

bool DownloadServer::listen() {
    return m_server.listen(QHostAddress::LocalHost);
}

} // namespace nexustray::test
