// Helpers of the reliability suites: a log capture, a TCP fault proxy between the session and the
// hub, a relay user that checks every echoed byte as it arrives, and the usual hub/session set-up.
#pragma once

#include <QByteArray>
#include <QCryptographicHash>
#include <QMutex>
#include <QPointer>
#include <QRandomGenerator>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

#include "EchoServer.h"
#include "ProcStats.h"
#include "hub/HubEmulator.h"
#include "session/Session.h"

namespace nexustray::reliability {

inline const QByteArray kSecret = "reliability-secret";

// Collects every log message (all threads) while alive; prints criticals (everything with
// NEXUS_TEST_VERBOSE set) to stderr.
class LogCapture {
public:
    LogCapture() {
        s_self = this;
        m_previous = qInstallMessageHandler(&LogCapture::handler);
    }
    ~LogCapture() {
        qInstallMessageHandler(m_previous);
        s_self = nullptr;
    }
    QStringList lines() const {
        QMutexLocker lock(&m_mutex);
        return m_lines;
    }
    bool contains(const QString& text) const {
        QMutexLocker lock(&m_mutex);
        for (const QString& line : m_lines)
            if (line.contains(text))
                return true;
        return false;
    }
    int count(const QString& text) const {
        QMutexLocker lock(&m_mutex);
        int n = 0;
        for (const QString& line : m_lines)
            n += line.contains(text) ? 1 : 0;
        return n;
    }
    // True when no captured line contains any of `secrets`.
    bool leaksNone(const QList<QByteArray>& secrets) const {
        QMutexLocker lock(&m_mutex);
        for (const QString& line : m_lines)
            for (const QByteArray& s : secrets)
                if (!s.isEmpty() && line.contains(QString::fromUtf8(s)))
                    return false;
        return true;
    }

private:
    static void handler(QtMsgType type, const QMessageLogContext& ctx, const QString& msg) {
        if (LogCapture* self = s_self) {
            QMutexLocker lock(&self->m_mutex);
            if (self->m_lines.size() < 200000)
                self->m_lines << QString::fromLatin1(ctx.category ? ctx.category : "") +
                                     QStringLiteral(": ") + msg;
        }
        static const bool verbose = qEnvironmentVariableIsSet("NEXUS_TEST_VERBOSE");
        if (verbose || type == QtCriticalMsg || type == QtFatalMsg)
            std::fprintf(stderr, "%s: %s\n", ctx.category ? ctx.category : "", qPrintable(msg));
    }
    static inline LogCapture* s_self = nullptr;
    QtMessageHandler m_previous = nullptr;
    mutable QMutex m_mutex;
    QStringList m_lines;
};

// A TCP proxy in front of the hub's backend port: the session dials the proxy. Faults: stop
// forwarding session->hub bytes (a hub that stops reading: the proxy stops reading too, so the
// session's kernel buffers fill up), cut every connection without a close frame.
class FaultProxy : public QObject {
public:
    explicit FaultProxy(quint16 upstreamPort)
        : m_upstreamPort(upstreamPort) {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* down = m_server.nextPendingConnection()) {
                auto* up = new QTcpSocket(down);
                down->setReadBufferSize(64 * 1024);
                up->setReadBufferSize(64 * 1024);
                m_pairs.append(qMakePair(QPointer<QTcpSocket>(down), QPointer<QTcpSocket>(up)));
                connect(up, &QTcpSocket::connected, down, [this, down, up] {
                    pump(down, up);
                    pump(up, down);
                });
                connect(down, &QTcpSocket::readyRead, up, [this, down, up] { pump(down, up); });
                connect(up, &QTcpSocket::readyRead, down, [this, down, up] { pump(up, down); });
                connect(down, &QTcpSocket::bytesWritten, up, [this, down, up] { pump(up, down); });
                connect(up, &QTcpSocket::bytesWritten, down, [this, down, up] { pump(down, up); });
                connect(down, &QTcpSocket::disconnected, up, [up] { up->disconnectFromHost(); });
                connect(up, &QTcpSocket::disconnected, down,
                        [down] { down->disconnectFromHost(); });
                connect(down, &QTcpSocket::disconnected, down, &QObject::deleteLater);
                up->connectToHost(QHostAddress::LocalHost, m_upstreamPort);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }
    // The relay URL through the proxy; "wss" when the hub behind it serves TLS (the proxy only
    // moves bytes, so the session's TLS handshake is with the hub).
    QString url(const QString& scheme = QStringLiteral("ws")) const {
        return QStringLiteral("%1://127.0.0.1:%2/connect").arg(scheme).arg(port());
    }

