// The metrics endpoint (issue 15) on a real Client against the hub emulator and a local echo
// service, over ws:// and wss://: /metrics passes a strict exposition-format parser written here
// (and the official Prometheus Python parser when it is installed), counters follow the traffic and
// never go backwards across a session restart, /ready follows the sessions (503 -> 200 -> 503 ->
// 200), /status lists sessions and streams, and an address in use is an error naming it.
// Attestations are counted by stage and result (ok at connect, reauth on a hub challenge, failed
// for a failing command, rejected for a refused token) and the dial-time histogram is a valid one
// whose count is the number of dialled streams.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <memory>

#include "../session/TunnelUser.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"
#include "metrics/Histogram.h"
#include "metrics/MetricsServer.h"
#include "metrics/PrometheusText.h"
#include "metrics/ServiceMetrics.h"
#include "nexustray/Client.h"

using namespace nexustray;

namespace {

const QByteArray kSecret = "metrics-test-secret";

struct Reply {
    int status = 0;
    QByteArray contentType;
    QByteArray body;
};

Reply get(const QString& address, const QString& path) {
    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    std::unique_ptr<QNetworkReply> reply(
        nam.get(QNetworkRequest(QUrl(QStringLiteral("http://%1%2").arg(address, path)))));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(10000))
        return {};
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
            reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(), reply->readAll()};
}

