// The top-level `metrics: { listen: ADDR }` key (issue 15): loading (IPv4, IPv6 in brackets),
// the exact errors for a bad address, an unknown sub-key and a value that is not a mapping, and
// the writer's round trip.
#include <QTest>

#include "ConfigTestSupport.h"
#include "config/ConfigWriter.h"
#include "nexustray/Config.h"

using namespace nexustray;
using configtest::baseYaml;

namespace {

const QString kFile = QStringLiteral("cfg.yaml");

// The base backend (lines 1-6) followed by `metrics` from line 7.
QByteArray withMetrics(const QByteArray& metrics) {
    return baseYaml() + metrics;
}

} // namespace

class TestMetricsConfig : public QObject {
    Q_OBJECT

private slots:
    void valid_data() {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("listen");
        QTest::newRow("ipv4") << QByteArray("metrics:\n  listen: 127.0.0.1:9464\n")
                              << QStringLiteral("127.0.0.1:9464");
        QTest::newRow("ipv6") << QByteArray("metrics: {listen: \"[::1]:9464\"}\n")
                              << QStringLiteral("[::1]:9464");
        QTest::newRow("localhost, trimmed")
            << QByteArray("metrics:\n  listen: \" localhost:9464 \"\n")
            << QStringLiteral("localhost:9464");
        QTest::newRow("absent") << QByteArray() << QString();
        QTest::newRow("null") << QByteArray("metrics:\n") << QString();
    }
    void valid() {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, listen);
        const ConfigLoadResult result = loadConfigText(withMetrics(yaml), kFile);
        QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
        QCOMPARE(result.config.metrics.listen, listen);
        QCOMPARE(result.config.backends.size(), 1);
    }

    void invalid_data() {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("error");
        QTest::newRow("no port")
            << QByteArray("metrics:\n  listen: 127.0.0.1\n")
            << "cfg.yaml:8:11: metrics.listen: \"127.0.0.1\" is not a listen address: expected "
               "host:port";
        QTest::newRow("ipv6 without brackets")
            << QByteArray("metrics:\n  listen: \"::1:9464\"\n")
            << "cfg.yaml:8:11: metrics.listen: \"::1:9464\" is not a listen address: an IPv6 "
               "address must be in brackets, e.g. [::1]:1080";
        QTest::newRow("host name")
            << QByteArray("metrics:\n  listen: metrics.example.com:9464\n")
            << "cfg.yaml:8:11: metrics.listen: \"metrics.example.com:9464\" is not a listen "
               "address: 'metrics.example.com' is not an IP address or localhost";
        QTest::newRow("bad port") << QByteArray("metrics:\n  listen: 127.0.0.1:99999\n")
                                  << "cfg.yaml:8:11: metrics.listen: \"127.0.0.1:99999\" is not a "
                                     "listen address: invalid port '99999'";
        QTest::newRow("unknown sub-key")
            << QByteArray("metrics:\n  listen: 127.0.0.1:9464\n  port: 9464\n")
            << "cfg.yaml:9:3: metrics.port: unknown key \"port\" (expected one of: listen)";
        QTest::newRow("not a mapping")
            << QByteArray("metrics: 127.0.0.1:9464\n")
            << "cfg.yaml:7:10: metrics: expected a mapping, got \"127.0.0.1:9464\"";
        QTest::newRow("listen is a list") << QByteArray("metrics:\n  listen: [127.0.0.1:9464]\n")
                                          << "cfg.yaml:8:11: metrics.listen: expected a string, "
                                             "got a list";
    }
    void invalid() {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, error);
        const ConfigLoadResult result = loadConfigText(withMetrics(yaml), kFile);
        QCOMPARE(configtest::describe(result.errors), error);
    }

    void nonLoopbackWarns_data() {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("warning");
        QTest::newRow("any ipv4")
            << QByteArray("metrics:\n  listen: 0.0.0.0:9464\n")
            << "cfg.yaml:8:11: metrics.listen: \"0.0.0.0:9464\" is reachable from other hosts: the "
               "endpoint shows hostnames, relays and client addresses; prefer a loopback address";
        QTest::newRow("empty host") << QByteArray("metrics:\n  listen: \":9464\"\n")
                                    << "cfg.yaml:8:11: metrics.listen: \":9464\" is reachable from "
                                       "other hosts: the endpoint shows hostnames, relays and "
                                       "client addresses; prefer a loopback address";
        QTest::newRow("loopback v6")
            << QByteArray("metrics:\n  listen: \"[::1]:9464\"\n") << QString();
    }
    void nonLoopbackWarns() {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, warning);
        const ConfigLoadResult result = loadConfigText(withMetrics(yaml), kFile);
        QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
        QCOMPARE(configtest::describe(result.warnings), warning);
    }

    void writerRoundTrip_data() {
        QTest::addColumn<QString>("listen");
        QTest::newRow("ipv4") << QStringLiteral("127.0.0.1:9464");
        QTest::newRow("ipv6") << QStringLiteral("[::1]:9464");
        QTest::newRow("unset") << QString();
    }
    void writerRoundTrip() {
        QFETCH(QString, listen);
        ConfigLoadResult base = loadConfigText(baseYaml(), kFile);
        QVERIFY(base.ok());
        Config config = base.config;
        config.metrics.listen = listen;
        const QByteArray text = configyaml::writeConfigYaml(config);
        QCOMPARE(text.contains("metrics:"), !listen.isEmpty());
        const ConfigLoadResult again = loadConfigText(text, kFile);
        QVERIFY2(again.ok(), qPrintable(configtest::describe(again.errors)));
        QCOMPARE(again.config.metrics.listen, listen);
        QVERIFY(again.config == config);
    }

    void equalityNoticesMetrics() {
        Config a;
        Config b;
        QVERIFY(a == b);
        b.metrics.listen = QStringLiteral("127.0.0.1:9464");
        QVERIFY(a != b);
    }
};

QTEST_GUILESS_MAIN(TestMetricsConfig)
#include "tst_metricsconfig.moc"
