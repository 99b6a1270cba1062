// What the real nexus-tray binary maps (issue 10, idle memory): a headless run (--no-gui) that is
// connected and relaying over ws:// and wss:// has not loaded Qt Gui, Qt Widgets or the tray
// module (loaded only by the tray mode), nor the keyring plugin with QtKeychain and Qt D-Bus, nor
// tpm2-tss (loaded when a backend uses them), nor the metrics plugin with QtHttpServer and
// QtWebSockets, nor the demo plugin with the hub emulator; the metrics plugin is loaded once a
// reload switches the endpoint on, and serves. And the tray mode of an unpacked install finds the
// module relative to the binary, or says what it looked for; without its plugins, --metrics and
// --demo fail with the files they tried.
#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <csignal>
#include <memory>

#include <sys/types.h>

#include "AppTestSupport.h"
#include "EchoServer.h"
#include "MappedFiles.h"
#include "TestHub.h"

using namespace nexustray;
using apptest::TrayProcess;

namespace {

const QByteArray kSecret = "libraries-test-secret";

// A run without a display: the tray mode's first own words once its module is loaded.
QProcessEnvironment withoutDisplay() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    return env;
}

// A loopback port that was free a moment ago.
quint16 freePort() {
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// Whether some mapped file's name starts with `prefix`.
bool isMapped(const QStringList& mapped, const QString& prefix) {
    return std::any_of(mapped.cbegin(), mapped.cend(),
                       [&prefix](const QString& f) { return f.startsWith(prefix); });
}

// A copy of the binary alone in <dir>/bin: no plugin beside it, none through the environment.
QString relocatedBinary(const QString& dir) {
    if (!QDir().mkpath(dir + QStringLiteral("/bin")))
        return {};
    const QString bin = dir + QStringLiteral("/bin/nexus-tray");
    if (!QFile::copy(apptest::binaryPath(), bin) ||
        !QFile::setPermissions(bin, QFile::permissions(apptest::binaryPath())))
        return {};
    return bin;
}

QProcessEnvironment withoutPluginDir() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("NEXUS_TRAY_PLUGIN_DIR"));
    return env;
}

} // namespace

