// One nexus-tray per user and config: the real binary (offscreen GUI) started twice at the same
// moment runs once; the lock lives in a private directory, and a directory another user could
// control is refused with a clear message.
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <memory>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "AppTestSupport.h"

using namespace apptest;

namespace {

const QString kAlreadyRunning = QStringLiteral("nexus-tray is already running");
const QString kRuns = QStringLiteral("showing the status window instead");

QProcessEnvironment guiEnvironment(const QString& runtimeDir) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    if (runtimeDir.isEmpty())
        env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
    else
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtimeDir);
    // Sanitizer builds: LSan's suppression statistics are not log lines.
    const QString lsan = env.value(QStringLiteral("LSAN_OPTIONS"));
    if (!lsan.isEmpty() && !lsan.contains(QStringLiteral("print_suppressions")))
        env.insert(QStringLiteral("LSAN_OPTIONS"), lsan + QStringLiteral(":print_suppressions=0"));
    return env;
}

QStringList guiArguments() {
    return {QStringLiteral("--config"), dataPath(QStringLiteral("valid.yaml"))};
}

mode_t modeOf(const QString& path) {
    struct stat st {};
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode & 07777 : 0;
}

} // namespace

class TestInstance : public QObject {
    Q_OBJECT

    // Starts the GUI with `env` and expects it to refuse the instance directory: exit code 2 and
    // a message naming the directory and `cause`.
    static void expectRefused(const QProcessEnvironment& env, const QString& dir,
                              const QString& cause) {
        const RunResult r = run(guiArguments(), 20000, env);
        QVERIFY2(r.finished, qPrintable(r.err));
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 2, qPrintable(r.err));
        QVERIFY2(r.err.contains(dir) && r.err.contains(cause), qPrintable(r.err));
        QVERIFY2(!r.err.contains(kRuns), qPrintable(r.err));
    }

