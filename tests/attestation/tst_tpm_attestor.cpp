// TpmAttestor against a real software TPM (swtpm) and the honest fake namek (tpm-namek.md):
// enrollment via EK certificate and via EK public key, AK reuse, TPM swap, lost state, every
// reaction of §2.8, a slow namek, concurrent requests, and tokens the hub's validator accepts.
#include "FakeNamek.h"
#include "SwtpmLauncher.h"
#include "TestCa.h"
#include "attestation/TpmTokenProvider.h"
#include "attestation/tpm/TpmAttestor.h"
#include "hub/JwtValidator.h"
#include "nexustray/Config.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace nexustray::attestation::tpm;
using namespace nexustray::test;

namespace {

const QByteArray kSecret = "shared-with-the-hub-emulator";
// Owner, group and other bits (the ReadUser... flags describe the current user, not the mode).
constexpr QFile::Permissions::Int kModeBits = 0x7077;
constexpr int kWaitMs = 120000; // swtpm RSA key creation is slow under ASan on 2 busy cores

TpmTokenResult fetch(TpmAttestor& attestor, int stage = 0, const QString& nonce = {}) {
    auto result = std::make_shared<std::optional<TpmTokenResult>>();
    attestor.requestToken(stage, nonce, [result](const TpmTokenResult& r) { *result = r; });
    if (!QTest::qWaitFor([result] { return result->has_value(); }, kWaitMs)) {
        return {{}, TpmFailure::ClientBug, QStringLiteral("no answer within the test's limit"), 0};
    }
    return **result;
}

// One namek, one TPM, one state directory.
struct Rig {
    explicit Rig(SwtpmLauncher::Kind kind = SwtpmLauncher::Kind::WithEkCert)
        : namek(ca, kSecret)
        , tpm(kind) {}

    bool start(QString* error) {
        if (!ca.isValid()) {
            *error = ca.error();
            return false;
        }
        if (!namek.start()) {
            *error = namek.errorString();
            return false;
        }
        return tpm.start(error);
    }

    TpmAttestorOptions options(int timeoutMs = 10000) const {
        TpmAttestorOptions o;
        o.namekUrl = namek.url();
        o.caFile = ca.caPemPath();
        o.tcti = tpm.tcti();
        o.stateDir = stateDir();
        o.requestTimeoutMs = timeoutMs;
        return o;
    }
    QString stateDir() const { return root.filePath(QStringLiteral("state/home")); }

    // Enrolls with an attestor that is gone afterwards; returns the device id ("" on failure).
    QString enrollWithAFirstAttestor() {
        TpmAttestor first(options());
        const TpmTokenResult r = fetch(first);
        return r.ok() && first.identity() ? first.identity()->deviceId : QString();
    }

