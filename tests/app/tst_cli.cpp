// The nexus-tray command line, run as a real process: --version, --help, --check-config,
// --no-gui start-up errors, headless operation without a display, SIGTERM shutdown.

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "AppTestSupport.h"

using apptest::run;
using apptest::RunResult;
using apptest::TrayProcess;

class TestCli : public QObject {
    Q_OBJECT

private:
    // A port on which nothing listens: bind an ephemeral port, then let it go.
    static quint16 closedPort() {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHost, 0))
            return 9;
        return server.serverPort();
    }

    static QString writeConfig(const QTemporaryDir& dir, const QByteArray& yaml) {
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size())
            return QString();
        return path;
    }

    static QProcessEnvironment withoutDisplay() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        return env;
    }

private Q_SLOTS:
    void version() {
        const RunResult r = run({QStringLiteral("--version")});
        QVERIFY2(r.finished, qPrintable(r.err));
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("nexus-tray " NEXUS_TRAY_VERSION)),
                 qPrintable(r.out));
    }

    void help() {
        const RunResult r = run({QStringLiteral("--help")});
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 0);
        for (const char* option :
             {"--no-gui", "--config", "--check-config", "--demo", "--version", "--help"})
            QVERIFY2(r.out.contains(QLatin1String(option)), option);
        QVERIFY(r.out.contains(QStringLiteral("nexus-tray/config.yaml"))); // the default path

        const RunResult all = run({QStringLiteral("--help-all")});
        QVERIFY(all.finished);
        QCOMPARE(all.exitCode, 0);
        QVERIFY(all.out.contains(QStringLiteral("--no-gui")));
    }

    void unknownOptionIsAUsageError() {
        const RunResult r = run({QStringLiteral("--no-such-option")});
        QVERIFY(r.finished);
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no-such-option")), qPrintable(r.err));
    }

    void checkConfigValid() {
        const RunResult r =
            run({QStringLiteral("--check-config"), apptest::dataPath("valid.yaml")});
        QVERIFY(r.finished);
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QCOMPARE(r.out, QStringLiteral("OK\n"));
        QVERIFY2(!r.err.contains(QStringLiteral("error")), qPrintable(r.err));
    }

    void checkConfigInvalid() {
        const QString path = apptest::dataPath("invalid.yaml");
        const RunResult r = run({QStringLiteral("--check-config"), path});
        QVERIFY(r.finished);
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 1, qPrintable(r.out + r.err));
        QVERIFY2(!r.out.contains(QStringLiteral("OK")), qPrintable(r.out));
        // "file:line:col: key: message" -- the unknown key sits on line 5 of invalid.yaml.
        QVERIFY2(r.err.contains(path + QStringLiteral(":5:")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("bogusKey")), qPrintable(r.err));
        for (const QString& line : r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            QVERIFY2(line.startsWith(path) || line.startsWith(QStringLiteral("warning: ")),
                     qPrintable(line));
    }

    void checkConfigMissingFile() {
        const QString path = QStringLiteral("/nonexistent/nexus-tray/config.yaml");
        const RunResult r = run({QStringLiteral("--check-config"), path});
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(path) && r.err.contains(QStringLiteral("not found")),
                 qPrintable(r.err));
    }

    void noGuiMissingConfig() {
        const QString path = QStringLiteral("/nonexistent/nexus-tray/config.yaml");
        const RunResult r = run({QStringLiteral("--no-gui"), QStringLiteral("--config"), path});
        QVERIFY2(r.finished, "nexus-tray kept running without a config file");
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("no config file at ") + path), qPrintable(r.err));
    }

    void noGuiInvalidConfig() {
        const QString path = apptest::dataPath("invalid.yaml");
        const RunResult r = run({QStringLiteral("--no-gui"), QStringLiteral("--config"), path});
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(path + QStringLiteral(":5:")), qPrintable(r.err));
    }

    // Headless mode needs no display: no QT_QPA_PLATFORM, DISPLAY or WAYLAND_DISPLAY. The relay
    // address is a closed port, so the session just retries; SIGTERM must end it cleanly.
    void noGuiRunsWithoutDisplayAndStopsOnSigterm() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray yaml = "backends:\n"
                                "  - name: headless\n"
                                "    hostnames: [\"app.example.com\"]\n"
                                "    nexusAddresses: [\"ws://127.0.0.1:" +
                                QByteArray::number(closedPort()) +
                                "/connect\"]\n"
                                "    attestation:\n"
                                "      hmacSecret: \"test-secret\"\n"
                                "    portMappings:\n"
                                "      80:\n"
                                "        default: \"127.0.0.1:8080\"\n";
        const QString path = writeConfig(dir, yaml);
        QVERIFY(!path.isEmpty());

        QProcessEnvironment env = withoutDisplay();
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("nexus.app.debug=true"));
        // Sanitizer builds: LSan's suppression statistics are not log lines.
        const QString lsan = env.value(QStringLiteral("LSAN_OPTIONS"));
        if (!lsan.isEmpty() && !lsan.contains(QStringLiteral("print_suppressions")))
            env.insert(QStringLiteral("LSAN_OPTIONS"),
                       lsan + QStringLiteral(":print_suppressions=0"));
        TrayProcess p;
        p.start({QStringLiteral("--no-gui"), QStringLiteral("--config"), path}, env);
        QVERIFY(p.waitStarted());
        // Running: it announced the start and the session tried the relay at least once.
        const auto started = p.waitForOutput(
            QRegularExpression(QStringLiteral("starting: 1 of 1 backend")), 15000, true);
        QVERIFY2(started.hasMatch(), qPrintable(p.describe()));
        const auto tried = p.waitForOutput(
            QRegularExpression(QStringLiteral("session headless#\\d+ .*: (connecting|backoff)")),
            15000, true);
        QVERIFY2(tried.hasMatch(), qPrintable(p.describe()));
        QCOMPARE(p.process.state(), QProcess::Running);

        p.process.terminate(); // SIGTERM
        QVERIFY2(p.waitFinished(5000), qPrintable(p.describe()));
        QCOMPARE(p.process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.process.exitCode() == 0, qPrintable(p.describe()));
        const QString err = QString::fromUtf8(p.err);
        QVERIFY2(err.contains(QStringLiteral("received SIGTERM")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("shutdown complete")), qPrintable(err));
        // One line per message, journal style (stderr is a pipe here): "<N>category: message".
        for (const QString& line : err.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            QVERIFY2(QRegularExpression(QStringLiteral("^<[0-7]>")).match(line).hasMatch(),
                     qPrintable(line));
    }

    // --log-format json: every stderr line of a real run is one JSON object with time, level,
    // category and message; the session's lines carry backend and session. A bad value is a usage
    // error.
    void jsonLogFormat() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = writeConfig(dir, "backends:\n"
                                              "  - name: headless\n"
                                              "    hostnames: [\"app.example.com\"]\n"
                                              "    nexusAddresses: [\"ws://127.0.0.1:" +
                                                  QByteArray::number(closedPort()) +
                                                  "/connect\"]\n"
                                                  "    attestation: {hmacSecret: \"test-secret\"}\n"
                                                  "    portMappings: {80: \"127.0.0.1:8080\"}\n");
        TrayProcess p;
        p.start({QStringLiteral("--no-gui"), QStringLiteral("--log-format"), QStringLiteral("json"),
                 QStringLiteral("--config"), path},
                withoutDisplay());
        QVERIFY(p.waitStarted());
        QVERIFY2(p.waitForOutput(QRegularExpression(QStringLiteral("\"session\":\"headless#1\"")),
                                 15000, true)
                     .hasMatch(),
                 qPrintable(p.describe()));
        p.process.terminate();
        QVERIFY2(p.waitFinished(5000), qPrintable(p.describe()));
        QCOMPARE(p.process.exitCode(), 0);
        bool sawSession = false;
        for (const QByteArray& line : p.err.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            for (const char* key : {"time", "level", "message"})
                QVERIFY2(o.value(QLatin1String(key)).isString(), line.constData());
            if (o.value(QStringLiteral("session")).toString() == QLatin1String("headless#1")) {
                QCOMPARE(o.value(QStringLiteral("backend")).toString(), QStringLiteral("headless"));
                QCOMPARE(o.value(QStringLiteral("category")).toString(),
                         QStringLiteral("nexus.session"));
                sawSession = true;
            }
        }
        QVERIFY(sawSession);

        const apptest::RunResult bad =
            apptest::run({QStringLiteral("--log-format"), QStringLiteral("xml")});
        QVERIFY(bad.finished);
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("--log-format must be text or json")),
                 qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