private Q_SLOTS:
    // Several starts at the same moment (two is the minimum; more make the race likelier).
    void simultaneousStartsRunOnlyOne() {
        QTemporaryDir runtime;
        QVERIFY(runtime.isValid());
        QVERIFY(QFile::setPermissions(runtime.path(), QFileDevice::ReadOwner |
                                                          QFileDevice::WriteOwner |
                                                          QFileDevice::ExeOwner));
        const QProcessEnvironment env = guiEnvironment(runtime.path());
        constexpr int kStarts = 4;
        std::vector<std::unique_ptr<TrayProcess>> procs;
        for (int i = 0; i < kStarts; ++i)
            procs.push_back(std::make_unique<TrayProcess>());
        for (auto& p : procs)
            p->start(guiArguments(), env);
        for (auto& p : procs)
            QVERIFY(p->waitStarted());
        auto exited = [&] {
            int n = 0;
            for (auto& p : procs)
                n += p->process.state() == QProcess::NotRunning;
            return n;
        };
        // All but one give way...
        QVERIFY(QTest::qWaitFor([&] { return exited() >= kStarts - 1; }, 60000));
        TrayProcess* running = nullptr;
        for (auto& p : procs) {
            if (p->process.state() != QProcess::NotRunning) {
                QVERIFY2(!running, "two instances run");
                running = p.get();
                continue;
            }
            QVERIFY2(p->waitFinished(5000), qPrintable(p->describe()));
            QCOMPARE(p->process.exitStatus(), QProcess::NormalExit);
            QVERIFY2(p->process.exitCode() == 0, qPrintable(p->describe()));
            QVERIFY2(QString::fromUtf8(p->err).contains(kAlreadyRunning),
                     qPrintable(p->describe()));
            QVERIFY2(!QString::fromUtf8(p->err).contains(kRuns), qPrintable(p->describe()));
        }
        // ...the other one runs,
        QVERIFY(running);
        QVERIFY2(running->waitForOutput(QRegularExpression(kRuns), 30000, true).hasMatch(),
                 qPrintable(running->describe()));
        QCOMPARE(running->process.state(), QProcess::Running);
        // and a later start also finds it (and gets an answer from it).
        const RunResult later = run(guiArguments(), 20000, env);
        QVERIFY2(later.finished && later.exitCode == 0, qPrintable(later.err));
        QVERIFY2(later.err.contains(kAlreadyRunning), qPrintable(later.err));
        QVERIFY2(later.err.contains(QStringLiteral("asked it to show its window")),
                 qPrintable(later.err));
        QCOMPARE(running->process.state(), QProcess::Running);
        // The lock and socket live in a private directory.
        QCOMPARE(modeOf(runtime.filePath(QStringLiteral("nexus-tray"))), mode_t(0700));

        running->process.terminate();
        QVERIFY2(running->waitFinished(10000), qPrintable(running->describe()));
    }

    // An instance too busy to answer (here: stopped with SIGSTOP) is still running: a second
    // start must not take its place.
    void aBusyInstanceIsNotReplaced() {
        QTemporaryDir runtime;
        QVERIFY(runtime.isValid());
        QVERIFY(QFile::setPermissions(runtime.path(), QFileDevice::ReadOwner |
                                                          QFileDevice::WriteOwner |
                                                          QFileDevice::ExeOwner));
        const QProcessEnvironment env = guiEnvironment(runtime.path());
        TrayProcess first;
        first.start(guiArguments(), env);
        QVERIFY(first.waitStarted());
        QVERIFY2(first.waitForOutput(QRegularExpression(kRuns), 30000, true).hasMatch(),
                 qPrintable(first.describe()));
        const auto pid = pid_t(first.process.processId());
        QCOMPARE(::kill(pid, SIGSTOP), 0);
        auto resume = qScopeGuard([pid] { ::kill(pid, SIGCONT); });

        TrayProcess second;
        second.start(guiArguments(), env);
        QVERIFY(second.waitStarted());
        const bool finished = second.waitFinished(30000);
        QVERIFY2(finished, qPrintable(second.describe())); // it did not start a second tray
        QVERIFY2(second.process.exitCode() == 0, qPrintable(second.describe()));
        QVERIFY2(QString::fromUtf8(second.err).contains(kAlreadyRunning),
                 qPrintable(second.describe()));
        QVERIFY2(!QString::fromUtf8(second.err).contains(kRuns), qPrintable(second.describe()));

        resume.dismiss();
        QCOMPARE(::kill(pid, SIGCONT), 0);
        first.process.terminate();
        QVERIFY2(first.waitFinished(10000), qPrintable(first.describe()));
    }

    // Without XDG_RUNTIME_DIR the lock goes to a per-user directory under TMPDIR, created 0700.
    void withoutRuntimeDirAPrivateTempDirectory() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QProcessEnvironment env = guiEnvironment(QString());
        env.insert(QStringLiteral("TMPDIR"), tmp.path());
        TrayProcess p;
        p.start(guiArguments(), env);
        QVERIFY(p.waitStarted());
        QVERIFY2(p.waitForOutput(QRegularExpression(kRuns), 30000, true).hasMatch(),
                 qPrintable(p.describe()));
        const QString dir = tmp.filePath(QStringLiteral("nexus-tray-%1").arg(::geteuid()));
        QCOMPARE(modeOf(dir), mode_t(0700));
        QVERIFY(!QDir(dir).entryList({QStringLiteral("*.lock")}, QDir::Files).isEmpty());
        p.process.terminate();
        QVERIFY2(p.waitFinished(10000), qPrintable(p.describe()));
    }

    void insecureDirectoriesAreRefused() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QProcessEnvironment env = guiEnvironment(QString());
        env.insert(QStringLiteral("TMPDIR"), tmp.path());
        const QString dir = tmp.filePath(QStringLiteral("nexus-tray-%1").arg(::geteuid()));
        const QByteArray path = QFile::encodeName(dir);

        // Open to others (e.g. made by someone else before us).
        QCOMPARE(::mkdir(path.constData(), 0700), 0);
        QCOMPARE(::chmod(path.constData(), 0777), 0);
        expectRefused(env, dir, QStringLiteral("open to other users"));
        QCOMPARE(modeOf(dir), mode_t(0777)); // not "repaired" behind the owner's back

        // Owned by another user (needs root to arrange).
        if (::geteuid() == 0) {
            QCOMPARE(::chmod(path.constData(), 0700), 0);
            QCOMPARE(::chown(path.constData(), 65534, 65534), 0);
            expectRefused(env, dir, QStringLiteral("belongs to uid 65534"));
        }

        // A symlink planted to a directory of the attacker's choice.
        QVERIFY(QDir(dir).removeRecursively());
        const QString elsewhere = tmp.filePath(QStringLiteral("elsewhere"));
        QCOMPARE(::mkdir(QFile::encodeName(elsewhere).constData(), 0700), 0);
        QCOMPARE(::symlink(QFile::encodeName(elsewhere).constData(), path.constData()), 0);
        expectRefused(env, dir, QStringLiteral("symbolic link"));
        QVERIFY(QDir(elsewhere).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestInstance)
#include "tst_instance.moc"