    TestCa ca;
    FakeNamek namek;
    SwtpmLauncher tpm;
    QTemporaryDir root;
};

#define START_RIG(rig)                                                                             \
    do {                                                                                           \
        QString startError;                                                                        \
        QVERIFY2((rig).start(&startError), qPrintable(startError));                                \
    } while (false)

#define FETCH_OK(var, attestor, ...)                                                               \
    const TpmTokenResult var = fetch(attestor, ##__VA_ARGS__);                                     \
    QVERIFY2(var.ok(), qPrintable(var.message))

} // namespace

class TstTpmAttestor : public QObject {
    Q_OBJECT
private slots:
    void enrollsViaEkCertificateAndIssuesValidTokens() {
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        QVERIFY(attestor.configError().isEmpty());
        FETCH_OK(t0, attestor, 0, QString());
        FETCH_OK(t1, attestor, 1, QStringLiteral("challenge-1"));
        FETCH_OK(t2, attestor, 2, QStringLiteral("challenge-2"));
        QCOMPARE(rig.namek.enrollments(), 1);
        QCOMPARE(rig.namek.lastEkKind(), QStringLiteral("ek_cert"));
        QCOMPARE(rig.namek.tokensIssued(), 3);

        const auto identity = attestor.identity();
        QVERIFY(identity);
        QVERIFY(identity->hostname.endsWith(QLatin1Char('.') + rig.namek.baseDomain()));
        QCOMPARE(identity->hostname.indexOf(QLatin1Char('.')), 20); // §2.7 slug: 20 characters

        // The hub emulator's validator accepts them with the shared secret.
        const nexustray::hub::JwtValidator validator(kSecret);
        QString error;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto c0 = validator.validate(t0.token, now, &error);
        QVERIFY2(c0, qPrintable(error));
        QCOMPARE(c0->subject, identity->deviceId);
        QVERIFY(c0->hostnames.contains(identity->hostname));
        QCOMPARE(c0->handshakeMaxAgeSeconds, 60);
        const auto c2 = validator.validate(t2.token, now, &error);
        QVERIFY2(c2, qPrintable(error));
        QCOMPARE(c2->sessionNonce, QStringLiteral("challenge-2"));

        // §6: directory 0700, files 0600, identity.json with the enrolled identity.
        const QFile::Permissions owner = QFile::ReadOwner | QFile::WriteOwner;
        QCOMPARE(QFileInfo(rig.stateDir()).permissions() & kModeBits, owner | QFile::ExeOwner);
        for (const char* name : {"ak_pub", "ak_priv", "identity.json"}) {
            const QFileInfo f(QDir(rig.stateDir()).filePath(QLatin1String(name)));
            QVERIFY2(f.exists(), name);
            QCOMPARE(f.permissions() & kModeBits, owner);
        }
        QCOMPARE(QFileInfo(QDir(rig.stateDir()).filePath(QStringLiteral("ak_pub"))).size(), 280);
        QCOMPARE(TpmState(rig.stateDir()).loadIdentity()->deviceId, identity->deviceId);
    }

    void enrollsViaEkCertificateWithoutPersistentEk() {
        // §3.1: the transient EK must use template L-1 with 256 zero bytes of unique, else its key
        // is not the certificate's and ActivateCredential cannot decrypt namek's credential.
        Rig rig;
        START_RIG(rig);
        QString error;
        QVERIFY2(rig.tpm.evictPersistentEk(&error), qPrintable(error));
        TpmAttestor attestor(rig.options());
        FETCH_OK(t, attestor);
        QCOMPARE(rig.namek.lastEkKind(), QStringLiteral("ek_cert"));
        QCOMPARE(rig.namek.enrollments(), 1);
    }

    void enrollsViaEkPublicKeyWithoutCertificate() {
        Rig rig(SwtpmLauncher::Kind::Bare);
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        FETCH_OK(t, attestor);
        QCOMPARE(rig.namek.enrollments(), 1);
        QCOMPARE(rig.namek.lastEkKind(), QStringLiteral("ek_pub"));
    }

    void checkIdentityAsksNamek() {
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        auto status = std::make_shared<std::optional<TpmDeviceStatus>>();
        auto check = [&] {
            status->reset();
            attestor.checkIdentity([status](const TpmDeviceStatus& s) { *status = s; });
            return QTest::qWaitFor([status] { return status->has_value(); }, kWaitMs);
        };
        {
            // Not enrolled, and not allowed to: it says so and leaves namek and the state alone.
            TpmAttestorOptions o = rig.options();
            o.mayEnroll = false;
            TpmAttestor looker(o);
            std::optional<TpmDeviceStatus> seen;
            looker.checkIdentity([&seen](const TpmDeviceStatus& s) { seen = s; });
            QVERIFY(QTest::qWaitFor([&seen] { return seen.has_value(); }, kWaitMs));
            QVERIFY(!seen->ok);
            QCOMPARE(seen->message, QStringLiteral("not enrolled"));
            QCOMPARE(rig.namek.enrollments(), 0);
        }
        // Before any token, the check prepares the attestor (here: enrolls) and then asks.
        QVERIFY(check());
        QVERIFY2((*status)->ok, qPrintable((*status)->message));
        QCOMPARE(rig.namek.enrollments(), 1);
        FETCH_OK(t, attestor);
        QVERIFY(check());
        QVERIFY2((*status)->ok, qPrintable((*status)->message));
        QCOMPARE((*status)->deviceId, attestor.identity()->deviceId);
        QCOMPARE((*status)->hostname, attestor.identity()->hostname);
        QCOMPARE((*status)->status, QStringLiteral("active"));
        QCOMPARE((*status)->nexusEndpoints, rig.namek.nexusEndpoints());
        rig.namek.setDeviceStatus(attestor.identity()->deviceId, QStringLiteral("revoked"));
        QVERIFY(check());
        QVERIFY(!(*status)->ok);
        QCOMPARE((*status)->message, QStringLiteral("device is revoked"));
    }