class TestLibraries : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_tls.init(), qPrintable(m_tls.error()));
    }

    void headlessRunMapsNoGuiLibraries_data() { test::TestRelayTls::addSchemeRows(); }
    void headlessRunMapsNoGuiLibraries() {
        QFETCH(QString, scheme);
        hub::HubOptions options;
        options.jwtSecret = kSecret;
        options.relayPorts = {{80, 0}};
        QString error;
        const std::unique_ptr<hub::HubEmulator> started =
            test::startHub(options, scheme, m_tls, &error);
        QVERIFY2(started, qPrintable(error));
        hub::HubEmulator& hub = *started;
        test::EchoServer echo;
        QVERIFY(echo.listen());

        const QString path = m_dir.filePath(scheme + QStringLiteral(".yaml"));
        QFile config(path);
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(
            "backends:\n  - name: a\n    hostnames: [\"a.test\"]\n    nexusAddresses: [\"" +
            hub.backendUrl().toString().toUtf8() + "\"]\n    attestation:\n" +
            "      hmacSecret: \"" + kSecret + "\"\n    tls:\n      caFile: \"" +
            m_tls.ca().caPemPath().toUtf8() +
            "\"\n    portMappings:\n      80:\n        default: \"127.0.0.1:" +
            QByteArray::number(echo.port()) + "\"\n");
        config.close();

        TrayProcess p;
        p.start({QStringLiteral("--no-gui"), QStringLiteral("--config"), path});
        QVERIFY(p.waitStarted());
        QTRY_COMPARE_WITH_TIMEOUT(hub.authenticatedSessionCount(), 1, 20000);

        // A stream relayed end to end, so the data path (and the TLS code) has run.
        QTcpSocket user;
        user.connectToHost(QHostAddress::LocalHost, hub.relayListenPort(80));
        QVERIFY(user.waitForConnected(5000));
        const QByteArray request = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
        user.write(request);
        QByteArray echoed;
        QTRY_VERIFY_WITH_TIMEOUT((echoed += user.readAll()).size() >= request.size(), 15000);
        QCOMPARE(echoed, request);

        const QStringList mapped = test::mappedFiles(p.process.processId());
        // The reading itself works: the libraries the relay needs are there.
        QVERIFY2(isMapped(mapped, QStringLiteral("libQt6Network")),
                 qPrintable(mapped.join(QLatin1Char(' '))));
        // Loaded only when used: the tray (module), the keyring (plugin: QtKeychain, Qt D-Bus),
        // the TPM (tpm2-tss), the metrics endpoint (plugin: QtHttpServer, QtWebSockets) and
        // --demo (plugin: the hub emulator); this config uses none of them.
        const QStringList metricsLibraries{QStringLiteral("libQt6HttpServer"),
                                           QStringLiteral("libQt6WebSockets"),
                                           QStringLiteral("nexus-tray-metrics.so")};
        const QStringList notLoaded =
            QStringList{
                QStringLiteral("libQt6Gui"),         QStringLiteral("libQt6Widgets"),
                QStringLiteral("nexus-tray-gui.so"), QStringLiteral("libqt6keychain"),
                QStringLiteral("libQt6DBus"),        QStringLiteral("nexus-tray-keyring.so"),
                QStringLiteral("libtss2-"),          QStringLiteral("nexus-tray-demo.so")} +
            metricsLibraries;
        for (const QString& file : mapped) {
            for (const QString& prefix : notLoaded)
                QVERIFY2(!file.startsWith(prefix),
                         qPrintable(QStringLiteral("a headless run maps %1").arg(file)));
        }

        // A reload names a metrics address: the endpoint loads its plugin then, and serves.
        const quint16 metricsPort = freePort();
        QVERIFY(metricsPort != 0);
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Append));
        config.write("metrics:\n  listen: \"127.0.0.1:" + QByteArray::number(metricsPort) + "\"\n");
        config.close();
        ::kill(pid_t(p.process.processId()), SIGHUP);
        const auto scrapeStatus = [metricsPort] {
            apptest::HttpFetch fetch(metricsPort, "127.0.0.1", "/metrics");
            return fetch.wait(10000) && fetch.body.contains("nexustray_session_connected")
                       ? fetch.status
                       : 0;
        };
        QTRY_COMPARE_WITH_TIMEOUT(scrapeStatus(), 200, 20000);
        const QStringList serving = test::mappedFiles(p.process.processId());
        for (const QString& prefix : metricsLibraries)
            QVERIFY2(isMapped(serving, prefix),
                     qPrintable(QStringLiteral("serving metrics without %1 mapped: %2")
                                    .arg(prefix, serving.join(QLatin1Char(' ')))));
        QVERIFY(!isMapped(serving, QStringLiteral("nexus-tray-demo.so")));
    }

    // --demo loads its plugin (the hub emulator), not the metrics one.
    void demoRunMapsTheDemoPlugin() {
        TrayProcess p;
        p.start({QStringLiteral("--demo"), QStringLiteral("--no-gui")});
        QVERIFY(p.waitStarted());
        QTRY_VERIFY_WITH_TIMEOUT(p.out.contains("Demo tunnel up"), 20000);
        const QStringList mapped = test::mappedFiles(p.process.processId());
        QVERIFY2(isMapped(mapped, QStringLiteral("nexus-tray-demo.so")),
                 qPrintable(mapped.join(QLatin1Char(' '))));
        QVERIFY(!isMapped(mapped, QStringLiteral("nexus-tray-metrics.so")));
        QVERIFY(!isMapped(mapped, QStringLiteral("libQt6HttpServer")));
    }

    // Without its plugins, a binary says which files it tried (a start-up error, exit 1).
    void missingPluginsNameTheFilesTried() {
        const QString root = m_dir.filePath(QStringLiteral("bare"));
        const QString bin = relocatedBinary(root);
        QVERIFY(!bin.isEmpty());
        const QString besideIt = root + QStringLiteral("/bin/");

        const QString path = m_dir.filePath(QStringLiteral("metrics-only.yaml"));
        QFile config(path);
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("backends:\n  - name: a\n    hostnames: [\"a.test\"]\n"
                     "    nexusAddresses: [\"ws://127.0.0.1:9/\"]\n"
                     "    attestation:\n      hmacSecret: \"" +
                     kSecret +
                     "\"\n    portMappings:\n      80:\n        default: \"127.0.0.1:9\"\n");
        config.close();
        const QString address = QStringLiteral("127.0.0.1:%1").arg(freePort());
        QProcess metrics;
        metrics.setProcessEnvironment(withoutPluginDir());
        metrics.start(bin, {QStringLiteral("--no-gui"), QStringLiteral("--config"), path,
                            QStringLiteral("--metrics"), address});
        QVERIFY(metrics.waitForFinished(20000));
        QCOMPARE(metrics.exitCode(), 1);
        const QString metricsErr = QString::fromUtf8(metrics.readAllStandardError());
        QVERIFY2(metricsErr.contains(
                     QStringLiteral("cannot serve metrics on %1: the metrics module did not load: "
                                    "%2nexus-tray-metrics.so: no such file")
                         .arg(address, besideIt)),
                 qPrintable(metricsErr));

        QProcess demo;
        demo.setProcessEnvironment(withoutPluginDir());
        demo.start(bin, {QStringLiteral("--demo"), QStringLiteral("--no-gui")});
        QVERIFY(demo.waitForFinished(20000));
        QCOMPARE(demo.exitCode(), 1);
        const QString demoErr = QString::fromUtf8(demo.readAllStandardError());
        QVERIFY2(demoErr.contains(QStringLiteral("cannot load the demo module: "
                                                 "%1nexus-tray-demo.so: no such file")
                                      .arg(besideIt)),
                 qPrintable(demoErr));
    }

    // An install unpacked elsewhere (<root>/bin/nexus-tray): the tray mode first lacks its module
    // and names where it looked, then finds it at <root>/bin/<reldir> and runs it (which, with no
    // display, answers "no display" — words of the module, not of the executable).
    void trayModeOfARelocatedInstall() {
        const QString root = m_dir.filePath(QStringLiteral("root"));
        const QString bin = relocatedBinary(root);
        QVERIFY(!bin.isEmpty());
        const QString moduleDir =
            QDir::cleanPath(root + QStringLiteral("/bin/" NEXUS_TRAY_PLUGIN_RELDIR));
        const QString installDir = QStringLiteral(NEXUS_TRAY_PLUGIN_INSTALL_DIR);
        if (QFileInfo::exists(installDir + QStringLiteral("/nexus-tray-gui.so")))
            QSKIP(qPrintable(QStringLiteral("a tray module is installed in %1").arg(installDir)));
        // The plugins' search path without $NEXUS_TRAY_PLUGIN_DIR (ctest points it at the build).
        QProcessEnvironment env = withoutDisplay();
        env.remove(QStringLiteral("NEXUS_TRAY_PLUGIN_DIR"));

        QProcess missing;
        missing.setProcessEnvironment(env);
        missing.start(bin,
                      {QStringLiteral("--config"), m_dir.filePath(QStringLiteral("none.yaml"))});
        QVERIFY(missing.waitForFinished(20000));
        QCOMPARE(missing.exitCode(), 2);
        QCOMPARE(QString::fromUtf8(missing.readAllStandardError()).trimmed(),
                 QStringLiteral("nexus-tray: cannot load the tray UI module: no nexus-tray-gui.so "
                                "in %1, %2, %3; use --no-gui to run headless")
                     .arg(root + QStringLiteral("/bin"), moduleDir, installDir));

        QVERIFY(QDir().mkpath(moduleDir));
        QVERIFY(QFile::copy(QStringLiteral(REAL_GUI_MODULE),
                            moduleDir + QStringLiteral("/nexus-tray-gui.so")));
        QProcess found;
        found.setProcessEnvironment(env);
        found.start(bin, {QStringLiteral("--config"), m_dir.filePath(QStringLiteral("none.yaml"))});
        QVERIFY(found.waitForFinished(20000));
        const QString err = QString::fromUtf8(found.readAllStandardError());
        QCOMPARE(found.exitCode(), 2);
        QVERIFY2(err.contains(QStringLiteral("no display")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestLibraries)
#include "tst_libraries.moc"
