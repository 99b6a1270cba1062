// The executable's side of the tray module (app/GuiModuleLoader, issue 10): where it is looked for
// (the plugins' search path), which module is loaded, and the errors that name the cause when none
// can be — missing everywhere, not a shared object, a module of another build, a module without the
// entry points. The real nexus-tray-gui.so of this build passes the same checks.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "GuiModuleLoader.h"
#include "ScopedEnv.h"

using namespace nexustray::app;

class TestGuiModule : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString copyTo(const QString& from, const QString& dir) const {
        QDir().mkpath(m_dir.filePath(dir));
        const QString to =
            m_dir.filePath(dir + QLatin1Char('/') + QLatin1String(kGuiModuleFileName));
        QFile::remove(to);
        return QFile::copy(from, to) ? to : QString();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // The search path of every plugin (common/PluginLoader.h): $NEXUS_TRAY_PLUGIN_DIR, beside the
    // executable, <bindir>/../<libdir>/nexus-tray relative to it, the configured install place.
    void candidatesAreThePluginSearchPath() {
        const QString envDir = m_dir.filePath(QStringLiteral("env"));
        const nexustray::test::ScopedEnv env("NEXUS_TRAY_PLUGIN_DIR", envDir);
        const QStringList candidates = guiModuleCandidates();
        QCOMPARE(candidates.size(), 4);
        const QString file = QStringLiteral("/nexus-tray-gui.so");
        QCOMPARE(candidates.at(0), envDir + file);
        const QString exeDir = QFileInfo(QCoreApplication::applicationFilePath()).absolutePath();
        QCOMPARE(candidates.at(1), exeDir + file);
        QCOMPARE(candidates.at(2),
                 QDir::cleanPath(exeDir + QStringLiteral("/" NEXUS_TRAY_PLUGIN_RELDIR)) + file);
        QVERIFY(!candidates.at(2).contains(QStringLiteral("..")));
        QCOMPARE(candidates.at(3), QStringLiteral(NEXUS_TRAY_PLUGIN_INSTALL_DIR) + file);
    }

    // $NEXUS_TRAY_PLUGIN_DIR comes first for the tray module as for every plugin (tests, unusual
    // installs).
    void moduleInThePluginDirIsTheOneLoaded() {
        const QString good = copyTo(QStringLiteral(FAKE_MODULE_GOOD), QStringLiteral("envgood"));
        QVERIFY(!good.isEmpty());
        const nexustray::test::ScopedEnv env("NEXUS_TRAY_PLUGIN_DIR",
                                             QFileInfo(good).absolutePath());
        const GuiModuleLoad load = loadGuiModule();
        QVERIFY2(load.run, qPrintable(load.error));
        QCOMPARE(load.path, good);
    }

    void missingEverywhereNamesThePlacesLookedIn() {
        const GuiModuleLoad load =
            loadGuiModule({m_dir.filePath(QStringLiteral("a/nexus-tray-gui.so")),
                           m_dir.filePath(QStringLiteral("b/nexus-tray-gui.so"))});
        QVERIFY(!load.run);
        QCOMPARE(load.error, QStringLiteral("no nexus-tray-gui.so in %1, %2")
                                 .arg(m_dir.filePath(QStringLiteral("a")),
                                      m_dir.filePath(QStringLiteral("b"))));
    }

    void firstExistingModuleIsTheOneCalled() {
        const QString good = copyTo(QStringLiteral(FAKE_MODULE_GOOD), QStringLiteral("good"));
        QVERIFY(!good.isEmpty());
        const GuiModuleLoad load =
            loadGuiModule({m_dir.filePath(QStringLiteral("none/nexus-tray-gui.so")), good});
        QVERIFY2(load.run, qPrintable(load.error));
        QCOMPARE(load.path, good);
        int argc = 2;
        char arg0[] = "nexus-tray";
        char arg1[] = "-c";
        char* argv[] = {arg0, arg1, nullptr};
        const GuiModeOptions options;
        QCOMPARE(load.run(&argc, argv, &options), 42);
    }

    void moduleOfAnotherBuildIsRefusedNotSkipped() {
        const QString stale = copyTo(QStringLiteral(FAKE_MODULE_STALE), QStringLiteral("stale"));
        const QString good = copyTo(QStringLiteral(FAKE_MODULE_GOOD), QStringLiteral("good2"));
        QVERIFY(!stale.isEmpty() && !good.isEmpty());
        const GuiModuleLoad load = loadGuiModule({stale, good});
        QVERIFY(!load.run);
        QCOMPARE(load.error, QStringLiteral("%1 belongs to another build (0.0.0/gui-0, this is %2)")
                                 .arg(stale, QLatin1String(kGuiModuleInterface)));
    }

    void fileThatIsNoSharedObjectIsAnError() {
        QDir().mkpath(m_dir.filePath(QStringLiteral("text")));
        const QString path = m_dir.filePath(QStringLiteral("text/nexus-tray-gui.so"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not an ELF file\n");
        f.close();
        const GuiModuleLoad load = loadGuiModule({path});
        QVERIFY(!load.run);
        QVERIFY2(load.error.startsWith(path + QLatin1Char(':')), qPrintable(load.error)); // dlerror
    }

    void sharedObjectWithoutTheEntryPointsIsAnError() {
        // Any shared library is a valid ELF object but no tray module.
        const QString lib = copyTo(QStringLiteral(FAKE_MODULE_NOT_A_MODULE), QStringLiteral("lib"));
        QVERIFY(!lib.isEmpty());
        const GuiModuleLoad load = loadGuiModule({lib});
        QVERIFY(!load.run);
        QCOMPARE(load.error, QStringLiteral("%1 is not a nexus-tray tray module (no "
                                            "nexus_tray_gui_interface)")
                                 .arg(lib));
    }

    void thisBuildsModuleLoads() {
        const GuiModuleLoad load = loadGuiModule({QStringLiteral(REAL_GUI_MODULE)});
        QVERIFY2(load.run, qPrintable(load.error));
    }
};

QTEST_GUILESS_MAIN(TestGuiModule)
#include "tst_guimodule.moc"
