// Reload on SIGHUP (issue 15), with the real nexus-tray binary against the hub emulator over ws://
// and wss://: a valid new config restarts only the backend whose settings changed while a download
// through the unchanged backend goes on intact; an invalid one keeps the running config and logs
// every error as file:line:col: key: message; a file replaced by an editor's rename is read
// afresh. ConfigReloader itself: a burst of requests is one reload.
#include <QFile>
#include <QSaveFile>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <memory>

#include <sys/types.h>

#include "AppTestSupport.h"
#include "ConfigReloader.h"
#include "DownloadServer.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"

using namespace nexustray;
using apptest::TrayProcess;

namespace {

const QByteArray kSecret = "reload-test-secret";

QByteArray body() {
    QByteArray b;
    b.reserve(6 * 1024 * 1024);
    for (int i = 0; b.size() < 6 * 1024 * 1024; ++i)
        b += QByteArray::number(i) + ',';
    return b;
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

} // namespace

class TestReload : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;

    // Two backends on the same relay; `bWeight` / `bEnabled` are what the reloads change.
    QByteArray config(const QString& hubUrl, quint16 localPort, int bWeight,
                      bool bEnabled = true) const {
        QByteArray yaml = "backends:\n";
        for (const char* name : {"a", "b"}) {
            const bool isB = QByteArray(name) == "b";
            yaml += QByteArray("  - name: ") + name + "\n" + "    hostnames: [\"" + name +
                    ".test\"]\n" + "    nexusAddresses: [\"" + hubUrl.toUtf8() + "\"]\n" +
                    "    attestation:\n      hmacSecret: \"" + kSecret + "\"\n" +
                    "    tls:\n      caFile: \"" + m_tls.ca().caPemPath().toUtf8() + "\"\n" +
                    "    portMappings:\n      80:\n        default: \"127.0.0.1:" +
                    QByteArray::number(localPort) + "\"\n";
            if (isB)
                yaml += "    weight: " + QByteArray::number(bWeight) + "\n" +
                        (bEnabled ? "" : "    enabled: false\n");
        }
        return yaml;
    }

