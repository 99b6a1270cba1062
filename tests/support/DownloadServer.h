// A local service that answers every request (everything up to the blank line of an HTTP head)
// with a fixed body and then closes the connection, like an HTTP/1.0 server or a file download:
// the stream's end comes from the local side.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QTcpServer>

namespace nexustray::test {

class DownloadServer : public QObject {
    Q_OBJECT
public:
    explicit DownloadServer(QByteArray body, QObject* parent = nullptr);
    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    // Connections whose whole body has been written and closed by us.
    int responsesClosed() const { return m_closed; }

Q_SIGNALS:
    void responseClosed();

private:
    QTcpServer m_server;
    QByteArray m_body;
    int m_closed = 0;
};

} // namespace nexustray::test
