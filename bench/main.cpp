// nexus-bench: measures the nexus-tray engine on loopback against a minimal hub peer and compares
// every figure with a direct loopback connection to the same local services.
//
// Two processes: this one (the driver: hub peer, origin services, load) starts nexus-bench-client;
// that child runs only nexustray::Client (the real engine, a session on its own worker thread).
// The client's CPU time and RSS are read from /proc/<child>/..., so they contain the client's costs
// and nothing of the hub or the load generators. It is its own executable so that the libraries
// only the driver needs (OpenSSL for the TLS origin) are not mapped into it and counted in its
// RSS. See docs/PERFORMANCE.md.
//
// --hub wss serves the hub side over TLS (a throw-away CA, trusted by the client); --client
// qwebsocket starts nexus-bench-qws-client instead (the same engine over QWebSocket); --compare
// runs the bulk figures for every combination and prints them side by side. The TLS workloads
// (sections rate and tlsload, issue 10) use TLS clients on their own thread (TlsLoad), the hub
// peer's user port (UserPort) and a Go-like TLS origin (TlsOrigin). The idle section also starts
// nexus-bench-floor, a bare Qt client on the same libraries, for the memory floor.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QSysInfo>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

#include "AppClientConfig.h"
#include "BenchCa.h"
#include "HubPeer.h"
#include "MetricsScraper.h"
#include "Origin.h"
#include "Pattern.h"
#include "TlsLoad.h"
#include "Transport.h"
#include "UdpLoad.h"
#include "UserPort.h"
#include "Wait.h"

using namespace bench;

namespace {

// Reference figures of the Go client on this kind of machine (the issue's measurements).
constexpr double kGoTunnelMBps = 175.0;
constexpr double kGoCpuPerGiB = 3.5;
constexpr double kGoRssIdleMB = 11.0;
constexpr double kGoRssBulkMB = 21.0;

void raiseFileLimit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements of the child process

struct ProcStats {
    double cpuSeconds = 0; // user + system, all threads
    double rssMB = 0;
    double hwmMB = 0;
    double anonMB = 0; // RssAnon: the process's own memory, without shared library pages
};

ProcStats readProc(qint64 pid) {
    ProcStats s;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 12) // fields 14 and 15 of stat(5): utime, stime
            s.cpuSeconds =
                double(f[11].toLongLong() + f[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray& l : status.readAll().split('\n')) {
            const auto kb = [&l] { return l.mid(6).trimmed().split(' ').first().toDouble(); };
            if (l.startsWith("VmRSS:"))
                s.rssMB = kb() / 1024.0;
            else if (l.startsWith("VmHWM:"))
                s.hwmMB = kb() / 1024.0;
            else if (l.startsWith("RssAnon:"))
                s.anonMB = l.mid(8).trimmed().split(' ').first().toDouble() / 1024.0;
        }
    }
    return s;
}

// The memory floor (nexus-bench-floor, beside this executable): a bare Qt client on the libraries
// the client is built on, holding one WebSocket to a hub peer of its own; its RSS once the hub has
// answered the upgrade, read after the same settling time as the client's. < 0 if it failed.
double floorRss(bool tls, const BenchCa* ca) {
    HubPeer hub;
    if (!(tls ? hub.listenTls(ca->serverConfiguration()) : hub.listen()))
        return -1;
    QProcess floor;
    floor.setProgram(QCoreApplication::applicationDirPath() + QStringLiteral("/nexus-bench-floor"));
    QStringList args{QString::number(hub.port())};
    if (tls)
        args << ca->caPemPath();
    floor.setArguments(args);
    floor.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    floor.start();
    QByteArray out;
    waitUntil(
        [&] {
            out += floor.readAllStandardOutput();
            return out.contains("ready") || floor.state() == QProcess::NotRunning;
        },
        15000);
    double rss = -1;
    if (out.contains("ready")) {
        waitUntil([] { return false; }, 200); // as after the client's first relayed byte
        rss = readProc(floor.processId()).rssMB;
    } else {
        std::fprintf(stderr, "nexus-bench-floor did not connect: %s\n",
                     qPrintable(floor.error() == QProcess::UnknownError ? QStringLiteral("timeout")
                                                                        : floor.errorString()));
    }
    floor.kill();
    floor.waitForFinished();
    return rss;
}

// Restart VmHWM at the current RSS (proc(5), clear_refs "5"), so that each run reports its own
// peak. Without permission the peak simply stays cumulative.
void resetPeakRss(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/clear_refs").arg(pid));
    if (f.open(QIODevice::WriteOnly))
        f.write("5");
}

// "1.20 0.80 0.50": other load on the machine makes throughput figures noisy; print it.
QString loadAverage() {
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    const QList<QByteArray> parts = f.readAll().split(' ');
    return QString::fromLatin1(parts.mid(0, 3).join(' '));
}

double selfCpuSeconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

QElapsedTimer g_clock;
qint64 nowNs() {
    return g_clock.nsecsElapsed();
}

// ---------------------------------------------------------------------------------------------
// Scenarios

struct BulkResult {
    bool ok = false;
    quint64 bytes = 0;
    double seconds = 0;
    double clientCpu = 0; // tunnel only
    double driverCpu = 0;
    double peakRssMB = 0; // client VmHWM during this run (tunnel only)
    double mbps() const { return seconds > 0 ? double(bytes) / seconds / 1e6 : 0; }
    double cpuPerGiB() const {
        return bytes > 0 ? clientCpu / (double(bytes) / double(1ull << 30)) : 0;
    }
};

// The p-th percentile of sorted nanosecond samples, in milliseconds.
double percentileMs(const std::vector<qint64>& sorted, double p) {
    if (sorted.empty())
        return 0.0;
    const auto i = std::min(sorted.size() - 1, std::size_t(p * double(sorted.size())));
    return double(sorted[i]) / 1e6;
}

struct LatencyResult {
    bool ok = false;
    quint64 requests = 0;
    quint64 failures = 0;
    double seconds = 0;
    double p50 = 0, p99 = 0, p999 = 0, max = 0; // milliseconds, to the answer's last byte
    // To the end of the stream (tunnel: the client's disconnect reached the hub peer; direct: the
    // origin's FIN): what a user who reads to EOF (HTTP/1.0, curl on a closing response) waits.
    double closeP50 = 0, closeP99 = 0;
    double clientCpu = 0;
    double rps() const { return seconds > 0 ? double(requests) / seconds : 0; }
    void setPercentiles(std::vector<qint64>& samples) {
        std::sort(samples.begin(), samples.end());
        requests = samples.size();
        p50 = percentileMs(samples, 0.50);
        p99 = percentileMs(samples, 0.99);
        p999 = percentileMs(samples, 0.999);
        max = samples.empty() ? 0 : double(samples.back()) / 1e6;
    }
};

class Driver {
public:
    Driver(HubPeer* hub, Origin* origin, qint64 clientPid)
        : m_hub(hub)
        , m_origin(origin) {
        m_clientPid = clientPid;
    }

    void setClientPid(qint64 pid) { m_clientPid = pid; }

