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
    DirectConn(quint16 port, const QByteArray& prelude) {
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
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
        if (!prelude.isEmpty())
            m_socket.write(prelude);
    }
    void upload(quint64 bytes) override {
        m_total += bytes;
        fill();
    }
    void close() override {
        m_done = true;
        m_socket.abort();
        deleteLater();
    }

private:
    void fill() {
        while (m_sent < m_total && m_socket.bytesToWrite() < 512 * 1024) {
            const qint64 n = qMin<qint64>(64 * 1024, qint64(m_total - m_sent));
            m_socket.write(Pattern::instance().at(m_sent), n);
            m_sent += quint64(n);
        }
    }
    QTcpSocket m_socket{this};
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

} // namespace bench
