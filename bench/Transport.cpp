#include "Transport.h"

#include <QTcpSocket>
#include <QTimer>

#include "Pattern.h"

namespace bench {

namespace {

class TunnelConn : public Conn {
public:
    TunnelConn(HubPeer* hub, HubStream* stream)
        : m_hub(hub)
        , m_stream(stream) {
        stream->onData = [this](HubStream*, const char* data, qsizetype size) {
            if (onData)
                onData(data, size);
        };
        stream->onClosed = [this](HubStream*) {
            m_stream = nullptr;
            if (onClosed)
                onClosed();
            delete this;
        };
    }
    void upload(quint64 bytes) override {
        if (m_stream)
            m_hub->upload(m_stream, bytes);
    }
    void close() override {
        if (m_stream)
            m_hub->close(m_stream);
        delete this;
    }

private:
    HubPeer* m_hub;
    HubStream* m_stream;
};

class DirectConn : public QObject, public Conn {
public:
    // socksTarget != 0: connect to `port` as a SOCKS5 proxy and ask it for 127.0.0.1:socksTarget;
    // the prelude waits for the success reply.
    DirectConn(quint16 port, const QByteArray& prelude, quint16 socksTarget = 0)
        : m_prelude(prelude)
        , m_socks(socksTarget != 0) {
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
            if (m_socks && !socksReplied())
                return;
            char buffer[64 * 1024];
            for (;;) {
                const qint64 n = m_socket.read(buffer, sizeof buffer);
                if (n <= 0)
                    break;
                if (onData)
                    onData(buffer, n);
            }
        });
        connect(&m_socket, &QTcpSocket::bytesWritten, this, &DirectConn::fill);
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            if (m_done)
                return;
            m_done = true;
            if (onClosed)
                onClosed();
            deleteLater();
        });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (m_socks) { // greeting (no auth) and CONNECT 127.0.0.1:socksTarget in one write
            const char request[] = {5,
                                    1,
                                    0,
                                    5,
                                    1,
                                    0,
                                    1,
                                    127,
                                    0,
                                    0,
                                    1,
                                    char(socksTarget >> 8),
                                    char(socksTarget & 0xff)};
            m_socket.write(request, sizeof request);
        } else if (!m_prelude.isEmpty()) {
            m_socket.write(m_prelude);
        }
    }
    void upload(quint64 bytes) override {
        m_total += bytes;
        if (!m_socks)
            fill();
    }
    void close() override {
        m_done = true;
        m_socket.abort();
        deleteLater();
    }

private:
    // Takes the method reply (05 00) and the CONNECT reply (05 00 00 01 + 6 bytes) off the
    // socket; true once both were there and said yes (then the prelude and any upload follow).
    bool socksReplied() {
        if (m_socket.bytesAvailable() < 12)
            return false;
        const QByteArray reply = m_socket.read(12);
        if (reply.at(1) != 0 || reply.at(3) != 0) {
            m_socket.abort(); // refused: the workload sees the stream close
            return false;
        }
        m_socks = false;
        if (!m_prelude.isEmpty())
            m_socket.write(m_prelude);
        fill();
        return true;
    }
    void fill() {
        if (m_socks)
            return; // nothing before the SOCKS5 success reply and the prelude
        while (m_sent < m_total && m_socket.bytesToWrite() < 512 * 1024) {
            const qint64 n = qMin<qint64>(64 * 1024, qint64(m_total - m_sent));
            m_socket.write(Pattern::instance().at(m_sent), n);
            m_sent += quint64(n);
        }
    }
    QTcpSocket m_socket{this};
    QByteArray m_prelude;
    bool m_socks = false; // still waiting for the SOCKS5 replies
    quint64 m_total = 0;
    quint64 m_sent = 0;
    bool m_done = false;
};

} // namespace

Conn* TunnelTransport::open(Service service, const QByteArray& prelude) {
    return new TunnelConn(m_hub, m_hub->open(quint16(service), prelude));
}

Conn* DirectTransport::open(Service service, const QByteArray& prelude) {
    return new DirectConn(m_ports[int(service) - 1], prelude);
}

Conn* SocksTransport::open(Service service, const QByteArray& prelude) {
    return new DirectConn(m_socksPort, prelude, m_ports[int(service) - 1]);
}

namespace {

// One outbound stream at the hub peer, dialled to its target.
class OutboundLeg : public QObject {
public:
    OutboundLeg(HubPeer* hub, HubStream* stream, const QString& target)
        : m_hub(hub)
        , m_stream(stream) {
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        stream->onData = [this](HubStream*, const char* data, qsizetype size) {
            m_socket.write(data, size);
        };
        stream->onClosed = [this](HubStream*) { // the client ended it
            m_stream = nullptr;
            m_socket.disconnectFromHost();
        };
        stream->onDrained = [this](HubStream*) { pump(); };
        connect(&m_socket, &QTcpSocket::readyRead, this, &OutboundLeg::pump);
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            char buffer[32 * 1024]; // the origin is done: everything it sent goes on
            for (qint64 n; m_stream && (n = m_socket.read(buffer, sizeof buffer)) > 0;)
                m_hub->send(m_stream, buffer, n);
            if (m_stream) { // the stream may outlive this leg while its tail waits for credit
                m_stream->onData = nullptr;
                m_stream->onClosed = nullptr;
                m_stream->onDrained = nullptr;
                m_hub->closeWhenSent(m_stream);
            }
            m_stream = nullptr;
            deleteLater();
        });
        const int colon = int(target.lastIndexOf(QLatin1Char(':')));
        m_socket.connectToHost(target.left(colon), quint16(target.mid(colon + 1).toUInt()));
    }

private:
    void pump() {
        if (m_pumping) // send() may report the stream drained from inside this loop
            return;
        m_pumping = true;
        char buffer[32 * 1024];
        while (m_stream && m_stream->waiting.size() < 64) {
            const qint64 n = m_socket.read(buffer, sizeof buffer);
            if (n <= 0)
                break;
            m_hub->send(m_stream, buffer, n);
        }
        m_pumping = false;
    }
    HubPeer* m_hub;
    HubStream* m_stream;
    QTcpSocket m_socket{this};
    bool m_pumping = false;
};

} // namespace

void bridgeOutbound(HubPeer* hub) {
    hub->onOutbound = [hub](HubStream* stream, const QString& target) {
        new OutboundLeg(hub, stream, target);
    };
}

} // namespace bench
