// The metrics endpoint (issue 15) on a real Client against the hub emulator and a local echo
// service, over ws:// and wss://: /metrics passes a strict exposition-format parser written here
// (and the official Prometheus Python parser when it is installed), counters follow the traffic and
// never go backwards across a session restart, /ready follows the sessions (503 -> 200 -> 503 ->
// 200), /status lists sessions and streams, and an address in use is an error naming it.
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
#include "metrics/MetricsServer.h"
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
// family was declared by TYPE before it; names and labels are well formed; values are numbers.
// Returns sample name{labels} -> value, or sets *error.
QMap<QString, double> parseExposition(const QByteArray& text, QString* error) {
    static const QRegularExpression help(
        QStringLiteral(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)"));
    static const QRegularExpression type(QStringLiteral(
        R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"));
    static const QRegularExpression sample(QStringLiteral(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? ([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN))$)"));
    QMap<QString, double> samples;
    QSet<QString> typed;
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
            if (!m.hasMatch() || typed.contains(m.captured(1)))
                *error = QStringLiteral("bad or repeated TYPE: ") + line;
            typed.insert(m.captured(1));
            continue;
        }
        const auto m = sample.match(line);
        if (!m.hasMatch()) {
            *error = QStringLiteral("bad sample: ") + line;
            continue;
        }
        if (!typed.contains(m.captured(1)))
            *error = QStringLiteral("sample before its TYPE: ") + line;
        const QString key = m.captured(1) + m.captured(2);
        if (samples.contains(key))
            *error = QStringLiteral("duplicate series: ") + key;
        samples.insert(key, m.captured(3).toDouble());
    }
    return samples;
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

        // The official parser reads it too (Debian python3-prometheus-client, installed in CI).
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"),
                     {QStringLiteral("-c"),
                      QStringLiteral("import sys\nfrom prometheus_client.parser import "
                                     "text_string_to_metric_families as p\n"
                                     "print(sum(len(f.samples) for f in p(sys.stdin.read())))")});
        python.write(get(at, QStringLiteral("/metrics")).body);
        python.closeWriteChannel();
        QVERIFY(python.waitForFinished(20000));
        if (python.exitCode() == 0)
            QCOMPARE(python.readAllStandardOutput().trimmed().toInt(), int(m.size()));
        else
            qWarning("prometheus_client not available: %s",
                     python.readAllStandardError().constData());

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

        // The same address again: an error that names it.
        app::MetricsServer second(&client);
        QVERIFY(!second.listen(at));
        QVERIFY2(second.error().contains(at), qPrintable(second.error()));

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
        QCOMPARE(get(at, QStringLiteral("/ready")).status, 503); // a scrape after stop still works
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
