// The local web service of --demo: a tiny HTTP/1.1 server on 127.0.0.1.
//   GET /bytes/N  -> N bytes of application/octet-stream; byte i is (i % 251)
//   GET <other>   -> a small HTML page saying it came through the nexus-tray tunnel
// One request per connection ("Connection: close"). Large bodies are produced as the socket drains,
// so memory stays bounded whatever N is.
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>

class QTcpServer;

namespace nexustray::app {

class DemoHttpService : public QObject {
    Q_OBJECT
public:
    explicit DemoHttpService(QObject* parent = nullptr);
    ~DemoHttpService() override;

    bool listen(const QHostAddress& address = QHostAddress::LocalHost, quint16 port = 0,
                QString* error = nullptr);
    quint16 port() const;

    // Text of the page, for a request of `path` with the given Host header.
    QString pageFor(const QString& path, const QString& host) const;

    // The byte at offset `index` of every /bytes/N body.
    static char patternByte(qint64 index) { return static_cast<char>(index % 251); }

private:
    void acceptConnections();

    QTcpServer* m_server = nullptr;
};

} // namespace nexustray::app
