#include "DemoHttpService.h"

#include <QByteArray>
#include <QList>
#include <QTcpServer>
#include <QTcpSocket>

#include "LogFormat.h"

namespace nexustray::app {

namespace {

constexpr qsizetype kMaxRequestHead = 16 * 1024;
constexpr qint64 kWriteChunk = 64 * 1024;
constexpr qint64 kMaxQueued = 256 * 1024;     // refill when less than this is waiting in the socket
constexpr qint64 kMaxBytes = qint64(1) << 36; // /bytes/N upper bound (64 GiB)

// A run of the /bytes pattern long enough to cut any chunk out of it at any phase.
const QByteArray& patternBlock() {
    static const QByteArray block = [] {
        QByteArray b;
        const qint64 size = 251 * ((kWriteChunk + 251) / 251 + 1);
        b.resize(size);
        for (qint64 i = 0; i < size; ++i)
            b[i] = DemoHttpService::patternByte(i);
        return b;
    }();
    return block;
}

// One client connection; deletes itself (with its socket) when the socket goes away.
class Connection : public QObject {
public:
    Connection(QTcpSocket* socket, const DemoHttpService* service)
        : QObject(socket)
        , m_socket(socket)
        , m_service(service) {
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        QObject::connect(socket, &QTcpSocket::bytesWritten, this, [this] { fill(); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    void onReadyRead() {
        if (m_responding) {
            m_socket->readAll(); // one request per connection; ignore anything after it
            return;
        }
        m_head += m_socket->readAll();
        const qsizetype end = m_head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_head.size() > kMaxRequestHead)
                respond(431, "Request Header Fields Too Large", "text/plain", "header too large\n");
            return;
        }
        handle(m_head.left(end));
    }

    void handle(const QByteArray& head) {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        if (requestLine.size() != 3 || !requestLine[1].startsWith('/')) {
            respond(400, "Bad Request", "text/plain", "bad request line\n");
            return;
        }
        QString host;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == "host")
                host = QString::fromLatin1(line.mid(colon + 1).trimmed());
        }
        const QByteArray method = requestLine[0];
        m_headOnly = method == "HEAD";
        if (method != "GET" && !m_headOnly) {
            respond(405, "Method Not Allowed", "text/plain", "only GET and HEAD are served\n");
            return;
        }
        const QByteArray path = requestLine[1];
        qCDebug(lcApp).noquote() << "demo service:" << QString::fromLatin1(method)
                                 << QString::fromLatin1(path) << "host" << host;
        if (path.startsWith("/bytes/")) {
            bool ok = false;
            const qint64 n = path.mid(7).toLongLong(&ok);
            if (!ok || n < 0 || n > kMaxBytes) {
                respond(400, "Bad Request", "text/plain", "use /bytes/N with 0 <= N <= 2^36\n");
                return;
            }
            startStream(n);
            return;
        }
        respond(200, "OK", "text/html; charset=utf-8",
                m_service->pageFor(QString::fromLatin1(path), host).toUtf8());
    }

    void writeHead(int status, const char* reason, const char* type, qint64 length) {
        QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
        head += "Content-Type: " + QByteArray(type) + "\r\n";
        head += "Content-Length: " + QByteArray::number(length) + "\r\n";
        head += "Cache-Control: no-store\r\nConnection: close\r\nServer: nexus-tray-demo\r\n\r\n";
        m_responding = true;
        m_socket->write(head);
    }

    void respond(int status, const char* reason, const char* type, const QByteArray& body) {
        writeHead(status, reason, type, body.size());
        if (!m_headOnly)
            m_socket->write(body);
        m_socket->disconnectFromHost(); // after the queued bytes are written
    }

    void startStream(qint64 n) {
        writeHead(200, "OK", "application/octet-stream", n);
        m_remaining = m_headOnly ? 0 : n;
        m_streaming = true;
        fill();
    }

    void fill() {
        if (!m_streaming)
            return;
        const QByteArray& block = patternBlock();
        while (m_remaining > 0 && m_socket->bytesToWrite() < kMaxQueued) {
            const qint64 phase = m_offset % 251;
            const qint64 len = qMin(m_remaining, kWriteChunk);
            m_socket->write(block.constData() + phase, len);
            m_offset += len;
            m_remaining -= len;
        }
        if (m_remaining == 0) {
            m_streaming = false;
            m_socket->disconnectFromHost();
        }
    }

    QTcpSocket* m_socket;
    const DemoHttpService* m_service;
    QByteArray m_head;
    bool m_responding = false;
    bool m_headOnly = false;
    bool m_streaming = false;
    qint64 m_remaining = 0;
    qint64 m_offset = 0;
};

} // namespace

DemoHttpService::DemoHttpService(QObject* parent)
    : QObject(parent)
    , m_server(new QTcpServer(this)) {
    connect(m_server, &QTcpServer::newConnection, this, &DemoHttpService::acceptConnections);
}

DemoHttpService::~DemoHttpService() = default;

bool DemoHttpService::listen(const QHostAddress& address, quint16 port, QString* error) {
    if (m_server->listen(address, port))
        return true;
    if (error)
        *error = m_server->errorString();
    return false;
}

quint16 DemoHttpService::port() const {
    return m_server->serverPort();
}

QString DemoHttpService::pageFor(const QString& path, const QString& host) const {
    const QString shownHost = host.isEmpty() ? QStringLiteral("(none)") : host;
    return QStringLiteral(
               "<!doctype html>\n"
               "<html><head><meta charset=\"utf-8\"><title>nexus-tray demo</title></head>\n"
               "<body style=\"font-family: sans-serif; max-width: 40em; margin: 2em auto\">\n"
               "<h1>Hello from nexus-tray</h1>\n"
               "<p>This page came through the nexus-tray tunnel: your client &rarr; relay port of "
               "the (emulated) Nexus hub &rarr; WebSocket &rarr; nexus-tray &rarr; the demo "
               "service on 127.0.0.1:%1.</p>\n"
               "<p>Request: <code>GET %2</code>, Host: <code>%3</code></p>\n"
               "<p>For a larger transfer try <a href=\"/bytes/1048576\">/bytes/1048576</a> "
               "(N bytes, byte i = i mod 251).</p>\n"
               "</body></html>\n")
        .arg(port())
        .arg(path.toHtmlEscaped(), shownHost.toHtmlEscaped());
}

void DemoHttpService::acceptConnections() {
    while (QTcpSocket* socket = m_server->nextPendingConnection())
        new Connection(socket, this);
}

} // namespace nexustray::app