    void reusesTheSavedAkAcrossRestarts() {
        Rig rig;
        START_RIG(rig);
        const QString deviceId = rig.enrollWithAFirstAttestor();
        QVERIFY(!deviceId.isEmpty());
        // The TPM restarts too (a reboot): the AK blobs still load under the recreated SRK.
        rig.tpm.stop();
        QString error;
        QVERIFY2(rig.tpm.start(&error), qPrintable(error));
        TpmAttestor second(rig.options());
        FETCH_OK(t, second);
        QCOMPARE(rig.namek.enrollments(), 1); // no second enrollment
        QCOMPARE(second.enrollments(), 0);
        QCOMPARE(second.identity()->deviceId, deviceId);
    }

    void reenrollsAfterTpmSwap() {
        Rig rig;
        START_RIG(rig);
        const QString firstId = rig.enrollWithAFirstAttestor();
        QVERIFY(!firstId.isEmpty());
        SwtpmLauncher other(SwtpmLauncher::Kind::Bare);
        QString error;
        QVERIFY2(other.start(&error), qPrintable(error));
        TpmAttestorOptions o = rig.options();
        o.tcti = other.tcti(); // same state directory, different TPM
        TpmAttestor second(o);
        FETCH_OK(t, second);
        QCOMPARE(rig.namek.enrollments(), 2);
        QVERIFY(second.identity()->deviceId != firstId);
        QCOMPARE(TpmState(rig.stateDir()).loadIdentity()->deviceId, second.identity()->deviceId);
    }

    void reenrollsToTheSameDeviceAfterStateLoss() {
        Rig rig;
        START_RIG(rig);
        const QString firstId = rig.enrollWithAFirstAttestor();
        QVERIFY(!firstId.isEmpty());
        QVERIFY(QDir(rig.stateDir()).removeRecursively());
        TpmAttestor second(rig.options());
        FETCH_OK(t, second);
        QCOMPARE(rig.namek.enrollments(), 2);
        QCOMPARE(rig.namek.reenrollments(), 1);
        QCOMPARE(second.identity()->deviceId, firstId);
    }

    void retriesOnceAfter401() {
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        FETCH_OK(warm, attestor);
        rig.namek.injectFault(QStringLiteral("/api/v1/tokens/nexus"), 401,
                              QStringLiteral("invalid or expired nonce"));
        FETCH_OK(t, attestor);
        QCOMPARE(rig.namek.requests(QStringLiteral("/api/v1/tokens/nexus")), 3);
        QCOMPARE(rig.namek.requests(QStringLiteral("/api/v1/nonce")), 3); // a new nonce per try
        QCOMPARE(rig.namek.enrollments(), 1);

        // The same answer twice: back off (clock/latency), no re-enrollment.
        rig.namek.injectFault(QStringLiteral("/api/v1/tokens/nexus"), 401,
                              QStringLiteral("invalid or expired nonce"), 2);
        const TpmTokenResult twice = fetch(attestor);
        QCOMPARE(twice.failure, TpmFailure::Backoff);
        QVERIFY(twice.retryAfterMs > 0);
        QCOMPARE(rig.namek.enrollments(), 1);
    }

