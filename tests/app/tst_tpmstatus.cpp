// nexus-tray --tpm-status, run as a real process against a software TPM (swtpm): a reachable TPM
// with an enrolled state prints its device id and hostname and exits 0; an unreachable TPM, a
// config without tpm backend or one that does not load exit 1.
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "AppTestSupport.h"
#include "SwtpmLauncher.h"
#include "attestation/tpm/TpmState.h"

using apptest::run;
using apptest::RunResult;
using nexustray::attestation::tpm::TpmIdentity;
using nexustray::attestation::tpm::TpmState;
using nexustray::test::SwtpmLauncher;

namespace {

QString writeConfig(const QTemporaryDir& dir, const QByteArray& yaml) {
    const QString path = dir.filePath(QStringLiteral("config.yaml"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size())
        return QString();
    return path;
}

QByteArray tpmConfig(const QString& tcti, const QString& stateDir) {
    return QStringLiteral("backends:\n"
                          "  - name: home\n"
                          "    nexusAddresses: [\"wss://relay.example.com/connect\"]\n"
                          "    attestation:\n"
                          "      tpm:\n"
                          "        namekUrl: \"https://namek.example.com\"\n"
                          "        tcti: \"%1\"\n"
                          "        stateDir: \"%2\"\n"
                          "    portMappings: {443: {default: \"127.0.0.1:8443\"}}\n")
        .arg(tcti, stateDir)
        .toUtf8();
}

} // namespace

class TestTpmStatus : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reachableAndEnrolled() {
        if (QStandardPaths::findExecutable(QStringLiteral("swtpm")).isEmpty())
            QSKIP("swtpm not installed (Debian: apt install swtpm swtpm-tools)");
        SwtpmLauncher tpm(SwtpmLauncher::Kind::Bare);
        QString error;
        QVERIFY2(tpm.start(&error), qPrintable(error));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString stateDir = dir.filePath(QStringLiteral("state"));
        TpmIdentity identity;
        identity.namekUrl = QStringLiteral("https://namek.example.com");
        identity.deviceId = QStringLiteral("0b6f5a8e-1111-4222-8333-944455556666");
        identity.hostname = QStringLiteral("abcdefghijklmnopqrst.devices.example.com");
        identity.identityClass = QStringLiteral("verified");
        identity.ekFingerprint = QStringLiteral("00ff");
        const TpmState state(stateDir);
        QVERIFY2(state.ensureDir(&error) && state.saveIdentity(identity, &error),
                 qPrintable(error));

        const QString config = writeConfig(dir, tpmConfig(tpm.tcti(), stateDir));
        const RunResult r =
            run({QStringLiteral("--tpm-status"), QStringLiteral("--config"), config});
        QVERIFY2(r.finished, qPrintable(r.err));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("backend 'home'")), qPrintable(r.out));
        QVERIFY2(r.out.contains(tpm.tcti() + QStringLiteral(": reachable")), qPrintable(r.out));
        QVERIFY2(r.out.contains(identity.deviceId), qPrintable(r.out));
        QVERIFY2(r.out.contains(identity.hostname), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("verified")), qPrintable(r.out));
    }

    void unreachableTpmFails() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString tcti =
            QStringLiteral("swtpm:path=%1").arg(dir.filePath(QStringLiteral("no.sock")));
        const QString config =
            writeConfig(dir, tpmConfig(tcti, dir.filePath(QStringLiteral("state"))));
        const RunResult r =
            run({QStringLiteral("--tpm-status"), QStringLiteral("--config"), config});
        QVERIFY2(r.finished, qPrintable(r.err));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(QStringLiteral("NOT reachable")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("enrolled:  no")), qPrintable(r.out));
    }

    void noTpmBackendFails() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString config = writeConfig(
            dir,
            "backends:\n  - name: web\n    hostnames: [a.example.com]\n"
            "    nexusAddresses: [\"wss://r.example.com/c\"]\n    attestation: {hmacSecret: s}\n"
            "    portMappings: {443: {default: \"127.0.0.1:1\"}}\n");
        const RunResult r =
            run({QStringLiteral("--tpm-status"), QStringLiteral("--config"), config});
        QVERIFY2(r.finished, qPrintable(r.err));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no backend uses attestation.tpm")),
                 qPrintable(r.err));
    }

    void configErrorFails() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString config = writeConfig(
            dir, "backends:\n  - name: home\n    attestation: {tpm: {namekUrl: \"http://x\"}}\n"
                 "    portMappings: {443: {default: \"127.0.0.1:1\"}}\n");
        const RunResult r =
            run({QStringLiteral("--tpm-status"), QStringLiteral("--config"), config});
        QVERIFY2(r.finished, qPrintable(r.err));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("must be an https:// URL")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestTpmStatus)
#include "tst_tpmstatus.moc"