    // false: session->hub bytes are no longer read from the session (applies to open connections).
    void setForwardingUp(bool on) {
        m_forwardUp = on;
        for (const auto& p : std::as_const(m_pairs))
            if (p.first && p.second)
                pump(p.first, p.second);
    }
    // Every connection: RST both ways, no close frame.
    void cutAll() {
        for (const auto& p : std::as_const(m_pairs)) {
            if (p.first)
                p.first->abort();
            if (p.second)
                p.second->abort();
        }
    }
    qint64 heldUp() const {
        qint64 n = 0;
        for (const auto& p : std::as_const(m_pairs))
            if (p.first)
                n += p.first->bytesAvailable();
        return n;
    }

private:
    void pump(QTcpSocket* from, QTcpSocket* to) {
        const bool isUp = std::any_of(m_pairs.cbegin(), m_pairs.cend(),
                                      [from](const auto& p) { return p.first == from; });
        if (isUp && !m_forwardUp)
            return;
        if (to->state() != QAbstractSocket::ConnectedState)
            return;
        // Bounded: forward only while the other side's write buffer is small.
        while (from->bytesAvailable() > 0 && to->bytesToWrite() < 256 * 1024)
            to->write(from->read(64 * 1024));
    }

    QTcpServer m_server;
    quint16 m_upstreamPort;
    QList<QPair<QPointer<QTcpSocket>, QPointer<QTcpSocket>>> m_pairs;
    bool m_forwardUp = true;
};

// A relay user that checks each echoed chunk against the expected bytes as it arrives (so a
// corrupted or misrouted byte is caught at once, even when the stream is cut later).
class CheckedUser : public QObject {
public:
    CheckedUser(quint16 relayPort, const QByteArray& host, QByteArray payload,
                qint64 readBufferSize = 0)
        : body(std::move(payload)) {
        prelude = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        expected = prelude + body;
        if (readBufferSize > 0)
            socket.setReadBufferSize(readBufferSize);
        connect(&socket, &QTcpSocket::readyRead, this, [this] {
            if (reading)
                consume();
        });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { closed = true; });
        connect(&socket, &QTcpSocket::errorOccurred, this, [this] { closed = true; });
        socket.connectToHost(QHostAddress::LocalHost, relayPort);
    }
    void sendAll() { socket.write(expected); }
    void sendPart(qsizetype from, qsizetype size) {
        socket.write(expected.constData() + from, size);
    }
    void setReading(bool on) {
        reading = on;
        if (on)
            consume();
    }
    void consume() {
        const QByteArray chunk = socket.readAll();
        if (chunk.isEmpty())
            return;
        if (received + chunk.size() > expected.size() ||
            QByteArrayView(expected).sliced(received, chunk.size()) != QByteArrayView(chunk))
            corrupt = true;
        received += chunk.size();
        if (received == expected.size() && !doneAt.isValid())
            doneAt.start();
    }
    bool complete() const { return !corrupt && received == expected.size(); }

    QTcpSocket socket;
    QByteArray prelude;
    QByteArray body;
    QByteArray expected;
    qsizetype received = 0;
    bool corrupt = false;
    bool closed = false;
    bool reading = true;
    QElapsedTimer doneAt;
};

inline QByteArray randomBytes(qsizetype size, quint32 seed) {
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator gen(seed);
    for (qsizetype i = 0; i + 4 <= size; i += 4) {
        const quint32 w = gen.generate();
        std::memcpy(data.data() + i, &w, 4);
    }
    for (qsizetype i = (size / 4) * 4; i < size; ++i)
        data[i] = char(gen.generate());
    return data;
}

inline hub::HubOptions defaultHubOptions() {
    hub::HubOptions o;
    o.jwtSecret = kSecret;
    o.relayPorts = {{443, 0}};
    o.tokenTimeoutMs = 5000;
    return o;
}

// Settings for a session of backend "edge" serving app.test (-> echo) and down.test (-> a closed
// port), fast timings.
inline SessionSettings defaultSettings(const QString& relayUrl, quint16 echoPort,
                                       quint16 closedPort = 1) {
    BackendConfig b;
    b.name = QStringLiteral("edge");
    b.hostnames = {QStringLiteral("app.test"), QStringLiteral("down.test"),
                   QStringLiteral("sink.test")};
    b.nexusAddresses = {relayUrl};
    b.attestation.hmacSecret = QString::fromLatin1(kSecret);
    b.portMappings[443].defaultTarget = QStringLiteral("127.0.0.1:%1").arg(echoPort);
    b.portMappings[443].hosts.insert(QStringLiteral("down.test"),
                                     QStringLiteral("127.0.0.1:%1").arg(closedPort));
    SessionSettings s;
    s.sessionId = QStringLiteral("edge#1");
    s.backend = b;
    s.relayUrl = relayUrl;
    s.backoff.baseMs = 100;
    s.backoff.maxMs = 400;
    s.timings.challengeTimeoutMs = 3000;
    s.timings.keepaliveIntervalMs = 500;
    s.timings.keepaliveDeadlineMs = 3000;
    s.timings.stableAfterMs = 100;
    s.timings.healthCheckIntervalMs = 100;
    s.timings.snapshotIntervalMs = 50;
    return s;
}

// A port on 127.0.0.1 that refuses connections.
inline quint16 closedPort() {
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost))
        return 1;
    const quint16 p = s.serverPort();
    s.close();
    return p;
}

// Streams still alive inside a session (children of its stream multiplexers).
inline int liveStreamObjects(const QObject* session) {
    int n = 0;
    for (QObject* child : session->findChildren<QObject*>())
        n += child->inherits("nexustray::Stream") ? 1 : 0;
    return n;
}

} // namespace nexustray::reliability
