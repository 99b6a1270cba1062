// The TPM identity actions of nexustray::Client (issue 12, the tray's "Check identity" and
// "Re-enroll"), end to end over ws:// and wss:// with the hub emulator, a real software TPM
// (swtpm) and the fake namek: checkIdentity reports namek's view of the device (hostname,
// identity class, status); a device suspended at namek stops the sessions (errorKind
// DeviceSuspended) and checkIdentity shows it; once namek lets it back, reenroll enrolls again
// and the sessions come back.
#include "FakeNamek.h"
#include "SwtpmLauncher.h"
#include "TestCa.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

#include "../session/TunnelUser.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;
using nexustray::test::FakeNamek;
using nexustray::test::SwtpmLauncher;

namespace {
const QByteArray kSecret = "shared-by-namek-and-the-hub";
constexpr int kTpmWaitMs = 120000; // the first enrollment creates RSA keys on swtpm

SessionSnapshot firstSession(const Client& client) {
    const QList<SessionSnapshot> sessions = client.sessions();
    return sessions.isEmpty() ? SessionSnapshot{} : sessions.first();
}

BackendIdentity identityOf(const Client& client, const QString& backendName) {
    for (const BackendIdentity& identity : client.identities()) {
        if (identity.backendName == backendName)
            return identity;
    }
    return {};
}

// The identity once the check just asked for has been answered.
bool checkedSince(const Client& client, const QDateTime& since) {
    const BackendIdentity identity = identityOf(client, QStringLiteral("home"));
    return !identity.checking && identity.checkedAt.isValid() && identity.checkedAt >= since;
}
} // namespace

class TstTpmIdentity : public QObject {
    Q_OBJECT

    std::unique_ptr<SwtpmLauncher> m_tpm;
    std::unique_ptr<test::TestCa> m_ca;
    std::unique_ptr<FakeNamek> m_namek;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<QTemporaryDir> m_state;
    test::TestRelayTls m_tls;

    Config tpmConfig() const {
        BackendConfig b;
        b.name = QStringLiteral("home");
        b.nexusAddresses << m_hub->backendUrl().toString();
        TpmAttestationConfig tpm;
        tpm.namekUrl = m_namek->url().toString();
        tpm.caFile = m_ca->caPemPath();
        tpm.tcti = m_tpm->tcti();
        tpm.stateDir = m_state->filePath(QStringLiteral("tpm/home"));
        b.attestation.tpm = tpm;
        b.portMappings[80].defaultTarget = targetOf(*m_echo);
        m_tls.trust(b);
        Config config;
        config.backends = {b};
        return config;
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() {
        if (QStandardPaths::findExecutable(QStringLiteral("swtpm")).isEmpty() ||
            QStandardPaths::findExecutable(QStringLiteral("swtpm_setup")).isEmpty())
            QSKIP("swtpm / swtpm_setup not installed (Debian: apt install swtpm swtpm-tools)");
        QVERIFY2(m_tls.init(), qPrintable(m_tls.error()));
        m_ca = std::make_unique<test::TestCa>();
        QVERIFY2(m_ca->isValid(), qPrintable(m_ca->error()));
        m_tpm = std::make_unique<SwtpmLauncher>();
        QString error;
        QVERIFY2(m_tpm->start(&error), qPrintable(error));
    }
    void init() {
        m_namek = std::make_unique<FakeNamek>(*m_ca, kSecret);
        QVERIFY(m_namek->start());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        m_state = std::make_unique<QTemporaryDir>();
        QVERIFY(m_state->isValid());
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        QFETCH_GLOBAL(QString, scheme);
        m_tls.serve(o, scheme);
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
        m_namek.reset();
        m_state.reset();
    }
    void cleanupTestCase() { m_tpm.reset(); }

    void checkSuspendedThenReenroll() {
        Client client(tpmConfig());
        QSignalSpy identityChanged(&client, &Client::backendIdentityChanged);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(firstSession(client).state, SessionState::Connected, kTpmWaitMs);

        // Check identity: namek's view of the device.
        QDateTime since = QDateTime::currentDateTimeUtc();
        client.checkIdentity(QStringLiteral("home"));
        QTRY_VERIFY_WITH_TIMEOUT(checkedSince(client, since), 30000);
        BackendIdentity identity = identityOf(client, QStringLiteral("home"));
        QVERIFY2(identity.error.isEmpty(), qPrintable(identity.error));
        QCOMPARE(identity.status, QStringLiteral("active"));
        QCOMPARE(identity.identityClass, QStringLiteral("unverified"));
        QVERIFY2(identity.hostname.endsWith(m_namek->baseDomain()), qPrintable(identity.hostname));
        QVERIFY(!identity.deviceId.isEmpty());
        QVERIFY(!identityChanged.isEmpty());
        const QString deviceId = identity.deviceId;

        // The administrator suspends the device; the next connection is refused for good.
        m_namek->setDeviceStatus(deviceId, QStringLiteral("suspended"));
        m_hub->dropSessions(false);
        QTRY_COMPARE_WITH_TIMEOUT(firstSession(client).state, SessionState::Failed, kTpmWaitMs);
        QCOMPARE(firstSession(client).errorKind, SessionErrorKind::DeviceSuspended);

        since = QDateTime::currentDateTimeUtc();
        client.checkIdentity(QStringLiteral("home"));
        QTRY_VERIFY_WITH_TIMEOUT(checkedSince(client, since), 30000);
        identity = identityOf(client, QStringLiteral("home"));
        QCOMPARE(identity.status, QStringLiteral("suspended"));
        QVERIFY2(identity.error.contains(QLatin1String("suspended")), qPrintable(identity.error));
        QCOMPARE(identity.hostname.isEmpty(), false); // still known from the enrollment

        // Let back in: re-enroll, and the session returns without waiting.
        m_namek->setDeviceStatus(deviceId, QStringLiteral("active"));
        const int enrollments = m_namek->enrollments();
        client.reenroll(QStringLiteral("home"));
        QTRY_COMPARE_WITH_TIMEOUT(firstSession(client).state, SessionState::Connected, kTpmWaitMs);
        QCOMPARE(m_namek->enrollments(), enrollments + 1);
        QCOMPARE(identityOf(client, QStringLiteral("home")).deviceId, deviceId);
        QVERIFY(!identityOf(client, QStringLiteral("home")).checking);

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(5000));
    }
};

QTEST_GUILESS_MAIN(TstTpmIdentity)
#include "tst_tpm_identity.moc"