    void reenrollsWhenTheDeviceIsUnknown() {
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        FETCH_OK(warm, attestor);
        const QString id = attestor.identity()->deviceId;
        rig.namek.forgetDevices(); // real 401 "device not found" until re-enrolled
        FETCH_OK(t, attestor);
        QCOMPARE(rig.namek.enrollments(), 2);
        QCOMPARE(attestor.identity()->deviceId, id);

        // A persistent 401 after the re-enrollment: report and back off, no loop.
        const int before = rig.namek.requests(QStringLiteral("/api/v1/tokens/nexus"));
        rig.namek.injectFault(QStringLiteral("/api/v1/tokens/nexus"), 401,
                              QStringLiteral("device not found"), -1);
        const TpmTokenResult r = fetch(attestor);
        QCOMPARE(r.failure, TpmFailure::Backoff);
        QCOMPARE(rig.namek.enrollments(), 3);
        QCOMPARE(rig.namek.requests(QStringLiteral("/api/v1/tokens/nexus")) - before, 4);
    }

    void stopsWhenSuspendedOrRevoked_data() {
        QTest::addColumn<QString>("status");
        QTest::newRow("suspended") << QStringLiteral("suspended");
        QTest::newRow("revoked") << QStringLiteral("revoked");
    }
    void stopsWhenSuspendedOrRevoked() {
        QFETCH(QString, status);
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        FETCH_OK(warm, attestor);
        rig.namek.setDeviceStatus(attestor.identity()->deviceId, status);
        const TpmTokenResult r = fetch(attestor);
        QCOMPARE(r.failure, TpmFailure::Suspended);
        QVERIFY2(r.message.contains(QStringLiteral("suspended/revoked")), qPrintable(r.message));
        QVERIFY(r.message.contains(status));
        QVERIFY(attestor.isSuspended());

        // No automatic retries: the next request does not reach namek.
        const int nonces = rig.namek.requests(QStringLiteral("/api/v1/nonce"));
        QCOMPARE(fetch(attestor).failure, TpmFailure::Suspended);
        QCOMPARE(rig.namek.requests(QStringLiteral("/api/v1/nonce")), nonces);

        // "Re-enroll" by the user: namek answers 409 for the EK of a suspended/revoked device.
        attestor.reenroll();
        const TpmTokenResult again = fetch(attestor);
        QCOMPARE(again.failure, TpmFailure::Suspended);
        QVERIFY2(again.message.contains(QStringLiteral("device already enrolled")),
                 qPrintable(again.message));
        QCOMPARE(rig.namek.enrollments(), 1);
    }

    void reactsToRateLimitsAndServerErrors_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("retryAfter");
        QTest::addColumn<int>("failure");
        const QString nonce = QStringLiteral("/api/v1/nonce");
        const QString token = QStringLiteral("/api/v1/tokens/nexus");
        QTest::newRow("429 token") << token << 429 << 7 << int(TpmFailure::RetryAfter);
        QTest::newRow("429 nonce") << nonce << 429 << 3 << int(TpmFailure::RetryAfter);
        QTest::newRow("503 nonce") << nonce << 503 << -1 << int(TpmFailure::Backoff);
        QTest::newRow("500 token") << token << 500 << -1 << int(TpmFailure::Backoff);
        QTest::newRow("400 token") << token << 400 << -1 << int(TpmFailure::ClientBug);
    }
    void reactsToRateLimitsAndServerErrors() {
        QFETCH(QString, path);
        QFETCH(int, status);
        QFETCH(int, retryAfter);
        QFETCH(int, failure);
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        FETCH_OK(warm, attestor);
        rig.namek.injectFault(path, status, QStringLiteral("injected"), 2, retryAfter);
        const TpmTokenResult first = fetch(attestor);
        QCOMPARE(int(first.failure), failure);
        const TpmTokenResult second = fetch(attestor);
        QCOMPARE(int(second.failure), failure);
        if (retryAfter >= 0) {
            QCOMPARE(first.retryAfterMs, retryAfter * 1000);
        } else if (first.failure == TpmFailure::Backoff) {
            // 1 s doubling, ±20 % jitter.
            QVERIFY2(first.retryAfterMs >= 800 && first.retryAfterMs <= 1200,
                     qPrintable(QString::number(first.retryAfterMs)));
            QVERIFY2(second.retryAfterMs >= 1600 && second.retryAfterMs <= 2400,
                     qPrintable(QString::number(second.retryAfterMs)));
        }
        // No hidden retries: one nonce per attempt, a token request only after a nonce.
        const QString token = QStringLiteral("/api/v1/tokens/nexus");
        QCOMPARE(rig.namek.requests(QStringLiteral("/api/v1/nonce")), 3);
        QCOMPARE(rig.namek.requests(token), path == token ? 3 : 1);
        FETCH_OK(after, attestor); // the fault is gone: tokens again, same identity
        QCOMPARE(rig.namek.enrollments(), 1);
    }

