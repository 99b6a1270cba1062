// Helpers for the tests that run the real nexus-tray binary: a process wrapper that collects
// stdout/stderr as they arrive, and an asynchronous HTTP/1.1 GET over QTcpSocket.
// Nothing here sleeps: waits are QTest::qWaitFor() on a condition, with a timeout.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStringList>
#include <QTcpSocket>
#include <QTest>

#include <memory>

namespace apptest {

inline QString binaryPath() {
    return QStringLiteral(NEXUS_TRAY_BINARY);
}
inline QString dataPath(const QString& name) {
    return QStringLiteral(NEXUS_APP_TEST_DATA "/") + name;
}

// A running nexus-tray whose output is gathered continuously (so pipes never fill up).
class TrayProcess {
public:
    TrayProcess() {
        QObject::connect(&process, &QProcess::readyReadStandardOutput,
                         [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError,
                         [this] { err += process.readAllStandardError(); });
    }
    ~TrayProcess() {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    void start(const QStringList& arguments,
               const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
        process.setProcessEnvironment(environment);
        process.start(binaryPath(), arguments);
    }

    bool waitStarted(int timeoutMs = 10000) { return process.waitForStarted(timeoutMs); }

    // Waits for the process to end (QProcess::finished) while collecting output.
    bool waitFinished(int timeoutMs) {
        const bool ok =
            QTest::qWaitFor([this] { return process.state() == QProcess::NotRunning; }, timeoutMs);
        out += process.readAllStandardOutput();
        err += process.readAllStandardError();
        return ok;
    }

    // Waits until `pattern` matches the collected stdout (or stderr) or the process ends.
    QRegularExpressionMatch waitForOutput(const QRegularExpression& pattern, int timeoutMs,
                                          bool onStderr = false) {
        QRegularExpressionMatch match;
        [[maybe_unused]] const bool settled = QTest::qWaitFor(
            [&] {
                match = pattern.match(QString::fromUtf8(onStderr ? err : out));
                return match.hasMatch() || process.state() == QProcess::NotRunning;
            },
            timeoutMs);
        if (!match.hasMatch())
            match = pattern.match(QString::fromUtf8(onStderr ? err : out));
        return match;
    }

    QString describe() const {
        return QStringLiteral(
                   "exit status %1, exit code %2\n--- stdout ---\n%3\n--- stderr ---\n%4")
            .arg(process.exitStatus() == QProcess::NormalExit ? QStringLiteral("normal")
                                                              : QStringLiteral("crashed"))
            .arg(process.exitCode())
            .arg(QString::fromUtf8(out), QString::fromUtf8(err));
    }

    QProcess process;
    QByteArray out;
    QByteArray err;
};

struct RunResult {
    bool finished = false;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs nexus-tray to completion.
inline RunResult
run(const QStringList& arguments, int timeoutMs = 20000,
    const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment()) {
    TrayProcess p;
    p.start(arguments, environment);
    RunResult r;
    r.finished = p.waitStarted() && p.waitFinished(timeoutMs);
    r.exitStatus = p.process.exitStatus();
    r.exitCode = p.process.exitCode();
    r.out = QString::fromUtf8(p.out);
    r.err = QString::fromUtf8(p.err);
    return r;
}

// One HTTP/1.1 GET with "Connection: close"; complete when the server has sent Content-Length
// bytes of body or closed the connection.
class HttpFetch {
public:
    HttpFetch(quint16 port, const QByteArray& host, const QByteArray& path)
        : m_socket(std::make_unique<QTcpSocket>()) {
        QObject::connect(m_socket.get(), &QTcpSocket::connected, [this, host, path] {
            m_socket->write("GET " + path + " HTTP/1.1\r\nHost: " + host +
                            "\r\nUser-Agent: nexus-tray-tests\r\nConnection: close\r\n\r\n");
        });
        QObject::connect(m_socket.get(), &QTcpSocket::readyRead, [this] { read(); });
        QObject::connect(m_socket.get(), &QTcpSocket::disconnected, [this] {
            if (m_socket->isReadable())
                read();
            m_closed = true;
        });
        QObject::connect(m_socket.get(), &QTcpSocket::errorOccurred,
                         [this](QAbstractSocket::SocketError e) {
                             if (e != QAbstractSocket::RemoteHostClosedError)
                                 m_error = m_socket->errorString();
                             m_closed = true;
                         });
        m_socket->connectToHost(QHostAddress::LocalHost, port);
    }

    bool done() const { return m_closed || m_bodyComplete; }
    bool wait(int timeoutMs) {
        return QTest::qWaitFor([this] { return done(); }, timeoutMs);
    }

    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    qint64 contentLength = -1;
    QString error() const { return m_error; }
    bool headComplete() const { return m_headDone; }

private:
    void read() {
        const QByteArray chunk = m_socket->readAll();
        if (m_headDone) {
            body += chunk;
        } else {
            m_head += chunk;
            const qsizetype end = m_head.indexOf("\r\n\r\n");
            if (end >= 0) {
                parseHead(m_head.left(end));
                body = m_head.mid(end + 4);
                m_head.clear();
                m_headDone = true;
            }
        }
        if (m_headDone && contentLength >= 0 && body.size() >= contentLength)
            m_bodyComplete = true;
    }

    void parseHead(const QByteArray& head) {
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        status = statusLine.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                headers.insert(lines[i].left(colon).trimmed().toLower(),
                               lines[i].mid(colon + 1).trimmed());
        }
        bool ok = false;
        const qint64 length = headers.value("content-length").toLongLong(&ok);
        if (ok)
            contentLength = length;
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_head;
    bool m_headDone = false;
    bool m_bodyComplete = false;
    bool m_closed = false;
    QString m_error;
};

// Index of the first byte of `body` that differs from the demo pattern (byte i = i % 251), or -1.
inline qint64 firstPatternMismatch(const QByteArray& body) {
    for (qint64 i = 0; i < body.size(); ++i) {
        if (static_cast<unsigned char>(body[i]) != static_cast<unsigned char>(i % 251))
            return i;
    }
    return -1;
}

} // namespace apptest
