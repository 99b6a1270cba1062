#include "Origin.h"

#include <QNetworkDatagram>
#include <QUdpSocket>
#include <QVariant>

#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>

#include "Pattern.h"
#include "TlsOrigin.h"

namespace bench {

namespace {
constexpr qint64 kSourceWriteAhead = 512 * 1024; // bytes queued in Qt before we wait
constexpr qint64 kSourceChunk = 64 * 1024;

enum class Kind { Source, Sink, Echo, Idle };

// State of one accepted connection; a child of its socket.
class OriginConn : public QObject {
public:
    OriginConn(Kind kind, QTcpSocket* socket, Origin* origin)
        : QObject(socket)
        , m_kind(kind)
        , m_socket(socket)
        , m_origin(origin) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(socket, &QTcpSocket::readyRead, this, &OriginConn::onReadyRead);
        connect(socket, &QTcpSocket::bytesWritten, this, &OriginConn::fill);
        connect(socket, &QTcpSocket::disconnected, this, [this] {
            if (m_kind == Kind::Idle)
                --m_origin->idleConnections;
            m_socket->deleteLater();
        });
        if (kind == Kind::Idle)
            ++m_origin->idleConnections;
    }

private:
    void onReadyRead() {
        if (m_kind == Kind::Idle) {
            m_socket->readAll();
            return;
        }
        if (m_header.size() < 8) {
            m_header += m_socket->read(8 - m_header.size());
            if (m_header.size() < 8)
                return;
            m_count = readCount(m_header.constData());
            if (m_kind == Kind::Source) {
                fill();
                return;
            }
            if (m_kind == Kind::Echo)
                m_count = m_count >= 8 ? m_count - 8 : 0; // rest of the request
        }
        char buffer[64 * 1024];
        while (m_socket->bytesAvailable() > 0 && m_done < m_count) {
            const qint64 want = std::min<qint64>(qint64(sizeof buffer), qint64(m_count - m_done));
            const qint64 n = m_socket->read(buffer, want);
            if (n <= 0)
                break;
            if (!m_corrupt && !Pattern::instance().matches(m_done, buffer, n)) {
                m_corrupt = true;
                ++m_origin->corruptStreams;
            }
            m_done += quint64(n);
        }
        if (m_done < m_count || m_answered)
            return;
        m_answered = true;
        if (m_kind == Kind::Sink) {
            m_socket->write("K", 1);
        } else { // echo: the reply is as long as the request
            const quint64 size = m_count + 8;
            m_socket->write(Pattern::instance().at(0), qint64(size));
        }
        m_socket->disconnectFromHost();
    }

    void fill() {
        if (m_kind != Kind::Source || m_header.size() < 8)
            return;
        while (m_done < m_count && m_socket->bytesToWrite() < kSourceWriteAhead) {
            const qint64 n = std::min<qint64>(kSourceChunk, qint64(m_count - m_done));
            m_socket->write(Pattern::instance().at(m_done), n);
            m_done += quint64(n);
        }
        if (m_done >= m_count && !m_answered) {
            m_answered = true;
            m_socket->disconnectFromHost(); // after the buffered bytes are written
        }
    }

    Kind m_kind;
    QTcpSocket* m_socket;
    Origin* m_origin;
    QByteArray m_header;
    quint64 m_count = 0;
    quint64 m_done = 0;
    bool m_answered = false;
    bool m_corrupt = false;
};
} // namespace

Origin::Origin() = default;

Origin::~Origin() {
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(
            m_context, [this] { delete m_context; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

bool Origin::start() {
    m_thread.setObjectName(QStringLiteral("origin"));
    m_thread.start();
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    bool ok = false;
    QMetaObject::invokeMethod(
        m_context, [this, &ok] { listenAll(&ok); }, Qt::BlockingQueuedConnection);
    return ok;
}

bool Origin::startTls(const QString& certPem, const QString& keyPem) {
    bool ok = false;
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            auto* server = new TlsOrigin(&corruptStreams, m_context);
            ok = server->setCertificate(certPem, keyPem) && server->listen(QHostAddress::LocalHost);
            tlsPort = server->serverPort();
        },
        Qt::BlockingQueuedConnection);
    return ok;
}

void Origin::listenAll(bool* ok) {
    *ok = true;
    const auto make = [this, ok](Kind kind, quint16* port) {
        auto* server = new QTcpServer(m_context);
        server->setListenBacklogSize(4096);
        if (!server->listen(QHostAddress::LocalHost)) {
            *ok = false;
            return;
        }
        *port = server->serverPort();
        QObject::connect(server, &QTcpServer::newConnection, server, [this, server, kind] {
            while (QTcpSocket* s = server->nextPendingConnection())
                new OriginConn(kind, s, this);
        });
    };
    make(Kind::Source, &sourcePort);
    make(Kind::Sink, &sinkPort);
    make(Kind::Echo, &echoPort);
    make(Kind::Idle, &idlePort);

    auto* udp = new QUdpSocket(m_context);
    if (!udp->bind(QHostAddress::LocalHost, 0)) {
        *ok = false;
        return;
    }
    udp->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 << 20);
    udpEchoPort = udp->localPort();
    QObject::connect(udp, &QUdpSocket::readyRead, udp, [udp] {
        while (udp->hasPendingDatagrams()) {
            const QNetworkDatagram d = udp->receiveDatagram();
            udp->writeDatagram(d.data(), d.senderAddress(), quint16(d.senderPort()));
        }
    });
}

} // namespace bench
