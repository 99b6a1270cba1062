// nexus-soak: runs the engine (nexustray::Client, one session on its own worker thread) against
// the in-process hub emulator for a given duration, with churning user streams (each carrying a
// random payload that must come back intact through a local echo service) and periodic hub faults
// (alternately: all sessions dropped without a close frame, and the whole hub destroyed and
// restarted on the same ports). Every --interval seconds it prints one CSV line:
//   t_s,rss_kb,fds,threads,users_active,engine_streams,completed,interrupted,errors,hub_restarts,
//   session_state
// A stream that is cut by a hub fault counts as "interrupted" (expected); a stream whose bytes come
// back corrupted, or that ends early / stalls without a fault during its life, counts as an error.
// Exit status: 0 when no error was seen and no TCP socket is left open after stop.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <memory>

#include "../../tests/reliability/ProcStats.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {

const QByteArray kSecret = "soak-secret";
int g_warnings = 0;

void messageHandler(QtMsgType type, const QMessageLogContext& ctx, const QString& msg) {
    if (type >= QtWarningMsg && type != QtInfoMsg)
        ++g_warnings;
    if (type == QtDebugMsg || type == QtInfoMsg)
        return; // keep the soak output to the figures and the warnings
    std::fprintf(stderr, "[%s] %s\n", ctx.category ? ctx.category : "", qPrintable(msg));
}

