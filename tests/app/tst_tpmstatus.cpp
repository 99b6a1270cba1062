// nexus-tray --tpm-status, run as a real process against a software TPM (swtpm) and the honest fake
// namek: a reachable TPM with a real enrollment prints its device id and hostname, asks namek
// (GET /api/v1/devices/me with the saved AK, never enrolling) and exits 0 while the device is
// active, 1 once namek suspended it; an enrollment whose AK is missing, an unreachable TPM, a
// config without tpm backend or one that does not load exit 1.
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "AppTestSupport.h"
#include "FakeNamek.h"
#include "SwtpmLauncher.h"
#include "TestCa.h"
#include "attestation/tpm/TpmAttestor.h"
#include "attestation/tpm/TpmState.h"

#include <optional>

using apptest::run;
using apptest::RunResult;
using nexustray::attestation::tpm::TpmAttestor;
using nexustray::attestation::tpm::TpmAttestorOptions;
using nexustray::attestation::tpm::TpmIdentity;
using nexustray::attestation::tpm::TpmState;
using nexustray::attestation::tpm::TpmTokenResult;
using nexustray::test::FakeNamek;
using nexustray::test::SwtpmLauncher;
using nexustray::test::TestCa;

namespace {

QString writeConfig(const QTemporaryDir& dir, const QByteArray& yaml) {
    const QString path = dir.filePath(QStringLiteral("config.yaml"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size())
        return QString();
    return path;
}

QByteArray tpmConfig(const QString& tcti, const QString& stateDir,
                     const QString& namekUrl = QStringLiteral("https://namek.example.com"),
                     const QString& caFile = QString()) {
    return QStringLiteral("backends:\n"
                          "  - name: home\n"
                          "    nexusAddresses: [\"wss://relay.example.com/connect\"]\n"
                          "    attestation:\n"
                          "      tpm:\n"
                          "        namekUrl: \"%3\"\n"
                          "%4"
                          "        tcti: \"%1\"\n"
                          "        stateDir: \"%2\"\n"
                          "    portMappings: {443: {default: \"127.0.0.1:8443\"}}\n")
        .arg(tcti, stateDir, namekUrl,
             caFile.isEmpty() ? QString() : QStringLiteral("        caFile: \"%1\"\n").arg(caFile))
        .toUtf8();
}

} // namespace

class TestTpmStatus : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reachableEnrolledAndAskedAtNamek() {
        if (QStandardPaths::findExecutable(QStringLiteral("swtpm")).isEmpty())
            QSKIP("swtpm not installed (Debian: apt install swtpm swtpm-tools)");
        TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        FakeNamek namek(ca, "shared-with-the-hub");
        QVERIFY(namek.start());
        SwtpmLauncher tpm(SwtpmLauncher::Kind::Bare);
        QString error;
        QVERIFY2(tpm.start(&error), qPrintable(error));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString stateDir = dir.filePath(QStringLiteral("state"));

        // A real enrollment first (in this process; its TPM connection is closed afterwards, since
        // swtpm serves one client at a time).
        TpmIdentity identity;
        {
            TpmAttestorOptions o;
            o.namekUrl = namek.url();
            o.caFile = ca.caPemPath();
            o.tcti = tpm.tcti();
            o.stateDir = stateDir;
            TpmAttestor attestor(o);
            std::optional<TpmTokenResult> token;
            attestor.requestToken(0, {}, [&token](const TpmTokenResult& r) { token = r; });
            QTRY_VERIFY_WITH_TIMEOUT(token.has_value(), 120000);
            QVERIFY2(token->ok(), qPrintable(token->message));
            QVERIFY(attestor.identity());
            identity = *attestor.identity();
        }
        QCOMPARE(namek.enrollments(), 1);

        const QString config = writeConfig(
            dir, tpmConfig(tpm.tcti(), stateDir, namek.url().toString(), ca.caPemPath()));
        const QStringList args{QStringLiteral("--tpm-status"), QStringLiteral("--config"), config};
        const RunResult r = run(args, 60000);
        QVERIFY2(r.finished, qPrintable(r.err));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("backend 'home'")), qPrintable(r.out));
        QVERIFY2(r.out.contains(tpm.tcti() + QStringLiteral(": reachable")), qPrintable(r.out));
        QVERIFY2(r.out.contains(identity.deviceId), qPrintable(r.out));
        QVERIFY2(r.out.contains(identity.hostname), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("namek:     device active")), qPrintable(r.out));
        // It looked with the saved AK: no second enrollment, the state is unchanged.
        QCOMPARE(namek.enrollments(), 1);
        QVERIFY(namek.requests(QStringLiteral("/api/v1/devices/me")) >= 1);

        // namek suspended the device: said so, and the exit status says something is wrong.
        namek.setDeviceStatus(identity.deviceId, QStringLiteral("suspended"));
        const RunResult suspended = run(args, 60000);
        QVERIFY2(suspended.finished, qPrintable(suspended.err));
        QCOMPARE(suspended.exitCode, 1);
        QVERIFY2(suspended.out.contains(QStringLiteral("suspended")),
                 qPrintable(suspended.out + suspended.err));
        QCOMPARE(namek.enrollments(), 1);
    }

    void enrolledStateWithoutItsKeyFails() {
        // identity.json without the AK it was made with (e.g. copied from another machine): the
        // device cannot prove itself, and --tpm-status must say so rather than enroll.
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
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(tpm.tcti() + QStringLiteral(": reachable")), qPrintable(r.out));
        QVERIFY2(r.out.contains(identity.deviceId), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("cannot check the device: not enrolled")),
                 qPrintable(r.out));
        QVERIFY(state.loadAk().isEmpty()); // no AK was made
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