    static void sighup(const TrayProcess& p) { ::kill(pid_t(p.process.processId()), SIGHUP); }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void reloadRestartsOnlyChangedBackends() {
        QFETCH_GLOBAL(QString, scheme);
        hub::HubOptions options;
        options.jwtSecret = kSecret;
        options.relayPorts = {{80, 0}};
        m_tls.serve(options, scheme);
        hub::HubEmulator hub(options);
        QString error;
        QVERIFY2(hub.start(&error), qPrintable(error));
        const QByteArray payload = body();
        test::DownloadServer local(payload);
        QVERIFY(local.listen());

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        const QString url = hub.backendUrl().toString();
        QVERIFY(writeFile(path, config(url, local.port(), 1)));

        QSignalSpy authenticated(&hub, &hub::HubEmulator::sessionAuthenticated);
        QSignalSpy closed(&hub, &hub::HubEmulator::sessionClosed);
        TrayProcess p;
        p.start({QStringLiteral("--no-gui"), QStringLiteral("--config"), path});
        QVERIFY(p.waitStarted());
        QTRY_COMPARE_WITH_TIMEOUT(hub.authenticatedSessionCount(), 2, 20000);

        // A download through "a" that stalls: the user reads 64 KiB and then nothing, so the
        // transfer is held by credits in the middle (back-pressure, no timer involved).
        QTcpSocket user;
        user.setReadBufferSize(64 * 1024);
        user.connectToHost(QHostAddress::LocalHost, hub.relayListenPort(80));
        QVERIFY(user.waitForConnected(5000));
        user.write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(user.bytesAvailable() >= 64 * 1024, 15000);
        QByteArray received = user.readAll(); // takes the 64 KiB; the buffer refills, then stops

        // Valid change of "b" only: b restarts with weight 2, a keeps its session and stream.
        authenticated.clear();
        QVERIFY(writeFile(path, config(url, local.port(), 2)));
        sighup(p);
        QVERIFY2(p.waitForOutput(QRegularExpression(QStringLiteral("configuration reloaded")),
                                 15000, true)
                     .hasMatch(),
                 qPrintable(p.describe()));
        QTRY_VERIFY_WITH_TIMEOUT(closed.size() >= 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(authenticated.size() >= 1, 15000);
        QCOMPARE(authenticated.constLast().at(0).toString(), QStringLiteral("b"));
        QCOMPARE(authenticated.constLast().at(2).toInt(), 2);
        for (const QList<QVariant>& c : std::as_const(closed))
            QCOMPARE(c.at(0).toString(), QStringLiteral("b"));
        QTRY_COMPARE_WITH_TIMEOUT(hub.authenticatedSessionCount(), 2, 15000);

        // Invalid file: the running config stays, each error names file:line:col and the key.
        const int closedBefore = int(closed.size());
        QVERIFY(writeFile(path, config(url, local.port(), 2).replace("weight: 2", "weight: heavy")));
        sighup(p);
        const auto failed =
            p.waitForOutput(QRegularExpression(QStringLiteral("config error: (\\S+):(\\d+):(\\d+): "
                                                              "backends\\[1\\]\\.weight: [^\\n]+")),
                            15000, true);
        QVERIFY2(failed.hasMatch(), qPrintable(p.describe()));
        QCOMPARE(failed.captured(1), path);
        QVERIFY2(p.waitForOutput(QRegularExpression(QStringLiteral("reload failed: keeping the "
                                                                   "running configuration")),
                                 15000, true)
                     .hasMatch(),
                 qPrintable(p.describe()));
        QCOMPARE(p.process.state(), QProcess::Running);
        QCOMPARE(int(closed.size()), closedBefore);
        QCOMPARE(hub.authenticatedSessionCount(), 2);

        // The download through "a" was never touched: the rest arrives, every byte intact.
        user.setReadBufferSize(0);
        QTRY_VERIFY_WITH_TIMEOUT((received += user.readAll()).size() >= payload.size(), 30000);
        QCOMPARE(received.size(), payload.size());
        QVERIFY(received == payload);

        // An editor's save by rename (new inode) is read afresh: b switched off.
        QSaveFile replacement(path);
        QVERIFY(replacement.open(QIODevice::WriteOnly));
        replacement.write(config(url, local.port(), 2, false));
        QVERIFY(replacement.commit());
        sighup(p);
        QTRY_COMPARE_WITH_TIMEOUT(hub.authenticatedSessionCount(), 1, 15000);
        QCOMPARE(closed.constLast().at(0).toString(), QStringLiteral("b"));

        p.process.terminate();
        QVERIFY2(p.waitFinished(10000), qPrintable(p.describe()));
        QCOMPARE(p.process.exitCode(), 0);
    }

    // A burst of reload requests on the event loop gives one reload; an invalid file is counted
    // as failed and does not reach `apply`.
    void requestsCoalesce() {
        QFETCH_GLOBAL(QString, scheme);
        if (scheme != QLatin1String("ws"))
            QSKIP("no relay involved: runs once");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c.yaml"));
        QVERIFY(writeFile(path, "backends:\n  - name: x\n    hostnames: [x.test]\n"
                                "    nexusAddresses: [\"wss://relay.example.com/connect\"]\n"
                                "    attestation: {hmacSecret: s}\n"
                                "    portMappings: {80: \"127.0.0.1:80\"}\n"));
        int applied = 0;
        app::ConfigReloader reloader(path, [&applied](const Config& c) {
            QCOMPARE(c.backends.size(), 1);
            ++applied;
        });
        QSignalSpy reloaded(&reloader, &app::ConfigReloader::reloaded);
        for (int i = 0; i < 20; ++i)
            reloader.requestReload();
        QVERIFY(reloaded.wait(5000));
        QCOMPARE(applied, 1);
        QCOMPARE(reloader.succeeded(), 1);
        QCoreApplication::processEvents(); // a second queued reload would run now
        QCOMPARE(reloaded.size(), 1);

        QVERIFY(writeFile(path, "backends: [1, 2\n"));
        reloader.requestReload();
        QVERIFY(reloaded.wait(5000));
        QCOMPARE(reloaded.constLast().at(0).toBool(), false);
        QVERIFY(!reloaded.constLast().at(1).toStringList().isEmpty());
        QCOMPARE(applied, 1);
        QCOMPARE(reloader.failed(), 1);
    }
};

QTEST_GUILESS_MAIN(TestReload)
#include "tst_reload.moc"