// A strict reading of the text format 0.0.4: every line is a HELP, a TYPE or a sample; a sample's
// family was declared by TYPE before it (a histogram's samples are <family>_bucket with le, _sum
// and _count); names and labels are well formed; values are numbers. Returns sample name{labels} ->
// value, or sets *error.
QMap<QString, double> parseExposition(const QByteArray& text, QString* error) {
    static const QRegularExpression help(
        QStringLiteral(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)"));
    static const QRegularExpression type(QStringLiteral(
        R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"));
    static const QRegularExpression sample(QStringLiteral(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? ([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN))$)"));
    QMap<QString, double> samples;
    QSet<QString> typed;
    QSet<QString> histograms;
    if (!text.endsWith('\n')) {
        *error = QStringLiteral("no final line feed");
        return {};
    }
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1String("# HELP"))) {
            if (!help.match(line).hasMatch())
                *error = QStringLiteral("bad HELP: ") + line;
            continue;
        }
        if (line.startsWith(QLatin1String("# TYPE"))) {
            const auto m = type.match(line);
            if (!m.hasMatch() || typed.contains(m.captured(1)) ||
                histograms.contains(m.captured(1)))
                *error = QStringLiteral("bad or repeated TYPE: ") + line;
            if (m.captured(2) == QLatin1String("histogram"))
                histograms.insert(m.captured(1)); // no samples of its own name
            else
                typed.insert(m.captured(1));
            continue;
        }
        const auto m = sample.match(line);
        if (!m.hasMatch()) {
            *error = QStringLiteral("bad sample: ") + line;
            continue;
        }
        // A histogram's samples are its family name + _bucket (with le), _sum or _count.
        static const QRegularExpression histogramSeries(
            QStringLiteral("^(.+)_(bucket|sum|count)$"));
        const auto series = histogramSeries.match(m.captured(1));
        const bool ofHistogram = series.hasMatch() && histograms.contains(series.captured(1)) &&
                                 (series.captured(2) == QLatin1String("bucket")) ==
                                     m.captured(2).contains(QLatin1String("le=\""));
        if (!typed.contains(m.captured(1)) && !ofHistogram)
            *error = QStringLiteral("sample before its TYPE: ") + line;
        const QString key = m.captured(1) + m.captured(2);
        if (samples.contains(key))
            *error = QStringLiteral("duplicate series: ") + key;
        samples.insert(key, m.captured(3).toDouble());
    }
    return samples;
}

// The histogram `name` of the series with `labels` ("backend=\"x\""): its buckets are
// cumulative (in le order), end with +Inf, and +Inf equals _count. Returns _count or sets *error.
double checkHistogram(const QMap<QString, double>& m, const QString& name, const QString& labels,
                      QString* error) {
    QList<QPair<double, double>> buckets; // le -> cumulative count
    const QString prefix = QStringLiteral("%1_bucket{%2,le=\"").arg(name, labels);
    for (auto it = m.constBegin(); it != m.constEnd(); ++it) {
        if (!it.key().startsWith(prefix))
            continue;
        const QString le = it.key().mid(prefix.size()).chopped(2); // "...\"}"
        buckets.append({le == QLatin1String("+Inf") ? qInf() : le.toDouble(), it.value()});
    }
    std::sort(buckets.begin(), buckets.end());
    if (buckets.size() < 2 || !qIsInf(buckets.last().first)) {
        *error = QStringLiteral("no +Inf bucket for ") + prefix;
        return -1;
    }
    for (qsizetype i = 1; i < buckets.size(); ++i) {
        if (buckets.at(i).second < buckets.at(i - 1).second)
            *error = QStringLiteral("buckets not cumulative at le=%1").arg(buckets.at(i).first);
    }
    const QString count = QStringLiteral("%1_count{%2}").arg(name, labels);
    if (!m.contains(count) || !m.contains(QStringLiteral("%1_sum{%2}").arg(name, labels)))
        *error = QStringLiteral("no _count or _sum for ") + labels;
    if (m.value(count) != buckets.last().second)
        *error = QStringLiteral("+Inf bucket differs from _count");
    return m.value(count);
}

// Runs the official Prometheus Python parser on `text`: the number of samples it reads, or -1
// when prometheus_client is not installed (a warning says so).
int officialSampleCount(const QByteArray& text) {
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"),
                  QStringLiteral("import sys\nfrom prometheus_client.parser import "
                                 "text_string_to_metric_families as p\n"
                                 "print(sum(len(f.samples) for f in p(sys.stdin.read())))")});
    python.write(text);
    python.closeWriteChannel();
    if (!python.waitForFinished(20000) || python.exitCode() != 0) {
        qWarning("prometheus_client not available or failed: %s",
                 python.readAllStandardError().constData());
        return -1;
    }
    return python.readAllStandardOutput().trimmed().toInt();
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void endpointFollowsTheTunnel() {
        QFETCH_GLOBAL(QString, scheme);
        hub::HubOptions options;
        options.jwtSecret = kSecret;
        options.relayPorts = {{80, 0}};
        m_tls.serve(options, scheme);
        hub::HubEmulator hub(options);
        QString error;
        QVERIFY2(hub.start(&error), qPrintable(error));
        test::EchoServer echo;
        QVERIFY(echo.listen());

        BackendConfig b;
        b.name = QStringLiteral("web \"one\"\\x"); // label values need escaping
        b.hostnames = {QStringLiteral("web.test")};
        b.nexusAddresses = {hub.backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = targetOf(echo);
        m_tls.trust(b);
        Config config;
        config.backends = {b};
        Client client(config);
        app::MetricsServer server(&client);
        server.metrics()->setReloadCounts([] { return qMakePair(3, 1); });
        QVERIFY2(server.listen(QStringLiteral("127.0.0.1:0")), qPrintable(server.error()));
        QVERIFY(!server.isExposed());
        const QString at = server.address();

        // Not started: not ready.
        Reply ready = get(at, QStringLiteral("/ready"));
        QCOMPARE(ready.status, 503);
        QCOMPARE(QJsonDocument::fromJson(ready.body).object().value(QStringLiteral("ready")),
                 QJsonValue(false));

        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(get(at, QStringLiteral("/ready")).status, 200, 20000);
        ready = get(at, QStringLiteral("/ready"));
        const QJsonObject backend = QJsonDocument::fromJson(ready.body)
                                        .object()
                                        .value(QStringLiteral("backends"))
                                        .toObject()
                                        .value(b.name)
                                        .toObject();
        QCOMPARE(backend.value(QStringLiteral("connected")).toInt(), 1);
        QCOMPARE(backend.value(QStringLiteral("sessions")).toInt(), 1);

        // Traffic: one stream, echoed.
        const QByteArray payload(100000, 'x');
        TunnelUser user(hub.relayListenPort(80), "web.test");
        user.send(payload);
        QTRY_COMPARE_WITH_TIMEOUT(user.received.size(), user.expectedEchoSize(payload), 20000);

        const QString escaped = QStringLiteral("web \\\"one\\\"\\\\x");
        const QString bytesToLocal =
            QStringLiteral("nexustray_relayed_bytes_total{backend=\"%1\",direction="
                           "\"to_local\"}")
                .arg(escaped);
        const QString bytesToHub =
            QString(bytesToLocal).replace(QLatin1String("to_local"), QLatin1String("to_hub"));
        QMap<QString, double> m;
        const auto scrape = [&] {
            const Reply r = get(at, QStringLiteral("/metrics"));
            QString parseError;
            m = parseExposition(r.body, &parseError);
            return r.status == 200 && parseError.isEmpty() &&
                   r.contentType.startsWith("text/plain; version=0.0.4");
        };
        QTRY_VERIFY_WITH_TIMEOUT(scrape() &&
                                     m.value(bytesToLocal) >= user.expectedEchoSize(payload) &&
                                     m.value(bytesToHub) >= user.expectedEchoSize(payload),
                                 20000);
        QCOMPARE(m.value(QStringLiteral("nexustray_build_info{version=\"%1\"}")
                             .arg(QCoreApplication::applicationVersion())),
                 1.0);
        const QString tcpTotal =
            QStringLiteral("nexustray_streams_total{backend=\"%1\",kind=\"tcp\"}").arg(escaped);
        QCOMPARE(m.value(tcpTotal), 1.0);
        QCOMPARE(m.value(QStringLiteral("nexustray_config_reloads_total{result=\"success\"}")),
                 3.0);
        QCOMPARE(m.value(QStringLiteral("nexustray_config_reloads_total{result=\"failure\"}")),
                 1.0);
        const QString connected = QStringLiteral("nexustray_session_connected{backend=\"%1\","
                                                 "relay=\"%2\"}")
                                      .arg(escaped, hub.backendUrl().toString());
        QCOMPARE(m.value(connected), 1.0);

        // Connect: stage 0 and stage 1 accepted once each (the stream's traffic settles stage 1).
        const auto attestations = [&](const char* stage, const char* result) {
            return m.value(
                QStringLiteral("nexustray_attestations_total{backend=\"%1\",stage=\"%2\","
                               "result=\"%3\"}")
                    .arg(escaped, QLatin1String(stage), QLatin1String(result)),
                -1);
        };
        QTRY_VERIFY_WITH_TIMEOUT(scrape() && attestations("attest", "ok") == 1.0, 20000);
        QCOMPARE(attestations("handshake", "ok"), 1.0);
        QCOMPARE(attestations("handshake", "failed"), 0.0);
        QCOMPARE(attestations("reauth", "ok"), 0.0);
        // One dialled stream in the histogram.
        const QString backendLabel = QStringLiteral("backend=\"%1\"").arg(escaped);
        QString histogramError;
        const auto dialCount = [&] {
            return checkHistogram(m, QStringLiteral("nexustray_stream_dial_seconds"), backendLabel,
                                  &histogramError);
        };
        // The stream's snapshot with its dial time may come a snapshot tick after its bytes.
        QTRY_VERIFY_WITH_TIMEOUT(scrape() && dialCount() == 1.0, 20000);
        QVERIFY2(histogramError.isEmpty(), qPrintable(histogramError));

        // The hub asks for a re-attestation: counted once.
        QSignalSpy reauthenticated(&hub, &hub::HubEmulator::sessionReauthenticated);
        hub.sendReauthChallenges();
        QVERIFY(reauthenticated.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(scrape() && attestations("reauth", "ok") == 1.0, 20000);

        // The official parser reads it too (Debian python3-prometheus-client, installed in CI).
        const QByteArray text = get(at, QStringLiteral("/metrics")).body;
        QVERIFY(scrape());
        const int official = officialSampleCount(text);
        if (official >= 0)
            QCOMPARE(official, int(m.size()));

        // /status shows the session and the (now closing or closed) stream.
        const QJsonObject status =
            QJsonDocument::fromJson(get(at, QStringLiteral("/status")).body).object();
        QCOMPARE(status.value(QStringLiteral("sessions")).toArray().size(), 1);
        QCOMPARE(status.value(QStringLiteral("sessions"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("state"))
                     .toString(),
                 QStringLiteral("connected"));

        // The relay goes away: not ready; a relay on the same address again (Retry now instead
        // of the backoff wait): ready, and the counters went on from where they were.
        const double before = m.value(bytesToLocal);
        hub::HubOptions restarted = options;
        restarted.backendPort = quint16(hub.backendUrl().port());
        hub.stop();
        QTRY_COMPARE_WITH_TIMEOUT(get(at, QStringLiteral("/ready")).status, 503, 20000);
        hub::HubEmulator hub2(restarted);
        QVERIFY2(hub2.start(&error), qPrintable(error));
        client.retryNow(b.name);
        QTRY_COMPARE_WITH_TIMEOUT(get(at, QStringLiteral("/ready")).status, 200, 30000);
        TunnelUser again(hub2.relayListenPort(80), "web.test");
        again.send("y");
        QTRY_COMPARE_WITH_TIMEOUT(again.received.size(), again.expectedEchoSize("y"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(scrape() && m.value(tcpTotal) == 2.0, 20000);
        QVERIFY(m.value(bytesToLocal) >= before + double(again.expectedEchoSize("y")));
        QCOMPARE(m.value(QStringLiteral("nexustray_reconnects_total{backend=\"%1\",relay=\"%2\"}")
                             .arg(escaped, b.nexusAddresses.first())),
                 1.0);
        // Attestations and dial times went on from where they were (a new session run).
        QTRY_VERIFY_WITH_TIMEOUT(scrape() && attestations("attest", "ok") == 2.0, 20000);
        QCOMPARE(attestations("handshake", "ok"), 2.0);
        QCOMPARE(attestations("reauth", "ok"), 1.0);
        // The stream's snapshot with its dial time may come a snapshot tick after its bytes.
        QTRY_VERIFY_WITH_TIMEOUT(scrape() && dialCount() == 2.0, 20000);
        QVERIFY2(histogramError.isEmpty(), qPrintable(histogramError));

        // The same address again: an error that names it.
        app::MetricsServer second(&client);
        QVERIFY(!second.listen(at));
        QVERIFY2(second.error().contains(at), qPrintable(second.error()));

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
        QCOMPARE(get(at, QStringLiteral("/ready")).status, 503); // a scrape after stop still works
    }

    // The endpoint reads its address as the config loader does (nexustray/ListenAddress.h):
    // IPv6 in brackets, a clear error naming the address otherwise.
    void listenAddressesAsTheConfigReadsThem() {
        Config config;
        Client client(config);
        app::MetricsServer server(&client);
        QVERIFY(!server.listen(QStringLiteral("::1:9464")));
        QVERIFY2(server.error().contains(QStringLiteral("'::1:9464'")) &&
                     server.error().contains(QStringLiteral("must be in brackets")),
                 qPrintable(server.error()));
        QVERIFY(!server.listen(QStringLiteral("127.0.0.1")));
        QVERIFY2(server.error().contains(QStringLiteral("expected host:port")),
                 qPrintable(server.error()));
        QVERIFY(!server.isListening());
        QVERIFY2(server.listen(QStringLiteral("[::1]:0")), qPrintable(server.error()));
        QVERIFY(server.address().startsWith(QStringLiteral("[::1]:")));
        QVERIFY(!server.isExposed());
        QVERIFY2(server.listen(QStringLiteral("localhost:0")), qPrintable(server.error()));
        QVERIFY(server.address().startsWith(QStringLiteral("127.0.0.1:")));
    }

    // The histogram text alone: a value equal to a bound is in that bucket (le = "less or
    // equal"), buckets are cumulative, +Inf = _count, bounds are written in their shortest form.
    void histogramText() {
        app::Histogram h({0.0005, 0.01, 1});
        h.observe(0.0005);
        h.observe(0.002);
        h.observe(0.002);
        h.observe(7);
        app::PrometheusText out;
        out.family("d_seconds", "histogram", "Test.");
        out.histogram("d_seconds", {{QStringLiteral("backend"), QStringLiteral("a")}}, h);
        QCOMPARE(out.text(), QByteArray("# HELP d_seconds Test.\n"
                                        "# TYPE d_seconds histogram\n"
                                        "d_seconds_bucket{backend=\"a\",le=\"0.0005\"} 1\n"
                                        "d_seconds_bucket{backend=\"a\",le=\"0.01\"} 3\n"
                                        "d_seconds_bucket{backend=\"a\",le=\"1\"} 3\n"
                                        "d_seconds_bucket{backend=\"a\",le=\"+Inf\"} 4\n"
                                        "d_seconds_sum{backend=\"a\"} 7.0045\n"
                                        "d_seconds_count{backend=\"a\"} 4\n"));
        QString error;
        parseExposition(out.text(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    // Failed attestations: a command that exits 3 (a real child process) is counted as failed,
    // a token the hub refuses (wrong secret: close 1008) as rejected; the official parser agrees.
    void failedAttestationsCounted() {
        QFETCH_GLOBAL(QString, scheme);
        hub::HubOptions options;
        options.jwtSecret = kSecret;
        m_tls.serve(options, scheme);
        hub::HubEmulator hub(options);
        QString error;
        QVERIFY2(hub.start(&error), qPrintable(error));

        BackendConfig failing;
        failing.name = QStringLiteral("failing");
        failing.hostnames = {QStringLiteral("failing.test")};
        failing.nexusAddresses = {hub.backendUrl().toString()};
        failing.attestation.command = QStringLiteral("/bin/sh");
        failing.attestation.args = {QStringLiteral("-c"), QStringLiteral("exit 3")};
        m_tls.trust(failing);
        BackendConfig refused = failing;
        refused.name = QStringLiteral("refused");
        refused.hostnames = {QStringLiteral("refused.test")};
        refused.attestation.command.clear();
        refused.attestation.args.clear();
        refused.attestation.hmacSecret = QStringLiteral("not-the-hub-secret");
        Config config;
        config.backends = {failing, refused};
        Client client(config);
        app::MetricsServer server(&client);
        QVERIFY2(server.listen(QStringLiteral("127.0.0.1:0")), qPrintable(server.error()));
        client.start();

        QMap<QString, double> m;
        const auto count = [&](const char* backend, const char* result) {
            const Reply r = get(server.address(), QStringLiteral("/metrics"));
            QString parseError;
            m = parseExposition(r.body, &parseError);
            if (!parseError.isEmpty())
                return -1.0;
            return m.value(QStringLiteral("nexustray_attestations_total{backend=\"%1\",stage="
                                          "\"handshake\",result=\"%2\"}")
                               .arg(QLatin1String(backend), QLatin1String(result)),
                           -1);
        };
        QTRY_VERIFY_WITH_TIMEOUT(count("failing", "failed") >= 1.0, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(count("refused", "rejected") >= 1.0, 20000);
        QCOMPARE(count("failing", "ok"), 0.0);
        QCOMPARE(count("refused", "ok"), 0.0);
        QCOMPARE(
            m.value(QStringLiteral("nexustray_stream_dial_seconds_count{backend=\"failing\"}")),
            0.0);
        const QByteArray text = get(server.address(), QStringLiteral("/metrics")).body;
        QString parseError;
        m = parseExposition(text, &parseError);
        QVERIFY2(parseError.isEmpty(), qPrintable(parseError));
        const int official = officialSampleCount(text);
        if (official >= 0)
            QCOMPARE(official, int(m.size()));

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