    void slowNamekFailsCleanlyAndRecovers() {
        Rig rig;
        START_RIG(rig);
        QVERIFY(!rig.enrollWithAFirstAttestor().isEmpty()); // enrolled with the default timeout
        TpmAttestor attestor(rig.options(2500));
        rig.namek.delayAnswers(QStringLiteral("/api/v1/tokens/nexus"), 8000);
        const TpmTokenResult slow = fetch(attestor);
        QCOMPARE(slow.failure, TpmFailure::Backoff);
        QVERIFY2(slow.message.contains(QStringLiteral("in time")), qPrintable(slow.message));
        FETCH_OK(t, attestor); // the next request (new nonce and quote) succeeds
        QCOMPARE(rig.namek.enrollments(), 1);
    }

    void concurrentRequestsShareOneEnrollmentAndTheTpm() {
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        QList<std::shared_ptr<std::optional<TpmTokenResult>>> results;
        for (int i = 0; i < 6; ++i) {
            auto r = std::make_shared<std::optional<TpmTokenResult>>();
            results << r;
            attestor.requestToken(1, QStringLiteral("c%1").arg(i),
                                  [r](const TpmTokenResult& x) { *r = x; });
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(results.begin(), results.end(),
                                             [](const auto& r) { return r->has_value(); }),
                                 kWaitMs);
        for (const auto& r : results) {
            QVERIFY2((*r)->ok(), qPrintable((*r)->message));
        }
        QCOMPARE(rig.namek.enrollments(), 1);
        QCOMPARE(rig.namek.tokensIssued(), 6);
    }

    void twoAttestorsShareOneTpmDevice() {
        // Two backends (two authorizers) on one TPM: one TpmDevice per TCTI, two AKs loaded.
        Rig rig(SwtpmLauncher::Kind::Bare);
        START_RIG(rig);
        FakeNamek second(rig.ca, kSecret);
        QVERIFY(second.start());
        TpmAttestorOptions o = rig.options();
        o.namekUrl = second.url();
        o.stateDir = rig.root.filePath(QStringLiteral("state/other"));
        TpmAttestor a(rig.options());
        TpmAttestor b(o);
        auto ra = std::make_shared<std::optional<TpmTokenResult>>();
        auto rb = std::make_shared<std::optional<TpmTokenResult>>();
        a.requestToken(0, {}, [ra](const TpmTokenResult& x) { *ra = x; });
        b.requestToken(0, {}, [rb](const TpmTokenResult& x) { *rb = x; });
        QTRY_VERIFY_WITH_TIMEOUT(ra->has_value() && rb->has_value(), kWaitMs);
        QVERIFY2((*ra)->ok(), qPrintable((*ra)->message));
        QVERIFY2((*rb)->ok(), qPrintable((*rb)->message));
        QCOMPARE(a.identity()->deviceId, b.identity()->deviceId); // same EK ⇒ same device id
        for (int i = 0; i < 3; ++i) {
            FETCH_OK(ta, a);
            FETCH_OK(tb, b);
        }
    }

