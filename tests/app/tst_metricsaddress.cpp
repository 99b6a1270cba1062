// Where the real nexus-tray binary (headless) serves its metrics (issue 15), against the hub
// emulator over ws:// and wss://: the config's `metrics.listen` alone starts the endpoint,
// --metrics wins over it, and SIGHUP moves the endpoint to a changed address, keeps it where it
// was when the new address is in use (logged), and stops it when the key is removed.
#include <QFile>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include <sys/types.h>

#include "AppTestSupport.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"

using namespace nexustray;
using apptest::TrayProcess;

namespace {

const QByteArray kSecret = "metrics-address-test-secret";

bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// A loopback port that was free a moment ago.
quint16 freePort() {
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// GET /metrics on 127.0.0.1:port; the status (0 = no answer, e.g. refused) and the body.
QPair<int, QByteArray> scrape(quint16 port) {
    apptest::HttpFetch fetch(port, "127.0.0.1", "/metrics");
    if (!fetch.wait(10000))
        return {0, {}};
    return {fetch.status, fetch.body};
}

} // namespace

class TestMetricsAddress : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    std::unique_ptr<hub::HubEmulator> m_hub;
    QTemporaryDir m_dir;

    QString configPath() const { return m_dir.filePath(QStringLiteral("config.yaml")); }

    // One backend on the hub; `metricsPort` 0 = no metrics key.
    QByteArray config(quint16 metricsPort) const {
        QByteArray yaml = "backends:\n  - name: m\n    hostnames: [\"m.test\"]\n"
                          "    nexusAddresses: [\"" +
                          m_hub->backendUrl().toString().toUtf8() +
                          "\"]\n"
                          "    attestation:\n      hmacSecret: \"" +
                          kSecret + "\"\n    tls:\n      caFile: \"" +
                          m_tls.ca().caPemPath().toUtf8() +
                          "\"\n    portMappings:\n      80:\n        default: \"127.0.0.1:9\"\n";
        if (metricsPort != 0)
            yaml += "metrics:\n  listen: \"127.0.0.1:" + QByteArray::number(metricsPort) + "\"\n";
        return yaml;
    }

    static void sighup(const TrayProcess& p) { ::kill(pid_t(p.process.processId()), SIGHUP); }

    // The endpoint on `port` answers with the connected session of backend "m".
    static bool serves(quint16 port) {
        const auto [status, body] = scrape(port);
        return status == 200 && body.contains("nexustray_session_connected{backend=\"m\"");
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() {
        QVERIFY2(m_tls.init(), qPrintable(m_tls.error()));
        QVERIFY(m_dir.isValid());
    }

    void init() {
        QFETCH_GLOBAL(QString, scheme);
        hub::HubOptions options;
        options.jwtSecret = kSecret;
        options.relayPorts = {{80, 0}};
        m_tls.serve(options, scheme);
        m_hub = std::make_unique<hub::HubEmulator>(options);
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
    }
    void cleanup() { m_hub.reset(); }

    void configKeyStartsTheEndpoint() {
        const quint16 port = freePort();
        QVERIFY(writeFile(configPath(), config(port)));
        TrayProcess p;
        p.start({QStringLiteral("--no-gui"), QStringLiteral("--config"), configPath()});
        QVERIFY(p.waitStarted());
        QVERIFY2(p.waitForOutput(QRegularExpression(QStringLiteral(
                                     "metrics address from the config's metrics.listen")),
                                 15000, true)
                     .hasMatch(),
                 qPrintable(p.describe()));
        QTRY_VERIFY2_WITH_TIMEOUT(serves(port), qPrintable(p.describe()), 20000);
        p.process.terminate();
        QVERIFY2(p.waitFinished(10000), qPrintable(p.describe()));
        QCOMPARE(p.process.exitCode(), 0);
    }

    void cliWinsOverTheConfig() {
        const quint16 configPort = freePort();
        const quint16 cliPort = freePort();
        QVERIFY(configPort != cliPort);
        QVERIFY(writeFile(configPath(), config(configPort)));
        TrayProcess p;
        p.start({QStringLiteral("--no-gui"), QStringLiteral("--config"), configPath(),
                 QStringLiteral("--metrics"), QStringLiteral("127.0.0.1:%1").arg(cliPort)});
        QVERIFY(p.waitStarted());
        QVERIFY2(p.waitForOutput(QRegularExpression(QStringLiteral(
                                     "metrics address from --metrics \\S+ \\(it overrides")),
                                 15000, true)
                     .hasMatch(),
                 qPrintable(p.describe()));
        QTRY_VERIFY2_WITH_TIMEOUT(serves(cliPort), qPrintable(p.describe()), 20000);
        QCOMPARE(scrape(configPort).first, 0); // nothing there

        // A reload with another metrics.listen changes nothing: --metrics stays in force.
        QVERIFY(writeFile(configPath(), config(freePort())));
        sighup(p);
        QVERIFY2(p.waitForOutput(QRegularExpression(QStringLiteral("stays in force")), 15000, true)
                     .hasMatch(),
                 qPrintable(p.describe()));
        QVERIFY(serves(cliPort));
        p.process.terminate();
        QVERIFY2(p.waitFinished(10000), qPrintable(p.describe()));
        QCOMPARE(p.process.exitCode(), 0);
    }

    void reloadMovesTheEndpoint() {
        const quint16 first = freePort();
        QVERIFY(writeFile(configPath(), config(first)));
        TrayProcess p;
        p.start({QStringLiteral("--no-gui"), QStringLiteral("--config"), configPath()});
        QVERIFY(p.waitStarted());
        QTRY_VERIFY2_WITH_TIMEOUT(serves(first), qPrintable(p.describe()), 20000);

        // Moved: the new address serves, the old one is closed. A scrape is in flight meanwhile.
        QTcpServer taken; // listening below, so that its port is certainly in use
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const quint16 second = freePort();
        QVERIFY(second != first && second != taken.serverPort());
        QVERIFY(writeFile(configPath(), config(second)));
        apptest::HttpFetch during(first, "127.0.0.1", "/metrics");
        sighup(p);
        QTRY_VERIFY2_WITH_TIMEOUT(serves(second), qPrintable(p.describe()), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(scrape(first).first, 0, 15000);
        QVERIFY(during.wait(10000));

        // In use: logged, and the endpoint keeps serving where it was.
        QVERIFY(writeFile(configPath(), config(taken.serverPort())));
        sighup(p);
        const QString inUse =
            QStringLiteral("cannot listen for metrics on 127.0.0.1:%1").arg(taken.serverPort());
        QVERIFY2(p.waitForOutput(QRegularExpression(QRegularExpression::escape(inUse)), 15000, true)
                     .hasMatch(),
                 qPrintable(p.describe()));
        QVERIFY2(
            p.waitForOutput(QRegularExpression(
                                QStringLiteral("the metrics endpoint stays on 127\\.0\\.0\\.1:%1")
                                    .arg(second)),
                            15000, true)
                .hasMatch(),
            qPrintable(p.describe()));
        QVERIFY(serves(second));

        // Key removed: the endpoint stops.
        QVERIFY(writeFile(configPath(), config(0)));
        sighup(p);
        QTRY_COMPARE_WITH_TIMEOUT(scrape(second).first, 0, 15000);
        QCOMPARE(p.process.state(), QProcess::Running);
        p.process.terminate();
        QVERIFY2(p.waitFinished(10000), qPrintable(p.describe()));
        QCOMPARE(p.process.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestMetricsAddress)
#include "tst_metricsaddress.moc"