    BulkResult bulk(Transport& t, bool download, int streams, quint64 total) {
        BulkResult r;
        const quint64 per = std::max<quint64>(total / quint64(streams), 1);
        int done = 0;
        bool intact = true;
        qint64 endNs = 0;
        std::unordered_set<Conn*> live;
        resetPeakRss(m_clientPid);
        const ProcStats before = readProc(m_clientPid);
        const double driverBefore = selfCpuSeconds();
        const qint64 startNs = nowNs();
        for (int i = 0; i < streams; ++i) {
            Conn* c = t.open(download ? Service::Source : Service::Sink, countHeader(per));
            live.insert(c);
            if (download) {
                c->onData = [&, received = quint64(0)](const char* d, qsizetype n) mutable {
                    if (!Pattern::instance().matches(received, d, n) || received + quint64(n) > per)
                        intact = false;
                    received += quint64(n);
                    if (received == per) {
                        ++done;
                        endNs = nowNs();
                    }
                };
            } else {
                c->onData = [&](const char* d, qsizetype n) {
                    if (n != 1 || d[0] != 'K')
                        intact = false;
                    ++done;
                    endNs = nowNs();
                };
                c->upload(per);
            }
            c->onClosed = [&live, c] { live.erase(c); };
        }
        const bool finished = waitUntil([&] { return done >= streams; }, m_timeoutMs);
        waitUntil([&] { return live.empty(); }, 10000); // every stream closed before the next run
        for (Conn* c : std::exchange(live, {}))
            c->close();
        const ProcStats after = readProc(m_clientPid);
        r.ok = finished && intact && m_origin->corruptStreams == 0 && m_hub->creditOverdrafts == 0;
        r.bytes = per * quint64(streams);
        r.seconds = double(endNs - startNs) / 1e9;
        r.clientCpu = after.cpuSeconds - before.cpuSeconds;
        r.driverCpu = selfCpuSeconds() - driverBefore;
        r.peakRssMB = after.hwmMB;
        m_peakBulkRssMB = std::max(m_peakBulkRssMB, after.hwmMB);
        return r;
    }

    BulkResult bulkMedian(Transport& t, bool download, int streams, quint64 total, int runs) {
        std::vector<BulkResult> results;
        for (int i = 0; i < runs; ++i)
            results.push_back(bulk(t, download, streams, total));
        std::sort(results.begin(), results.end(),
                  [](const BulkResult& a, const BulkResult& b) { return a.mbps() < b.mbps(); });
        BulkResult median = results[results.size() / 2];
        for (const BulkResult& r : results)
            median.ok = median.ok && r.ok;
        return median;
    }

    LatencyResult exchanges(Transport& t, int concurrency, int durationMs, int size) {
        LatencyResult r;
        std::vector<qint64> samples;
        samples.reserve(1 << 16);
        std::vector<qint64> closeSamples;
        closeSamples.reserve(1 << 16);
        const QByteArray request =
            countHeader(quint64(size)) + QByteArray(Pattern::instance().at(0), size - 8);
        int active = 0;
        std::unordered_set<Conn*> live;
        const ProcStats before = readProc(m_clientPid);
        const qint64 startNs = nowNs();
        const qint64 deadline = startNs + qint64(durationMs) * 1000000;
        std::function<void()> issue = [&] {
            ++active;
            Conn* c = t.open(Service::Echo, request);
            live.insert(c);
            const qint64 sent = nowNs();
            c->onData = [&, sent, received = qsizetype(0)](const char* d, qsizetype n) mutable {
                if (received + n > size || !Pattern::instance().matches(quint64(received), d, n))
                    ++r.failures;
                received += n;
                if (received != size)
                    return;
                const qint64 now = nowNs();
                samples.push_back(now - sent);
                --active;
                if (now < deadline)
                    issue();
            };
            c->onClosed = [&live, &closeSamples, c, sent] {
                live.erase(c);
                closeSamples.push_back(nowNs() - sent);
            };
        };
        for (int i = 0; i < concurrency; ++i)
            issue();
        const bool finished = waitUntil([&] { return active == 0; }, durationMs + m_timeoutMs);
        const qint64 endNs = nowNs();
        waitUntil([&] { return live.empty(); }, 10000);
        for (Conn* c : std::exchange(live, {}))
            c->close();
        r.clientCpu = readProc(m_clientPid).cpuSeconds - before.cpuSeconds;
        r.seconds = double(endNs - startNs) / 1e9;
        r.setPercentiles(samples);
        std::sort(closeSamples.begin(), closeSamples.end());
        r.closeP50 = percentileMs(closeSamples, 0.50);
        r.closeP99 = percentileMs(closeSamples, 0.99);
        r.ok = finished && r.failures == 0 && !samples.empty() && m_origin->corruptStreams == 0;
        return r;
    }

    // A TLS workload (TlsLoad), with the client's CPU during the run.
    LatencyResult tls(const std::function<TlsSamples()>& run) {
        LatencyResult r;
        const ProcStats before = readProc(m_clientPid);
        // The users on a thread of their own, like real users (separate from the hub peer, which
        // then reads each of their segments as it arrives, as the real hub does).
        TlsSamples samples;
        std::unique_ptr<QThread> users(QThread::create([&] { samples = run(); }));
        users->start();
        waitUntil([&] { return users->isFinished(); }, 600000);
        users->wait();
        r.clientCpu = readProc(m_clientPid).cpuSeconds - before.cpuSeconds;
        r.failures = samples.failures;
        r.seconds = samples.seconds;
        r.setPercentiles(samples.ns);
        r.ok = samples.finished && r.failures == 0 && !samples.ns.empty() &&
               m_hub->creditOverdrafts == 0 && m_origin->corruptStreams == 0;
        return r;
    }

    // Opens `count` idle streams, reads the client's RSS, closes them again.
    double idleRss(Transport& t, int count, bool* ok) {
        std::vector<Conn*> conns;
        conns.reserve(std::size_t(count));
        constexpr int kBatch = 500; // keep the origin's accept backlog small
        *ok = true;
        for (int opened = 0; opened < count;) {
            const int n = std::min(kBatch, count - opened);
            for (int i = 0; i < n; ++i)
                conns.push_back(t.open(Service::Idle, QByteArray()));
            opened += n;
            if (!waitUntil([&] { return m_origin->idleConnections >= opened; }, m_timeoutMs)) {
                *ok = false;
                break;
            }
        }
        waitUntil([] { return false; }, 500); // let the client settle (snapshots, buffers)
        const double rss = readProc(m_clientPid).rssMB;
        for (Conn* c : conns)
            c->close();
        if (!waitUntil([&] { return m_origin->idleConnections == 0; }, m_timeoutMs))
            *ok = false;
        return rss;
    }

    double peakBulkRssMB() const { return m_peakBulkRssMB; }
    int m_timeoutMs = 60000;

private:
    HubPeer* m_hub;
    Origin* m_origin;
    qint64 m_clientPid = 0;
    double m_peakBulkRssMB = 0;
};

// ---------------------------------------------------------------------------------------------
// Output

struct Row {
    QString metric;
    QString unit;
    double tunnel = 0;
    double direct = -1; // < 0: no direct counterpart
    double goRef = -1;  // < 0: no reference figure
    bool ok = true;
};

QString fmt(double v) {
    if (v < 0)
        return QStringLiteral("-");
    if (v >= 100)
        return QString::number(v, 'f', 0);
    if (v >= 10)
        return QString::number(v, 'f', 1);
    return QString::number(v, 'f', 2);
}

