// The keyring plugin's lookup (issue 10, attestation/KeyringPlugin.h): the directories in order
// ($NEXUS_TRAY_PLUGIN_DIR, the executable's directory, the installed location), a missing or
// broken plugin reported with every file tried and the loader's own words, a later directory used
// when an earlier one lacks it, and a keyring operation failing with that clear error (never a
// crash, never a fallback) when the plugin is nowhere to be found.
#include <QPluginLoader>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

#include "PluginLoader.h"
#include "ScopedEnv.h"
#include "attestation/KeyringPlugin.h"
#include "nexustray/Keyring.h"

using namespace nexustray;
using namespace nexustray::attestation;

namespace {

QString pluginIn(const QString& dir) {
    return QDir(dir).absoluteFilePath(keyringPluginFileName());
}

} // namespace

class TstKeyringPlugin : public QObject {
    Q_OBJECT

    QString m_builtDir; // where ctest says the built plugin is
    QTemporaryDir m_empty;

private Q_SLOTS:
    void initTestCase() {
        m_builtDir = qEnvironmentVariable("NEXUS_TRAY_PLUGIN_DIR");
        QVERIFY2(!m_builtDir.isEmpty(), "run through ctest: it sets NEXUS_TRAY_PLUGIN_DIR");
        QVERIFY2(QFileInfo(pluginIn(m_builtDir)).isFile(), qPrintable(pluginIn(m_builtDir)));
        QVERIFY(m_empty.isValid());
    }

    void searchOrder() {
        const QString appDir = QCoreApplication::applicationDirPath();
        {
            nexustray::test::ScopedEnv env("NEXUS_TRAY_PLUGIN_DIR", m_empty.path());
            const QStringList dirs = pluginSearchPath();
            // The installed location relative to the executable, then as configured (both
            // differ from the build tree's).
            QCOMPARE(dirs.size(), 4);
            QCOMPARE(dirs.at(0), m_empty.path());
            QCOMPARE(dirs.at(1), appDir);
            QVERIFY2(dirs.at(2).startsWith(QDir::cleanPath(appDir + QStringLiteral("/.."))) &&
                         dirs.at(2).endsWith(QLatin1String("/nexus-tray")),
                     qPrintable(dirs.at(2)));
            QVERIFY2(dirs.at(3).endsWith(QLatin1String("/nexus-tray")), qPrintable(dirs.at(3)));
            QVERIFY(QDir::isAbsolutePath(dirs.at(3)));
        }
        {
            nexustray::test::ScopedEnv unset("NEXUS_TRAY_PLUGIN_DIR", QString());
            QCOMPARE(pluginSearchPath().value(0), appDir);
        }
    }

    void missingNamesEveryFileTried() {
        const QString other = m_empty.filePath(QStringLiteral("absent"));
        const KeyringPluginLoad load = loadKeyringPlugin({m_empty.path(), other});
        QVERIFY(!load.backend);
        QCOMPARE(load.error, QStringLiteral("%1: no such file; %2: no such file")
                                 .arg(pluginIn(m_empty.path()), pluginIn(other)));
    }

    void brokenFileGivesLoaderError() {
        QTemporaryDir broken;
        QVERIFY(broken.isValid());
        QFile file(pluginIn(broken.path()));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not an ELF file\n");
        file.close();
        const KeyringPluginLoad load = loadKeyringPlugin({broken.path()});
        QVERIFY(!load.backend);
        QPluginLoader probe(file.fileName());
        QVERIFY(!probe.load());
        QVERIFY(!probe.errorString().isEmpty());
        QCOMPARE(load.error, file.fileName() + QStringLiteral(": ") + probe.errorString());
    }

    void laterDirectoryLoads() {
        const KeyringPluginLoad load = loadKeyringPlugin({m_empty.path(), m_builtDir});
        QVERIFY2(load.backend, qPrintable(load.error));
        QVERIFY(load.error.isEmpty());
    }

    // Last: the process's plugin is looked for once, here with NEXUS_TRAY_PLUGIN_DIR empty.
    void operationFailsClearlyWithoutPlugin() {
        nexustray::test::ScopedEnv env("NEXUS_TRAY_PLUGIN_DIR", m_empty.path());
        const QStringList dirs = pluginSearchPath();
        for (const QString& dir : dirs) {
            if (QFileInfo::exists(pluginIn(dir)))
                QSKIP(qPrintable(QStringLiteral("a plugin is installed at %1").arg(pluginIn(dir))));
        }
        const QString expected =
            QStringLiteral("backend 'web': the keyring plugin could not be loaded (%1)")
                .arg(loadKeyringPlugin(dirs).error);
        QVERIFY(expected.contains(pluginIn(m_empty.path()) + QStringLiteral(": no such file")));
        for (const bool writing : {false, true}) {
            std::optional<KeyringResult> result;
            QObject context;
            const auto done = [&result](const KeyringResult& r) { result = r; };
            if (writing)
                writeKeyringSecret(QStringLiteral("web"), "secret", &context, done);
            else
                readKeyringSecret(QStringLiteral("web"), &context, done);
            QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), kKeyringTimeoutMs + 5000);
            QVERIFY(!result->ok);
            QVERIFY(result->secret.isEmpty());
            QCOMPARE(result->error, expected);
        }
    }
};

QTEST_GUILESS_MAIN(TstKeyringPlugin)
#include "tst_keyringplugin.moc"
