// Test helpers for session tests: a user that talks to the hub's relay port, and local services.
#pragma once

#include <QByteArray>
#include <QCryptographicHash>
#include <QIODevice>
#include <QRandomGenerator>
#include <QTcpSocket>

#include "EchoServer.h"

// "127.0.0.1:<port>" of a local test service, as a port-mapping target.
inline QString targetOf(const nexustray::test::EchoServer& server) {
    return QStringLiteral("127.0.0.1:%1").arg(server.port());
}

// A user of the relay: connects to the hub's relay listener, sends a request, collects replies.
class TunnelUser : public QObject {
public:
    TunnelUser(quint16 relayPort, const QByteArray& hostHeader, QObject* parent = nullptr)
        : QObject(parent) {
        connect(&socket, &QTcpSocket::readyRead, this, [this] { received += socket.readAll(); });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { closed = true; });
        socket.connectToHost(QHostAddress::LocalHost, relayPort);
        prelude = "GET / HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n";
    }
    // Sends the HTTP prelude followed by `body`.
    void send(const QByteArray& body) { socket.write(prelude + body); }
    qint64 expectedEchoSize(const QByteArray& body) const { return prelude.size() + body.size(); }
    bool echoMatches(const QByteArray& body) const { return received == prelude + body; }

    QTcpSocket socket;
    QByteArray prelude;
    QByteArray received;
    bool closed = false;
};

inline QByteArray randomBytes(qsizetype size, quint32 seed) {
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator gen(seed);
    auto* words = reinterpret_cast<quint32*>(data.data());
    gen.fillRange(words, size / 4);
    for (qsizetype i = (size / 4) * 4; i < size; ++i)
        data[i] = char(gen.generate());
    return data;
}

// An in-memory device for connect-handler tests: whatever is written becomes readable (echo).
class EchoDevice : public QIODevice {
public:
    EchoDevice() { open(QIODevice::ReadWrite); }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_buffer.size() + QIODevice::bytesAvailable(); }

protected:
    qint64 readData(char* data, qint64 maxSize) override {
        const qint64 n = std::min<qint64>(maxSize, m_buffer.size());
        memcpy(data, m_buffer.constData(), size_t(n));
        m_buffer.remove(0, n);
        return n;
    }
    qint64 writeData(const char* data, qint64 size) override {
        m_buffer.append(data, size);
        QMetaObject::invokeMethod(
            this,
            [this, size] {
                Q_EMIT bytesWritten(size);
                Q_EMIT readyRead();
            },
            Qt::QueuedConnection);
        return size;
    }

private:
    QByteArray m_buffer;
};