    void manyRoundsDoNotLeakTpmHandles() {
        // swtpm has 3 object slots and no resource manager: any leaked handle fails a later round.
        Rig rig(SwtpmLauncher::Kind::Bare); // transient EK on every enrollment
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        for (int round = 0; round < 4; ++round) {
            rig.namek.forgetDevices();
            FETCH_OK(t, attestor);
            FETCH_OK(u, attestor);
        }
        QCOMPARE(rig.namek.enrollments(), 4);
    }

    void reportsAnUnreachableTpm() {
        Rig rig;
        QVERIFY(rig.ca.isValid());
        QVERIFY(rig.namek.start());
        TpmAttestorOptions o = rig.options();
        o.tcti =
            QStringLiteral("swtpm:path=%1").arg(rig.root.filePath(QStringLiteral("none.sock")));
        TpmAttestor attestor(o);
        const TpmTokenResult r = fetch(attestor);
        QCOMPARE(r.failure, TpmFailure::Backoff);
        QVERIFY2(r.message.startsWith(QStringLiteral("TPM: TCTI")), qPrintable(r.message));

        o.tcti = QStringLiteral("device:%1").arg(rig.root.filePath(QStringLiteral("tpmrm9")));
        TpmAttestor device(o);
        const TpmTokenResult d = fetch(device);
        QVERIFY2(d.message.contains(QStringLiteral("not accessible")), qPrintable(d.message));
    }

    void reconnectsWhenTheTpmRestarts() {
        // swtpm (like a restarted resource manager) drops the connection: the attestor reports
        // one short failure, then reopens the TPM and reloads the saved AK, with no re-enrollment;
        // a second attestor on the same TPM notices the new context and reloads its AK too.
        Rig rig;
        START_RIG(rig);
        TpmAttestor attestor(rig.options());
        FETCH_OK(before, attestor);
        QCOMPARE(rig.namek.enrollments(), 1);

        rig.tpm.stop();
        QString error;
        QVERIFY2(rig.tpm.start(&error), qPrintable(error));

        TpmTokenResult after = fetch(attestor);
        if (!after.ok()) {
            QCOMPARE(after.failure, TpmFailure::Backoff);
            QVERIFY2(after.retryAfterMs <= 200, qPrintable(after.message));
            after = fetch(attestor);
        }
        QVERIFY2(after.ok(), qPrintable(after.message));
        QCOMPARE(rig.namek.enrollments(), 1);
        QCOMPARE(attestor.enrollments(), 1);

        TpmAttestor second(rig.options());
        FETCH_OK(secondToken, second);
        rig.tpm.stop();
        QVERIFY2(rig.tpm.start(&error), qPrintable(error));
        // Whichever notices first reconnects; the other reloads its AK in the new context.
        TpmTokenResult a = fetch(second);
        if (!a.ok())
            a = fetch(second);
        QVERIFY2(a.ok(), qPrintable(a.message));
        FETCH_OK(b, attestor);
        QCOMPARE(rig.namek.enrollments(), 1);
    }

    void hierarchyPasswordsAreGivenToTheTpm() {
        Rig rig;
        START_RIG(rig);
        QString error;
        // Without the persistent EK the client creates it under the endorsement hierarchy, so
        // every use of §4 is exercised: SRK (owner), EK certificate NV read (owner), EK creation
        // and the credential's PolicySecret (endorsement).
        QVERIFY2(rig.tpm.evictPersistentEk(&error), qPrintable(error));
        QVERIFY2(rig.tpm.setHierarchyPasswords("owner secret", "endorsement secret", &error),
                 qPrintable(error));

        {
            TpmAttestor without(rig.options());
            const TpmTokenResult r = fetch(without);
            QCOMPARE(r.failure, TpmFailure::Backoff);
            QVERIFY2(r.message.contains(QLatin1String("ownerPasswordFile")), qPrintable(r.message));
        }
        {
            TpmAttestorOptions o = rig.options();
            o.ownerAuth = "owner secret";
            o.endorsementAuth = "wrong";
            TpmAttestor wrongEndorsement(o);
            const TpmTokenResult r = fetch(wrongEndorsement);
            QVERIFY2(!r.ok() && r.message.contains(QLatin1String("endorsementPasswordFile")),
                     qPrintable(r.message));
        }
        QCOMPARE(rig.namek.enrollments(), 0);

        TpmAttestorOptions o = rig.options();
        o.ownerAuth = "owner secret";
        o.endorsementAuth = "endorsement secret";
        TpmAttestor with(o);
        FETCH_OK(t0, with);
        QCOMPARE(rig.namek.enrollments(), 1);
        QCOMPARE(rig.namek.lastEkKind(), QStringLiteral("ek_cert"));
    }