// Echo service without per-connection bookkeeping that grows (sockets delete themselves).
class Echo : public QObject {
public:
    bool listen() {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = server.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
                connect(s, &QTcpSocket::readChannelFinished, s, [s] { s->disconnectFromHost(); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        return server.listen(QHostAddress::LocalHost);
    }
    QTcpServer server;
};

struct Counters {
    quint64 completed = 0;
    quint64 interrupted = 0;
    quint64 errors = 0;
    quint64 bytes = 0;
};

// One user of the relay: sends prelude + payload, checks every echoed byte as it arrives.
class User : public QObject {
public:
    User(quint16 relayPort, qsizetype payload, quint32 seed, Counters* counters,
         const quint64* faultGeneration, int stallMs)
        : m_counters(counters)
        , m_generation(faultGeneration)
        , m_startGeneration(*faultGeneration) {
        m_expected = "GET / HTTP/1.1\r\nHost: soak.test\r\n\r\n";
        QByteArray body(payload, Qt::Uninitialized);
        QRandomGenerator gen(seed);
        for (char& c : body)
            c = char(gen.generate() & 0xff);
        m_expected += body;
        connect(&m_socket, &QTcpSocket::readyRead, this, &User::onRead);
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { end(false, "closed"); });
        connect(&m_socket, &QTcpSocket::errorOccurred, this, [this] {
            m_why = m_socket.errorString().toLatin1();
            end(false, m_why.constData());
        });
        m_stall.setSingleShot(true);
        connect(&m_stall, &QTimer::timeout, this, [this] { end(false, "stalled"); });
        m_stall.start(stallMs);
        m_socket.connectToHost(QHostAddress::LocalHost, relayPort);
        m_socket.write(m_expected);
    }
    bool done() const { return m_done; }

private:
    void onRead() {
        const QByteArray chunk = m_socket.readAll();
        if (m_received + chunk.size() > m_expected.size() ||
            QByteArrayView(m_expected).sliced(m_received, chunk.size()) != QByteArrayView(chunk)) {
            std::fprintf(stderr, "ERROR: corrupted bytes at offset %lld\n",
                         static_cast<long long>(m_received));
            end(false, "corrupt", true);
            return;
        }
        m_received += chunk.size();
        m_counters->bytes += quint64(chunk.size());
        if (m_received == m_expected.size())
            end(true, "ok");
    }
    void end(bool ok, const char* why, bool corrupt = false) {
        if (m_done)
            return;
        m_done = true;
        m_stall.stop();
        if (ok)
            ++m_counters->completed;
        else if (!corrupt && *m_generation != m_startGeneration)
            ++m_counters->interrupted;
        else {
            ++m_counters->errors;
            std::fprintf(stderr, "ERROR: stream ended (%s) after %lld of %lld bytes\n", why,
                         static_cast<long long>(m_received),
                         static_cast<long long>(m_expected.size()));
        }
        m_socket.disconnect(this);
        m_socket.abort();
    }

    QTcpSocket m_socket;
    QByteArray m_expected;
    qsizetype m_received = 0;
    Counters* m_counters;
    const quint64* m_generation;
    quint64 m_startGeneration;
    QTimer m_stall;
    QByteArray m_why;
    bool m_done = false;
};

const char* stateName(SessionState s) {
    switch (s) {
    case SessionState::Connected:
        return "connected";
    case SessionState::Connecting:
        return "connecting";
    case SessionState::Authenticating:
        return "authenticating";
    case SessionState::Backoff:
        return "backoff";
    case SessionState::Failed:
        return "failed";
    default:
        return "disabled";
    }
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    qInstallMessageHandler(messageHandler);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Soak test of the nexus-tray engine."));
    p.addHelpOption();
    const QCommandLineOption durationOpt(QStringLiteral("duration"),
                                         QStringLiteral("Run time in seconds (default 60)."),
                                         QStringLiteral("s"), QStringLiteral("60"));
    const QCommandLineOption intervalOpt(QStringLiteral("interval"),
                                         QStringLiteral("Seconds between lines (default 10)."),
                                         QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption usersOpt(QStringLiteral("concurrency"),
                                      QStringLiteral("Concurrent user streams (default 64)."),
                                      QStringLiteral("n"), QStringLiteral("64"));
    const QCommandLineOption restartOpt(QStringLiteral("restart-every"),
                                        QStringLiteral("Seconds between hub faults (default 60)."),
                                        QStringLiteral("s"), QStringLiteral("60"));
    const QCommandLineOption payloadOpt(
        QStringLiteral("max-payload"), QStringLiteral("Largest payload in bytes (default 262144)."),
        QStringLiteral("bytes"), QStringLiteral("262144"));
    const QCommandLineOption csvOpt(QStringLiteral("csv"),
                                    QStringLiteral("Also write the lines to this file."),
                                    QStringLiteral("file"));
    p.addOptions({durationOpt, intervalOpt, usersOpt, restartOpt, payloadOpt, csvOpt});
    p.process(app);
    const int durationS = p.value(durationOpt).toInt();
    const int intervalS = std::max(1, p.value(intervalOpt).toInt());
    const int concurrency = std::max(1, p.value(usersOpt).toInt());
    const int restartS = p.value(restartOpt).toInt();
    const qsizetype maxPayload = std::max<qsizetype>(1, p.value(payloadOpt).toLongLong());

    std::unique_ptr<QFile> csv;
    if (p.isSet(csvOpt)) {
        csv = std::make_unique<QFile>(p.value(csvOpt));
        if (!csv->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            std::fprintf(stderr, "cannot write %s\n", qPrintable(p.value(csvOpt)));
            return 2;
        }
    }
    auto emitLine = [&csv](const QByteArray& line) {
        std::fprintf(stdout, "%s\n", line.constData());
        std::fflush(stdout);
        if (csv) {
            csv->write(line + '\n');
            csv->flush();
        }
    };

    const int baselineTcp = reliability::openTcpSocketCount();
    Echo echo;
    if (!echo.listen())
        return 2;

    HubOptions options;
    options.jwtSecret = kSecret;
    options.relayPorts = {{443, 0}};
    quint64 generation = 0;
    bool hubReady = false;
    std::unique_ptr<HubEmulator> hub;
    auto makeHub = [&](HubOptions o) {
        hub = std::make_unique<HubEmulator>(o);
        QObject::connect(hub.get(), &HubEmulator::sessionAuthenticated,
                         [&hubReady] { hubReady = true; });
        // Diagnostics: why the hub ended streams / refused users (printed with each error).
        QObject::connect(hub.get(), &HubEmulator::clientDisconnectReceived,
                         [](const QUuid&, const QString& reason) {
                             if (reason != QLatin1String("normal"))
                                 std::fprintf(stderr, "note: client disconnect reason %s\n",
                                              qPrintable(reason));
                         });
        QObject::connect(hub.get(), &HubEmulator::userRejected, [](quint16, const QString& route) {
            std::fprintf(stderr, "note: hub rejected a user (route %s)\n", qPrintable(route));
        });
        QObject::connect(
            hub.get(), &HubEmulator::streamClosed, [](const QUuid&, const QString& why) {
                if (why != QLatin1String("client disconnect") &&
                    why != QLatin1String("session ended") && !why.contains(QLatin1String("user")))
                    std::fprintf(stderr, "note: hub closed a stream: %s\n", qPrintable(why));
            });
        QObject::connect(hub.get(), &HubEmulator::sessionClosed, [&generation, &hubReady] {
            ++generation;
            hubReady = false;
        });
        QString error;
        if (!hub->start(&error)) {
            std::fprintf(stderr, "hub: %s\n", qPrintable(error));
            return false;
        }
        return true;
    };
    if (!makeHub(options))
        return 2;
    // Restarts reuse the same ports so the client finds the hub again.
    options.backendPort = quint16(hub->backendUrl().port());
    const quint16 relayPort = hub->relayListenPort(443);
    options.relayPorts = {{443, relayPort}};

    BackendConfig b;
    b.name = QStringLiteral("soak");
    b.hostnames = {QStringLiteral("soak.test")};
    b.nexusAddresses = {hub->backendUrl().toString()};
    b.attestation.hmacSecret = QString::fromLatin1(kSecret);
    b.portMappings[443].defaultTarget =
        QStringLiteral("127.0.0.1:%1").arg(echo.server.serverPort());
    Config config;
    config.backends = {b};
    auto client = std::make_unique<Client>(config);
    SessionSnapshot last;
    QObject::connect(client.get(), &Client::sessionChanged,
                     [&last](const SessionSnapshot& s) { last = s; });
    client->start();

    Counters counters;
    quint64 restarts = 0;
    quint32 seed = 1;
    std::vector<std::unique_ptr<User>> users;
    QElapsedTimer clock;
    clock.start();
    emitLine("t_s,rss_kb,fds,threads,users_active,engine_streams,completed,interrupted,errors,"
             "hub_restarts,session_state");

    QTimer churn;
    QObject::connect(&churn, &QTimer::timeout, [&] {
        users.erase(std::remove_if(users.begin(), users.end(),
                                   [](const std::unique_ptr<User>& u) { return u->done(); }),
                    users.end());
        while (hubReady && int(users.size()) < concurrency) {
            const qsizetype size = 1 + qsizetype(QRandomGenerator::global()->bounded(
                                           quint32(std::min<qsizetype>(maxPayload, 1 << 30))));
            users.push_back(
                std::make_unique<User>(relayPort, size, seed++, &counters, &generation, 60000));
        }
    });
    churn.start(20);

    QTimer faults;
    QObject::connect(&faults, &QTimer::timeout, [&] {
        ++restarts;
        ++generation;
        hubReady = false;
        if (restarts % 2 == 1) {
            hub->dropSessions(false); // cut without a close frame
        } else {
            hub.reset();           // the hub process "dies"...
            if (!makeHub(options)) // ...and comes back on the same ports
                std::fprintf(stderr, "ERROR: hub restart failed\n");
        }
    });
    if (restartS > 0)
        faults.start(restartS * 1000);

    auto report = [&] {
        const QByteArray line =
            QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11")
                .arg(clock.elapsed() / 1000)
                .arg(reliability::rssKb())
                .arg(reliability::openFdCount())
                .arg(reliability::threadCount())
                .arg(std::count_if(users.begin(), users.end(),
                                   [](const std::unique_ptr<User>& u) { return !u->done(); }))
                .arg(last.activeStreams)
                .arg(counters.completed)
                .arg(counters.interrupted)
                .arg(counters.errors)
                .arg(restarts)
                .arg(QLatin1String(stateName(last.state)))
                .toLatin1();
        emitLine(line);
    };
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, report);
    ticker.start(intervalS * 1000);

    QTimer::singleShot(durationS * 1000, &app, [&] {
        churn.stop();
        faults.stop();
        ticker.stop();
        report();
        // Let in-flight users finish (bounded), then stop the client gracefully.
        QElapsedTimer wait;
        wait.start();
        while (wait.elapsed() < 30000 &&
               std::any_of(users.begin(), users.end(),
                           [](const std::unique_ptr<User>& u) { return !u->done(); }))
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        users.clear();
        QObject::connect(client.get(), &Client::stopped, &app, &QCoreApplication::quit);
        client->stop();
    });
    app.exec();
    client.reset();
    hub.reset();
    echo.server.close();
    for (int i = 0; i < 20; ++i) // deleteLater of closed sockets
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    const int endTcp = reliability::openTcpSocketCount();
    std::fprintf(
        stdout,
        "# summary: completed=%llu interrupted=%llu errors=%llu bytes=%llu restarts=%llu "
        "warnings=%d peak_rss_kb=%lld tcp_sockets_before=%d tcp_sockets_after=%d fds_after=%d\n",
        static_cast<unsigned long long>(counters.completed),
        static_cast<unsigned long long>(counters.interrupted),
        static_cast<unsigned long long>(counters.errors),
        static_cast<unsigned long long>(counters.bytes), static_cast<unsigned long long>(restarts),
        g_warnings, static_cast<long long>(reliability::peakRssKb()), baselineTcp, endTcp,
        reliability::openFdCount());
    if (endTcp > baselineTcp)
        for (const QString& fd : reliability::openFdTargets())
            std::fprintf(stdout, "# fd %s\n", qPrintable(fd));
    return counters.errors == 0 && endTcp <= baselineTcp ? 0 : 1;
}