void printTable(const std::vector<Row>& rows, const QString& header) {
    std::printf("%s\n", qPrintable(header));
    std::printf("| %-50s | %10s | %10s | %8s | %8s | %s\n", "metric", "tunnel", "direct",
                "t/direct", "Go ref", "");
    std::printf(
        "|%s|%s|%s|%s|%s|\n", qPrintable(QString(52, QLatin1Char('-'))),
        qPrintable(QString(12, QLatin1Char('-'))), qPrintable(QString(12, QLatin1Char('-'))),
        qPrintable(QString(10, QLatin1Char('-'))), qPrintable(QString(10, QLatin1Char('-'))));
    for (const Row& r : rows) {
        const QString ratio =
            r.direct > 0 ? QString::number(r.tunnel / r.direct, 'f', 2) + "x" : QStringLiteral("-");
        std::printf("| %-50s | %10s | %10s | %8s | %8s | %s\n",
                    qPrintable(r.metric + QStringLiteral(" (") + r.unit + QStringLiteral(")")),
                    qPrintable(fmt(r.tunnel)), qPrintable(fmt(r.direct)), qPrintable(ratio),
                    qPrintable(fmt(r.goRef)), r.ok ? "" : "FAILED");
    }
    std::fflush(stdout);
}

QList<int> intList(const QString& s) {
    QList<int> out;
    for (const QString& p : s.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out << p.trimmed().toInt();
    return out;
}

int runDriver(const QCommandLineParser& args) {
    const bool quick = args.isSet(QStringLiteral("quick"));
    const bool json = args.isSet(QStringLiteral("json"));
    const double mib = args.value(QStringLiteral("bytes")).toDouble();
    const quint64 bulkBytes = quint64((quick ? 16 : mib) * 1024 * 1024);
    const int durationMs =
        int((quick ? 0.5 : args.value(QStringLiteral("duration")).toDouble()) * 1000);
    const QList<int> streamCounts =
        intList(quick ? QStringLiteral("10") : args.value(QStringLiteral("streams")));
    const QList<int> concurrency =
        intList(quick ? QStringLiteral("1,10") : args.value(QStringLiteral("concurrency")));
    const QList<int> idleCounts =
        intList(quick ? QStringLiteral("100") : args.value(QStringLiteral("idle")));
    const int repeat = quick ? 1 : std::max(1, args.value(QStringLiteral("repeat")).toInt());
    const QStringList only = args.value(QStringLiteral("only")).split(QLatin1Char(','));
    const int exchangeSize =
        std::clamp(args.value(QStringLiteral("exchange-size")).toInt(), 16, 1024 * 1024);
    const int rate = std::max(1, args.value(QStringLiteral("rate")).toInt());
    const int workers = std::max(1, args.value(QStringLiteral("workers")).toInt());
    const int requestGapMs = std::max(0, args.value(QStringLiteral("request-gap")).toInt());
    const bool tlsWorkloads =
        only.contains(QStringLiteral("rate")) || only.contains(QStringLiteral("tlsload"));
    const bool udpWorkload = only.contains(QStringLiteral("udp"));
    const bool socksWorkload = only.contains(QStringLiteral("socks5"));
    // The cost of the metrics (issue 15): the client with its metrics endpoint, unscraped and
    // scraped every second.
    const bool metricsWorkload = only.contains(QStringLiteral("metrics"));

    Origin origin;
    if (!origin.start()) {
        std::fprintf(stderr, "cannot start the origin services\n");
        return 1;
    }
    const bool tls = args.value(QStringLiteral("hub")) == QLatin1String("wss");
    if (!tls && args.value(QStringLiteral("hub")) != QLatin1String("ws")) {
        std::fprintf(stderr, "--hub must be ws or wss\n");
        return 2;
    }
    const QString clientKind = args.value(QStringLiteral("client"));
    const bool appClient = clientKind == QLatin1String("app");
    if (clientKind != QLatin1String("own") && clientKind != QLatin1String("qwebsocket") &&
        !appClient) {
        std::fprintf(stderr, "--client must be own, qwebsocket or app\n");
        return 2;
    }
    if (metricsWorkload && clientKind != QLatin1String("own")) {
        std::fprintf(stderr, "--only metrics needs --client own\n");
        return 2;
    }
    if (appClient && (udpWorkload || socksWorkload)) {
        std::fprintf(stderr, "--only udp/socks5 need --client own or qwebsocket\n");
        return 2;
    }
    const QString clientTarget = appClient         ? QStringLiteral("nexus-tray")
                                 : metricsWorkload ? QStringLiteral("nexus-bench-metrics-client")
                                 : clientKind == QLatin1String("own")
                                     ? QStringLiteral("nexus-bench-client")
                                     : QStringLiteral("nexus-bench-qws-client");
    const QString clientProgram =
        appClient && args.isSet(QStringLiteral("app"))
            ? args.value(QStringLiteral("app"))
            : QCoreApplication::applicationDirPath() +
                  (appClient ? QStringLiteral("/../app/") : QStringLiteral("/")) + clientTarget;
    if (!QFile::exists(clientProgram)) {
        std::fprintf(stderr, "--client %s needs %s (build target %s)\n", qPrintable(clientKind),
                     qPrintable(clientProgram), qPrintable(clientTarget));
        return 2;
    }
    std::unique_ptr<BenchCa> ca;
    HubPeer hub;
    if (tls || tlsWorkloads) {
        ca = std::make_unique<BenchCa>();
        if (!ca->isValid()) {
            std::fprintf(stderr, "cannot create the TLS certificates: %s\n",
                         qPrintable(ca->error()));
            return 1;
        }
    }
    if (!(tls ? hub.listenTls(ca->serverConfiguration()) : hub.listen())) {
        std::fprintf(stderr, "cannot listen for the client\n");
        return 1;
    }
    // conn_port 5: the TLS origin, reached by TLS clients through the hub peer's user port.
    UserPort userPort(&hub, 5);
    if (tlsWorkloads &&
        (!origin.startTls(ca->serverPemPath(), ca->serverKeyPath()) || !userPort.listen())) {
        std::fprintf(stderr, "cannot start the TLS origin\n");
        return 1;
    }
    g_clock.start();
    std::vector<Row> rows;
    QJsonObject out;
    out.insert(QStringLiteral("hub"), tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    out.insert(QStringLiteral("client"), clientKind);
    out.insert(QStringLiteral("machine"),
               QJsonObject{{QStringLiteral("cpus"), QThread::idealThreadCount()},
                           {QStringLiteral("kernel"), QSysInfo::kernelVersion()},
                           {QStringLiteral("qt"), QString::fromLatin1(qVersion())},
                           {QStringLiteral("loadAverageAtStart"), loadAverage()}});
    const QString loadAtStart = loadAverage();

    // --- start the client and relay the first byte
    QProcess child;
    child.setProgram(clientProgram);
    const QString hubUrl = QStringLiteral("%1://127.0.0.1:%2/connect")
                               .arg(tls ? QStringLiteral("wss") : QStringLiteral("ws"))
                               .arg(hub.port());
    QStringList childArgs{
        QStringLiteral("--client-process"), QStringLiteral("--hub-url"), hubUrl,
        QStringLiteral("--ports"),
        QStringLiteral("%1,%2,%3,%4")
                .arg(origin.sourcePort)
                .arg(origin.sinkPort)
                .arg(origin.echoPort)
                .arg(origin.idlePort) +
            (tlsWorkloads ? QStringLiteral(",%1").arg(origin.tlsPort) : QString())};
    if (tls)
        childArgs << QStringLiteral("--ca-file") << ca->caPemPath();
    if (udpWorkload) // conn_port 6: udpRoutes + mapping to the UDP echo
        childArgs << QStringLiteral("--udp-port") << QString::number(origin.udpEchoPort);
    quint16 socksPort = 0;
    if (socksWorkload) { // outbound allowed, a SOCKS5 listener on a free loopback port
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost);
        socksPort = probe.serverPort();
        childArgs << QStringLiteral("--socks5-port") << QString::number(socksPort);
        bridgeOutbound(&hub);
    }
    QString metricsAddr;
    if (metricsWorkload) { // the metrics endpoint on a free loopback port
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost);
        metricsAddr = QStringLiteral("127.0.0.1:%1").arg(probe.serverPort());
        childArgs << QStringLiteral("--metrics") << metricsAddr;
    }
    QTemporaryDir appConfigDir;
    if (appClient) { // the same client, configured by a file as users do
        QList<quint16> ports{origin.sourcePort, origin.sinkPort, origin.echoPort, origin.idlePort};
        if (tlsWorkloads)
            ports << origin.tlsPort;
        const QString path = appConfigDir.filePath(QStringLiteral("config.yaml"));
        QFile file(path);
        if (!appConfigDir.isValid() || !file.open(QIODevice::WriteOnly) ||
            file.write(appClientConfig(hubUrl, ports, tls ? ca->caPemPath() : QString())) < 0) {
            std::fprintf(stderr, "cannot write the app's config in %s\n",
                         qPrintable(appConfigDir.path()));
            return 1;
        }
        file.close();
        childArgs = QStringList{QStringLiteral("--no-gui"), QStringLiteral("--config"), path};
    }
    child.setArguments(childArgs);
    child.setProcessChannelMode(args.isSet(QStringLiteral("verbose"))
                                    ? QProcess::ForwardedChannels
                                    : QProcess::ForwardedOutputChannel);
    if (!args.isSet(QStringLiteral("verbose")))
        child.setStandardErrorFile(QProcess::nullDevice());
    TunnelTransport tunnel(&hub);
    DirectTransport direct(origin.sourcePort, origin.sinkPort, origin.echoPort, origin.idlePort);
    Driver driver(&hub, &origin, 0);

    const auto firstByte = [&](Transport& t, qint64 startNs) {
        qint64 at = -1;
        const QByteArray req = countHeader(quint64(exchangeSize)) +
                               QByteArray(Pattern::instance().at(0), exchangeSize - 8);
        const auto open = [&] {
            Conn* c = t.open(Service::Echo, req);
            c->onData = [&](const char*, qsizetype) {
                if (at < 0)
                    at = nowNs();
            };
        };
        if (&t == &tunnel)
            hub.onLive = open;
        const qint64 t0 = nowNs();
        if (&t == &tunnel) {
            child.start();
            driver.setClientPid(child.processId());
        } else {
            open();
        }
        waitUntil([&] { return at >= 0; }, 15000);
        waitUntil([] { return false; }, 200); // let the exchange finish and close
        return at < 0 ? -1.0 : double(at - (startNs >= 0 ? startNs : t0)) / 1e6;
    };
    const double firstTunnel = firstByte(tunnel, -1);
    if (firstTunnel < 0) {
        std::fprintf(stderr, "the client did not relay anything within 15 s\n");
        child.kill();
        child.waitForFinished();
        return 1;
    }
    const double firstDirect = firstByte(direct, -1);
    rows.push_back({QStringLiteral("time from start to first relayed byte"), QStringLiteral("ms"),
                    firstTunnel, firstDirect, -1, true});
    out.insert(QStringLiteral("firstByteMs"), QJsonObject{{QStringLiteral("tunnel"), firstTunnel},
                                                          {QStringLiteral("direct"), firstDirect}});
    const double rssStart = readProc(child.processId()).rssMB;
    const double anonStart = readProc(child.processId()).anonMB;

    // --- bulk throughput
    QJsonArray bulkJson;
    double cpuSum = 0;
    quint64 cpuBytes = 0;
    QList<int> bulkStreams{1};
    bulkStreams += streamCounts;
    for (int streams : bulkStreams) {
        for (bool download : {true, false}) {
            if (!only.contains(download ? QStringLiteral("download") : QStringLiteral("upload")))
                continue;
            const BulkResult tr = driver.bulkMedian(tunnel, download, streams, bulkBytes, repeat);
            const BulkResult dr = driver.bulkMedian(direct, download, streams, bulkBytes, repeat);
            const QString what =
                QStringLiteral("%1, %2 stream%3")
                    .arg(download ? QStringLiteral("download") : QStringLiteral("upload"))
                    .arg(streams)
                    .arg(streams == 1 ? "" : "s");
            rows.push_back({what, QStringLiteral("MB/s"), tr.mbps(), dr.mbps(),
                            streams == 1 && download ? kGoTunnelMBps : -1, tr.ok && dr.ok});
            rows.push_back({QStringLiteral("  client CPU per GiB, ") + what, QStringLiteral("s"),
                            tr.cpuPerGiB(), -1, streams == 1 && download ? kGoCpuPerGiB : -1,
                            tr.ok});
            rows.push_back({QStringLiteral("  client peak RSS, ") + what, QStringLiteral("MB"),
                            tr.peakRssMB, -1, streams == 1 && download ? kGoRssBulkMB : -1, tr.ok});
            cpuSum += tr.clientCpu;
            cpuBytes += tr.bytes;
            bulkJson.append(
                QJsonObject{{QStringLiteral("direction"), download ? "download" : "upload"},
                            {QStringLiteral("streams"), streams},
                            {QStringLiteral("bytes"), double(tr.bytes)},
                            {QStringLiteral("tunnelMBps"), tr.mbps()},
                            {QStringLiteral("directMBps"), dr.mbps()},
                            {QStringLiteral("clientCpuSeconds"), tr.clientCpu},
                            {QStringLiteral("clientCpuPerGiB"), tr.cpuPerGiB()},
                            {QStringLiteral("clientPeakRssMB"), tr.peakRssMB},
                            {QStringLiteral("driverCpuSeconds"), tr.driverCpu},
                            {QStringLiteral("ok"), tr.ok && dr.ok}});
        }
    }
    out.insert(QStringLiteral("bulk"), bulkJson);
    const double cpuPerGiB = cpuBytes ? cpuSum / (double(cpuBytes) / double(1ull << 30)) : 0;
    rows.push_back({QStringLiteral("client CPU per GiB, all bulk runs"), QStringLiteral("s"),
                    cpuPerGiB, -1, kGoCpuPerGiB, true});
    out.insert(QStringLiteral("clientCpuPerGiB"), cpuPerGiB);

    // --- request / response exchanges, a new stream each
    QJsonArray latJson;
    for (int c : concurrency) {
        if (!only.contains(QStringLiteral("exchange")))
            break;
        const LatencyResult tr = driver.exchanges(tunnel, c, durationMs, exchangeSize);
        const LatencyResult dr = driver.exchanges(direct, c, durationMs, exchangeSize);
        const QString what =
            QStringLiteral("%1 B exchange, %2 concurrent").arg(exchangeSize).arg(c);
        const bool ok = tr.ok && dr.ok;
        rows.push_back({what + QStringLiteral(", rate"), QStringLiteral("req/s"), tr.rps(),
                        dr.rps(), c == 10 ? 1180.0 : -1.0, ok});
        rows.push_back(
            {what + QStringLiteral(", p50"), QStringLiteral("ms"), tr.p50, dr.p50, -1, ok});
        rows.push_back({what + QStringLiteral(", p99"), QStringLiteral("ms"), tr.p99, dr.p99,
                        c == 10 ? 1000.0 : -1.0, ok});
        rows.push_back(
            {what + QStringLiteral(", p99.9"), QStringLiteral("ms"), tr.p999, dr.p999, -1, ok});
        rows.push_back({what + QStringLiteral(", p50 to close"), QStringLiteral("ms"), tr.closeP50,
                        dr.closeP50, -1, ok});
        rows.push_back({what + QStringLiteral(", p99 to close"), QStringLiteral("ms"), tr.closeP99,
                        dr.closeP99, -1, ok});
        latJson.append(
            QJsonObject{{QStringLiteral("concurrency"), c},
                        {QStringLiteral("tunnel"),
                         QJsonObject{{QStringLiteral("requests"), double(tr.requests)},
                                     {QStringLiteral("rps"), tr.rps()},
                                     {QStringLiteral("p50ms"), tr.p50},
                                     {QStringLiteral("p99ms"), tr.p99},
                                     {QStringLiteral("p999ms"), tr.p999},
                                     {QStringLiteral("maxms"), tr.max},
                                     {QStringLiteral("closeP50ms"), tr.closeP50},
                                     {QStringLiteral("closeP99ms"), tr.closeP99},
                                     {QStringLiteral("clientCpuSeconds"), tr.clientCpu}}},
                        {QStringLiteral("direct"),
                         QJsonObject{{QStringLiteral("requests"), double(dr.requests)},
                                     {QStringLiteral("rps"), dr.rps()},
                                     {QStringLiteral("p50ms"), dr.p50},
                                     {QStringLiteral("p99ms"), dr.p99},
                                     {QStringLiteral("p999ms"), dr.p999},
                                     {QStringLiteral("maxms"), dr.max},
                                     {QStringLiteral("closeP50ms"), dr.closeP50},
                                     {QStringLiteral("closeP99ms"), dr.closeP99}}},
                        {QStringLiteral("ok"), ok}});
    }
    out.insert(QStringLiteral("exchanges"), latJson);

    // --- interactive latency over TLS at a fixed rate, and new TLS connections at saturation
    QJsonObject tlsJson;
    const auto tlsFigures = [&](const QString& key, const QString& what, const LatencyResult& tr,
                                const LatencyResult& dr, bool perConnection) {
        const bool ok = tr.ok && dr.ok;
        if (perConnection) {
            rows.push_back({what + QStringLiteral(", rate"), QStringLiteral("conn/s"), tr.rps(),
                            dr.rps(), -1, ok});
            rows.push_back({what + QStringLiteral(", client CPU/conn"), QStringLiteral("us"),
                            tr.requests ? tr.clientCpu / double(tr.requests) * 1e6 : 0, -1, -1,
                            ok});
        }
        rows.push_back(
            {what + QStringLiteral(", p50"), QStringLiteral("ms"), tr.p50, dr.p50, -1, ok});
        rows.push_back(
            {what + QStringLiteral(", p99"), QStringLiteral("ms"), tr.p99, dr.p99, -1, ok});
        const auto figures = [](const LatencyResult& l) {
            return QJsonObject{{QStringLiteral("requests"), double(l.requests)},
                               {QStringLiteral("failures"), double(l.failures)},
                               {QStringLiteral("rps"), l.rps()},
                               {QStringLiteral("p50ms"), l.p50},
                               {QStringLiteral("p99ms"), l.p99},
                               {QStringLiteral("p999ms"), l.p999},
                               {QStringLiteral("maxms"), l.max},
                               {QStringLiteral("clientCpuSeconds"), l.clientCpu}};
        };
        tlsJson.insert(key, QJsonObject{{QStringLiteral("tunnel"), figures(tr)},
                                        {QStringLiteral("direct"), figures(dr)},
                                        {QStringLiteral("ok"), ok}});
    };
    if (tlsWorkloads) {
        TlsLoad load(ca->clientConfiguration(), exchangeSize, requestGapMs);
        const quint16 tunnelPort = userPort.port();
        const quint16 directPort = origin.tlsPort;
        if (only.contains(QStringLiteral("rate"))) {
            const auto newConns = [&](quint16 port) {
                return driver.tls([&] { return load.newConnections(port, rate, durationMs); });
            };
            const LatencyResult nt = newConns(tunnelPort);
            tlsFigures(QStringLiteral("newConnectionsAtRate"),
                       QStringLiteral("new TLS conn + %1 B, %2/s").arg(exchangeSize).arg(rate), nt,
                       newConns(directPort), false);
            const auto kept = [&](quint16 port) {
                return driver.tls([&] { return load.keepAlive(port, rate, durationMs); });
            };
            const LatencyResult kt = kept(tunnelPort);
            tlsFigures(QStringLiteral("keepAliveAtRate"),
                       QStringLiteral("TLS keep-alive %1 B, %2/s").arg(exchangeSize).arg(rate), kt,
                       kept(directPort), false);
        }
        if (only.contains(QStringLiteral("tlsload"))) {
            const auto saturate = [&](quint16 port) {
                return driver.tls([&] { return load.saturate(port, workers, durationMs); });
            };
            const LatencyResult st = saturate(tunnelPort);
            tlsFigures(QStringLiteral("newConnectionsSaturated"),
                       QStringLiteral("new TLS conns, %1 workers").arg(workers), st,
                       saturate(directPort), true);
        }
        tlsJson.insert(QStringLiteral("rate"), rate);
        tlsJson.insert(QStringLiteral("workers"), workers);
        tlsJson.insert(QStringLiteral("requestGapMs"), requestGapMs);
        out.insert(QStringLiteral("tls"), tlsJson);
    }

    // --- outbound streams through the client's SOCKS5 listener (issue 14): bulk, as above
    if (socksWorkload) {
        SocksTransport socks(socksPort, origin.sourcePort, origin.sinkPort, origin.echoPort,
                             origin.idlePort);
        QJsonArray socksJson;
        for (int streams : bulkStreams) {
            for (bool download : {true, false}) {
                const BulkResult tr =
                    driver.bulkMedian(socks, download, streams, bulkBytes, repeat);
                const BulkResult dr =
                    driver.bulkMedian(direct, download, streams, bulkBytes, repeat);
                const QString what =
                    QStringLiteral("SOCKS5 outbound %1, %2 stream%3")
                        .arg(download ? QStringLiteral("download") : QStringLiteral("upload"))
                        .arg(streams)
                        .arg(streams == 1 ? "" : "s");
                rows.push_back(
                    {what, QStringLiteral("MB/s"), tr.mbps(), dr.mbps(), -1, tr.ok && dr.ok});
                rows.push_back({QStringLiteral("  client CPU per GiB"), QStringLiteral("s"),
                                tr.cpuPerGiB(), -1, -1, tr.ok});
                socksJson.append(
                    QJsonObject{{QStringLiteral("direction"), download ? "download" : "upload"},
                                {QStringLiteral("streams"), streams},
                                {QStringLiteral("socksMBps"), tr.mbps()},
                                {QStringLiteral("directMBps"), dr.mbps()},
                                {QStringLiteral("clientCpuPerGiB"), tr.cpuPerGiB()},
                                {QStringLiteral("ok"), tr.ok && dr.ok}});
            }
        }
        out.insert(QStringLiteral("socks5"), socksJson);
    }

    // --- the metrics endpoint (issue 15): bulk download and exchanges, unscraped and scraped
    if (metricsWorkload) {
        QJsonArray metricsJson;
        MetricsScraper scraper(metricsAddr, 1000);
        for (bool scraped : {false, true}) {
            const QString how =
                scraped ? QStringLiteral("scraped 1/s") : QStringLiteral("unscraped");
            if (scraped)
                scraper.start();
            const BulkResult tr = driver.bulkMedian(tunnel, true, 1, bulkBytes, repeat);
            const int exchangeConcurrency = 10;
            const LatencyResult lr =
                driver.exchanges(tunnel, exchangeConcurrency, durationMs, exchangeSize);
            scraper.stop();
            const bool ok = tr.ok && lr.ok && scraper.failures() == 0;
            rows.push_back({QStringLiteral("metrics %1: download, 1 stream").arg(how),
                            QStringLiteral("MB/s"), tr.mbps(), -1, -1, ok});
            rows.push_back({QStringLiteral("  client CPU per GiB"), QStringLiteral("s"),
                            tr.cpuPerGiB(), -1, -1, ok});
            rows.push_back({QStringLiteral("metrics %1: %2 B exch., %3 conc., rate")
                                .arg(how)
                                .arg(exchangeSize)
                                .arg(exchangeConcurrency),
                            QStringLiteral("req/s"), lr.rps(), -1, -1, ok});
            rows.push_back({QStringLiteral("  p99"), QStringLiteral("ms"), lr.p99, -1, -1, ok});
            rows.push_back({QStringLiteral("  client CPU per 1000 exchanges"), QStringLiteral("ms"),
                            lr.requests ? lr.clientCpu * 1e6 / double(lr.requests) : -1, -1, -1,
                            ok});
            metricsJson.append(
                QJsonObject{{QStringLiteral("scraped"), scraped},
                            {QStringLiteral("downloadMBps"), tr.mbps()},
                            {QStringLiteral("downloadClientCpuPerGiB"), tr.cpuPerGiB()},
                            {QStringLiteral("exchangeRps"), lr.rps()},
                            {QStringLiteral("exchangeP99ms"), lr.p99},
                            {QStringLiteral("exchangeClientCpuSeconds"), lr.clientCpu},
                            {QStringLiteral("exchanges"), double(lr.requests)},
                            {QStringLiteral("scrapes"), double(scraper.scrapes())},
                            {QStringLiteral("scrapeFailures"), double(scraper.failures())},
                            {QStringLiteral("ok"), ok}});
        }
        // The cost of one scrape alone: back-to-back scrapes of the idle client, its CPU divided
        // by their number (the busy figures above are noisier than one scrape a second costs).
        const int burst = 1000;
        const double cpuBefore = readProc(child.processId()).cpuSeconds;
        for (int i = 0; i < burst; ++i) {
            const quint64 want = scraper.scrapes() + scraper.failures() + 1;
            scraper.scrape();
            waitUntil([&] { return scraper.scrapes() + scraper.failures() >= want; }, 5000);
        }
        const double cpuPerScrapeUs =
            (readProc(child.processId()).cpuSeconds - cpuBefore) / burst * 1e6;
        rows.push_back(
            {QStringLiteral("metrics: client CPU per scrape (idle, %1 in a row)").arg(burst),
             QStringLiteral("us"), cpuPerScrapeUs, -1, -1, scraper.failures() == 0});
        out.insert(QStringLiteral("metricsClientCpuPerScrapeUs"), cpuPerScrapeUs);
        rows.push_back({QStringLiteral("metrics scrapes (all answered)"), QStringLiteral("n"),
                        double(scraper.scrapes()), -1, -1, scraper.failures() == 0});
        rows.push_back({QStringLiteral("  bytes per scrape"), QStringLiteral("B"),
                        scraper.scrapes() ? double(scraper.bytes()) / double(scraper.scrapes()) : 0,
                        -1, -1, true});
        out.insert(QStringLiteral("metrics"), metricsJson);
    }

    // --- UDP flows (issue 14): datagrams echoed at a fixed offered rate, 1 and 100 flows
    if (udpWorkload) {
        const int udpRate = std::max(1, args.value(QStringLiteral("udp-rate")).toInt());
        const int udpSize = std::clamp(args.value(QStringLiteral("udp-size")).toInt(), 8, 32768);
        QJsonArray udpJson;
        for (int flows : intList(args.value(QStringLiteral("udp-flows")))) {
            flows = std::max(1, flows);
            const double cpu0 = readProc(child.processId()).cpuSeconds;
            const UdpResult t = runUdpTunnel(hub, 6, flows, udpRate, udpSize, durationMs);
            const double cpu = readProc(child.processId()).cpuSeconds - cpu0;
            const UdpResult d =
                runUdpDirect(origin.udpEchoPort, flows, udpRate, udpSize, durationMs);
            const QString what =
                QStringLiteral("UDP %1 B, %2 flows, %3/s").arg(udpSize).arg(flows).arg(udpRate);
            const bool ok = t.malformed == 0 && t.received > 0;
            rows.push_back({what + QStringLiteral(": echoed"), QStringLiteral("dgram/s"),
                            t.receivedPerSecond(), d.receivedPerSecond(), -1, ok});
            rows.push_back({QStringLiteral("  lost"), QStringLiteral("%"), t.lossPercent(),
                            d.lossPercent(), -1, ok});
            rows.push_back({QStringLiteral("  client CPU per 100k datagrams"), QStringLiteral("s"),
                            t.received ? cpu * 100000.0 / double(t.received) : -1, -1, -1, ok});
            const auto figures = [](const UdpResult& r) {
                return QJsonObject{{QStringLiteral("sent"), double(r.sent)},
                                   {QStringLiteral("received"), double(r.received)},
                                   {QStringLiteral("malformed"), double(r.malformed)},
                                   {QStringLiteral("lossPercent"), r.lossPercent()},
                                   {QStringLiteral("receivedPerSecond"), r.receivedPerSecond()}};
            };
            udpJson.append(QJsonObject{{QStringLiteral("flows"), flows},
                                       {QStringLiteral("rate"), udpRate},
                                       {QStringLiteral("size"), udpSize},
                                       {QStringLiteral("tunnel"), figures(t)},
                                       {QStringLiteral("direct"), figures(d)},
                                       {QStringLiteral("clientCpuSeconds"), cpu},
                                       {QStringLiteral("ok"), ok}});
        }
        out.insert(QStringLiteral("udp"), udpJson);
    }

    // --- memory
    QJsonObject rssJson{{QStringLiteral("afterStartMB"), rssStart},
                        {QStringLiteral("peakDuringBulkMB"), driver.peakBulkRssMB()}};
    rows.push_back({QStringLiteral("client RSS after start (0 streams)"), QStringLiteral("MB"),
                    rssStart, -1, kGoRssIdleMB, true});
    rows.push_back({QStringLiteral("  of which anonymous (RssAnon)"), QStringLiteral("MB"),
                    anonStart, -1, -1, true});
    rssJson.insert(QStringLiteral("afterStartAnonMB"), anonStart);
    rows.push_back({QStringLiteral("client peak RSS during bulk runs"), QStringLiteral("MB"),
                    driver.peakBulkRssMB(), -1, kGoRssBulkMB, true});
    for (int n : idleCounts) {
        if (!only.contains(QStringLiteral("idle")))
            break;
        bool ok = false;
        const double rss = driver.idleRss(tunnel, n, &ok);
        rows.push_back({QStringLiteral("client RSS with %1 idle streams").arg(n),
                        QStringLiteral("MB"), rss, -1, -1, ok});
        rssJson.insert(QStringLiteral("idle%1MB").arg(n), rss);
    }
    if (only.contains(QStringLiteral("idle"))) {
        const double floor = floorRss(tls, ca.get());
        rows.push_back({QStringLiteral("floor: bare Qt client on the same libraries"),
                        QStringLiteral("MB"), floor, -1, kGoRssIdleMB, floor >= 0});
        rssJson.insert(QStringLiteral("floorMB"), floor);
    }
    // The engine hands freed heap back after streams have been gone for a second (HeapTrimmer).
    waitUntil([] { return false; }, 2000);
    const double rssEnd = readProc(child.processId()).rssMB;
    rssJson.insert(QStringLiteral("atEndMB"), rssEnd);
    out.insert(QStringLiteral("rss"), rssJson);
    rows.push_back({QStringLiteral("client RSS at the end (0 streams, 2 s later)"),
                    QStringLiteral("MB"), rssEnd, -1, kGoRssIdleMB, true});
    out.insert(QStringLiteral("checks"),
               QJsonObject{{QStringLiteral("creditOverdrafts"), double(hub.creditOverdrafts)},
                           {QStringLiteral("corruptStreams"), origin.corruptStreams.load()},
                           {QStringLiteral("badMessages"), double(hub.badMessages)}});

    child.terminate();
    if (!child.waitForFinished(5000)) {
        child.kill();
        child.waitForFinished();
    }

    bool allOk = hub.creditOverdrafts == 0 && origin.corruptStreams == 0 && hub.badMessages == 0;
    for (const Row& r : rows)
        allOk = allOk && r.ok;
    out.insert(QStringLiteral("ok"), allOk);
    out.insert(QStringLiteral("loadAverageAtEnd"), loadAverage());
    if (json) {
        std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    } else {
        printTable(rows, QStringLiteral("nexus-bench: hub %6, client WebSocket %7; %1 MiB per bulk "
                                        "run, %2 s per exchange run, %3 CPUs, load average %4 at "
                                        "start, %5 at end (MB = 10^6 bytes)")
                             .arg(double(bulkBytes) / 1048576.0)
                             .arg(durationMs / 1000.0)
                             .arg(QThread::idealThreadCount())
                             .arg(loadAtStart, loadAverage(), tls ? "wss://" : "ws://",
                                  appClient ? "own, in nexus-tray --no-gui"
                                  : clientKind == QLatin1String("own") ? "own"
                                                                       : "QWebSocket"));
        std::printf("checks: credit overdrafts %llu, corrupt streams %d, bad messages %llu -> %s\n",
                    static_cast<unsigned long long>(hub.creditOverdrafts),
                    origin.corruptStreams.load(), static_cast<unsigned long long>(hub.badMessages),
                    allOk ? "all bytes intact" : "FAILED");
    }
    return allOk ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// --compare: the bulk figures for ws:// and wss://, own client and QWebSocket, side by side. Each
// combination is a separate run of this program (--json), one after the other on the same machine.

int runCompare(const QCommandLineParser& args) {
    struct Column {
        QString client, hub, title;
        QJsonObject result;
        bool ok = false;
    };
    std::vector<Column> cols{{"own", "ws", "ws own", {}, false},
                             {"own", "wss", "wss own", {}, false},
                             {"qwebsocket", "ws", "ws QWebSocket", {}, false},
                             {"qwebsocket", "wss", "wss QWebSocket", {}, false}};
    const bool quick = args.isSet(QStringLiteral("quick"));
    for (Column& c : cols) {
        QStringList a{QStringLiteral("--json"),
                      QStringLiteral("--hub"),
                      c.hub,
                      QStringLiteral("--client"),
                      c.client,
                      QStringLiteral("--only"),
                      QStringLiteral("download,upload")};
        if (quick)
            a << QStringLiteral("--quick");
        for (const char* o : {"bytes", "streams", "repeat"})
            a << QStringLiteral("--") + QLatin1String(o) << args.value(QLatin1String(o));
        std::fprintf(stderr, "nexus-bench --compare: %s ...\n", qPrintable(c.title));
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QCoreApplication::applicationFilePath(), a);
        p.waitForFinished(-1);
        c.result = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        c.ok = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0 &&
               c.result.value(QStringLiteral("ok")).toBool();
    }

    // One row per figure; a column shows "-" where its run has no such figure.
    struct CRow {
        QString metric;
        std::vector<double> v;
    };
    std::vector<CRow> rows;
    const auto add = [&](const QString& metric,
                         const std::function<double(const QJsonObject&)>& f) {
        CRow r{metric, {}};
        for (const Column& c : cols)
            r.v.push_back(c.result.isEmpty() ? -1 : f(c.result));
        rows.push_back(r);
    };
    const QJsonArray bulk0 = cols[0].result.value(QStringLiteral("bulk")).toArray();
    for (int i = 0; i < bulk0.size(); ++i) {
        const QJsonObject b = bulk0[i].toObject();
        const int streams = b.value(QStringLiteral("streams")).toInt();
        const QString what = QStringLiteral("%1, %2 stream%3")
                                 .arg(b.value(QStringLiteral("direction")).toString())
                                 .arg(streams)
                                 .arg(streams == 1 ? "" : "s");
        const auto field = [i](const char* key) {
            return [i, key](const QJsonObject& r) {
                const QJsonArray a = r.value(QStringLiteral("bulk")).toArray();
                return i < a.size() ? a[i].toObject().value(QLatin1String(key)).toDouble(-1) : -1;
            };
        };
        add(what + QStringLiteral(" (MB/s)"), field("tunnelMBps"));
        add(QStringLiteral("  client CPU per GiB, ") + what + QStringLiteral(" (s)"),
            field("clientCpuPerGiB"));
        add(QStringLiteral("  client peak RSS, ") + what + QStringLiteral(" (MB)"),
            field("clientPeakRssMB"));
    }
    add(QStringLiteral("client CPU per GiB, all bulk runs (s)"), [](const QJsonObject& r) {
        return r.value(QStringLiteral("clientCpuPerGiB")).toDouble(-1);
    });
    add(QStringLiteral("client RSS after start (0 streams) (MB)"), [](const QJsonObject& r) {
        return r.value(QStringLiteral("rss"))
            .toObject()
            .value(QStringLiteral("afterStartMB"))
            .toDouble(-1);
    });
    add(QStringLiteral("time from start to first relayed byte (ms)"), [](const QJsonObject& r) {
        return r.value(QStringLiteral("firstByteMs"))
            .toObject()
            .value(QStringLiteral("tunnel"))
            .toDouble(-1);
    });
    const auto load = [](const QString& key) {
        return [key](const QJsonObject& r) {
            const QString l = key == QLatin1String("start")
                                  ? r.value(QStringLiteral("machine"))
                                        .toObject()
                                        .value(QStringLiteral("loadAverageAtStart"))
                                        .toString()
                                  : r.value(QStringLiteral("loadAverageAtEnd")).toString();
            bool ok = false;
            const double v = l.section(QLatin1Char(' '), 0, 0).toDouble(&ok);
            return ok ? v : -1;
        };
    };
    add(QStringLiteral("machine load average (1 min) at start of run"),
        load(QStringLiteral("start")));
    add(QStringLiteral("machine load average (1 min) at end of run"), load(QStringLiteral("end")));

    const double mib = quick ? 16 : args.value(QStringLiteral("bytes")).toDouble();
    std::printf(
        "nexus-bench --compare: %g MiB per bulk run, median of %d runs per figure, %d CPUs, "
        "Qt %s, %s build (MB = 10^6 bytes)\n",
        mib, quick ? 1 : std::max(1, args.value(QStringLiteral("repeat")).toInt()),
        QThread::idealThreadCount(), qVersion(), NEXUS_BENCH_BUILD_TYPE);
    std::printf("| %-50s |", "metric");
    for (const Column& c : cols)
        std::printf(" %14s |", qPrintable(c.title));
    std::printf("\n|%s|", qPrintable(QString(52, QLatin1Char('-'))));
    for (std::size_t i = 0; i < cols.size(); ++i)
        std::printf("%s|", qPrintable(QString(16, QLatin1Char('-'))));
    std::printf("\n");
    for (const CRow& r : rows) {
        std::printf("| %-50s |", qPrintable(r.metric));
        for (double v : r.v)
            std::printf(" %14s |", qPrintable(fmt(v)));
        std::printf("\n");
    }
    bool allOk = true;
    QStringList checks;
    for (const Column& c : cols) {
        checks << c.title +
                      (c.ok ? QStringLiteral(": all bytes intact") : QStringLiteral(": FAILED"));
        allOk = allOk && c.ok;
    }
    std::printf("checks: %s\n", qPrintable(checks.join(QStringLiteral("; "))));
    std::fflush(stdout);
    return allOk ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("nexus-bench"));
    raiseFileLimit();
    QCommandLineParser args;
    args.setApplicationDescription(QStringLiteral(
        "Benchmarks the nexus-tray engine against a minimal hub peer on loopback and compares "
        "every figure with a direct loopback connection."));
    args.addHelpOption();
    args.addOptions({
        {QStringLiteral("quick"), QStringLiteral("A few seconds: 16 MiB, 10 streams, 0.5 s runs.")},
        {QStringLiteral("json"), QStringLiteral("Print the results as JSON.")},
        {QStringLiteral("bytes"), QStringLiteral("MiB per bulk run (split over its streams)."),
         QStringLiteral("MiB"), QStringLiteral("256")},
        {QStringLiteral("streams"), QStringLiteral("Stream counts of the aggregate bulk runs."),
         QStringLiteral("list"), QStringLiteral("10,100")},
        {QStringLiteral("concurrency"), QStringLiteral("Concurrent exchanges."),
         QStringLiteral("list"), QStringLiteral("1,10,100")},
        {QStringLiteral("duration"), QStringLiteral("Seconds per exchange run."),
         QStringLiteral("s"), QStringLiteral("3")},
        {QStringLiteral("exchange-size"), QStringLiteral("Request and response size."),
         QStringLiteral("bytes"), QStringLiteral("1024")},
        {QStringLiteral("idle"), QStringLiteral("Idle stream counts for the RSS figures."),
         QStringLiteral("list"), QStringLiteral("1000,10000")},
        {QStringLiteral("repeat"),
         QStringLiteral("Runs per bulk figure; the median (by throughput) is shown."),
         QStringLiteral("n"), QStringLiteral("3")},
        {QStringLiteral("only"),
         QStringLiteral("Sections to run: download,upload,exchange,idle,rate,tlsload; also udp, "
                        "socks5 and metrics (not in the default)."),
         QStringLiteral("list"), QStringLiteral("download,upload,exchange,idle,rate,tlsload")},
        {QStringLiteral("rate"),
         QStringLiteral("Requests per second of the fixed-rate TLS workloads (section rate)."),
         QStringLiteral("n"), QStringLiteral("100")},
        {QStringLiteral("request-gap"),
         QStringLiteral("Milliseconds between a new TLS connection's Finished and its request "
                        "(sections rate, tlsload); a real network keeps them apart."),
         QStringLiteral("ms"), QStringLiteral("1")},
        {QStringLiteral("workers"),
         QStringLiteral("Concurrent new-TLS-connection loops at saturation (section tlsload)."),
         QStringLiteral("n"), QStringLiteral("32")},
        {QStringLiteral("udp-rate"),
         QStringLiteral("Datagrams per second offered in total (section udp)."),
         QStringLiteral("n"), QStringLiteral("20000")},
        {QStringLiteral("udp-size"), QStringLiteral("Datagram size (section udp)."),
         QStringLiteral("bytes"), QStringLiteral("512")},
        {QStringLiteral("udp-flows"), QStringLiteral("Flow counts (section udp)."),
         QStringLiteral("list"), QStringLiteral("1,100")},
        {QStringLiteral("verbose"), QStringLiteral("Show the client's log.")},
        {QStringLiteral("hub"),
         QStringLiteral("Hub transport: ws, or wss (TLS with a throw-away CA the client trusts)."),
         QStringLiteral("ws|wss"), QStringLiteral("ws")},
        {QStringLiteral("client"),
         QStringLiteral(
             "Client process: own (nexus-bench-client: the engine's WebSocket), "
             "qwebsocket (the same engine over QWebSocket, nexus-bench-qws-client), or "
             "app (the nexus-tray executable, --no-gui, configured by a file; see --app)."),
         QStringLiteral("own|qwebsocket|app"), QStringLiteral("own")},
        {QStringLiteral("app"),
         QStringLiteral("The nexus-tray executable for --client app (default: the build tree's)."),
         QStringLiteral("path"), QString()},
        {QStringLiteral("compare"),
         QStringLiteral("Bulk figures (download, upload) for ws/wss x own/QWebSocket side by "
                        "side; uses --bytes, --streams, --repeat, --quick.")},
    });
    args.process(app);
    int rc = 1;
    QTimer::singleShot(0, &app, [&] {
        rc = args.isSet(QStringLiteral("compare")) ? runCompare(args) : runDriver(args);
        QCoreApplication::exit(rc);
    });
    QCoreApplication::exec();
    return rc;
}