    void hierarchyPasswordFilesComeFromTheConfig() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto write = [&dir](const QString& name, const QByteArray& bytes) {
            QFile f(dir.filePath(name));
            return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size() ? f.fileName()
                                                                                  : QString();
        };
        const QString owner = write(QStringLiteral("owner"), "owner secret\n");
        const QString endorsement = write(QStringLiteral("endorsement"), "e\r\n");
        const QByteArray yaml = QStringLiteral("backends:\n"
                                               "  - name: home\n"
                                               "    attestation:\n"
                                               "      tpm:\n"
                                               "        namekUrl: \"https://namek.example.com\"\n"
                                               "        ownerPasswordFile: \"%1\"\n"
                                               "        endorsementPasswordFile: \"%2\"\n"
                                               "    portMappings: {443: \"127.0.0.1:8443\"}\n")
                                    .arg(owner, endorsement)
                                    .toUtf8();
        const nexustray::ConfigLoadResult loaded =
            nexustray::loadConfigText(yaml, QStringLiteral("config.yaml"));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        const TpmAttestorOptions o =
            nexustray::attestation::TpmTokenProvider::optionsFor(loaded.config.backends.at(0));
        QCOMPARE(o.ownerAuth, QByteArray("owner secret"));
        QCOMPARE(o.endorsementAuth, QByteArray("e"));
        QVERIFY(o.authError.isEmpty());

        // A file gone after loading: the attestor refuses to start and says which key.
        QVERIFY(QFile::remove(endorsement));
        const TpmAttestorOptions gone =
            nexustray::attestation::TpmTokenProvider::optionsFor(loaded.config.backends.at(0));
        QVERIFY2(gone.authError.contains(QLatin1String("endorsementPasswordFile")),
                 qPrintable(gone.authError));
        TpmAttestor attestor(gone);
        QCOMPARE(attestor.configError(), gone.authError);

        // At load time: an unreadable or too long file is an error naming the key and its line.
        const nexustray::ConfigLoadResult unreadable =
            nexustray::loadConfigText(yaml, QStringLiteral("config.yaml"));
        QVERIFY(!unreadable.ok());
        const QString text = unreadable.errors.value(0).toString();
        QVERIFY2(text.contains(QLatin1String("endorsementPasswordFile")) &&
                     text.contains(QLatin1String(":7:")),
                 qPrintable(text));
        write(QStringLiteral("endorsement"), QByteArray(65, 'x'));
        const QString tooLong = nexustray::loadConfigText(yaml, QStringLiteral("config.yaml"))
                                    .errors.value(0)
                                    .toString();
        QVERIFY2(tooLong.contains(QLatin1String("64 bytes")), qPrintable(tooLong));
    }

    void rejectsAPlainHttpUrl() {
        TpmAttestorOptions o;
        o.namekUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
        o.tcti = QStringLiteral("swtpm:path=/nonexistent");
        TpmAttestor attestor(o);
        QVERIFY(!attestor.configError().isEmpty());
        QCOMPARE(fetch(attestor).failure, TpmFailure::ClientBug);
    }
};

QTEST_GUILESS_MAIN(TstTpmAttestor)
#include "tst_tpm_attestor.moc"
