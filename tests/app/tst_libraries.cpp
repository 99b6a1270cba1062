// What the real nexus-tray binary maps (issue 10, idle memory): a headless run (--no-gui) that is
// connected and relaying over ws:// and wss:// has not loaded Qt Gui, Qt Widgets or the tray
// module (loaded only by the tray mode), nor the keyring plugin with QtKeychain and Qt D-Bus, nor
// tpm2-tss (loaded when a backend uses them). And the tray mode
// of an unpacked install finds the module relative to the binary, or says what it looked for.
#include <QDir>
#include <QFile>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

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
        QVERIFY2(std::any_of(mapped.cbegin(), mapped.cend(),
                             [](const QString& f) {
                                 return f.startsWith(QStringLiteral("libQt6Network"));
                             }),
                 qPrintable(mapped.join(QLatin1Char(' '))));
        // Loaded only when used: the tray (module), the keyring (plugin: QtKeychain, Qt D-Bus)
        // and the TPM (tpm2-tss); this config uses none of them.
        const QStringList notLoaded{
            QStringLiteral("libQt6Gui"),         QStringLiteral("libQt6Widgets"),
            QStringLiteral("nexus-tray-gui.so"), QStringLiteral("libqt6keychain"),
            QStringLiteral("libQt6DBus"),        QStringLiteral("nexus-tray-keyring.so"),
            QStringLiteral("libtss2-")};
        for (const QString& file : mapped) {
            for (const QString& prefix : notLoaded)
                QVERIFY2(!file.startsWith(prefix),
                         qPrintable(QStringLiteral("a headless run maps %1").arg(file)));
        }
    }

    // An install unpacked elsewhere (<root>/bin/nexus-tray): the tray mode first lacks its module
    // and names where it looked, then finds it at <root>/bin/<reldir> and runs it (which, with no
    // display, answers "no display" — words of the module, not of the executable).
    void trayModeOfARelocatedInstall() {
        const QString root = m_dir.filePath(QStringLiteral("root"));
        QVERIFY(QDir().mkpath(root + QStringLiteral("/bin")));
        const QString bin = root + QStringLiteral("/bin/nexus-tray");
        QVERIFY(QFile::copy(apptest::binaryPath(), bin));
        QVERIFY(QFile::setPermissions(bin, QFile::permissions(apptest::binaryPath())));
        const QString moduleDir =
            QDir::cleanPath(root + QStringLiteral("/bin/" NEXUS_GUI_MODULE_RELDIR));

        QProcess missing;
        missing.setProcessEnvironment(withoutDisplay());
        missing.start(bin,
                      {QStringLiteral("--config"), m_dir.filePath(QStringLiteral("none.yaml"))});
        QVERIFY(missing.waitForFinished(20000));
        QCOMPARE(missing.exitCode(), 2);
        QCOMPARE(QString::fromUtf8(missing.readAllStandardError()).trimmed(),
                 QStringLiteral("nexus-tray: cannot load the tray UI module: no nexus-tray-gui.so "
                                "in %1, %2; use --no-gui to run headless")
                     .arg(root + QStringLiteral("/bin"), moduleDir));

        QVERIFY(QDir().mkpath(moduleDir));
        QVERIFY(QFile::copy(QStringLiteral(REAL_GUI_MODULE),
                            moduleDir + QStringLiteral("/nexus-tray-gui.so")));
        QProcess found;
        found.setProcessEnvironment(withoutDisplay());
        found.start(bin, {QStringLiteral("--config"), m_dir.filePath(QStringLiteral("none.yaml"))});
        QVERIFY(found.waitForFinished(20000));
        const QString err = QString::fromUtf8(found.readAllStandardError());
        QCOMPARE(found.exitCode(), 2);
        QVERIFY2(err.contains(QStringLiteral("no display")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestLibraries)
#include "tst_libraries.moc"
