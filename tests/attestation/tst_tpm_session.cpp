// attestation.tpm end to end (issue 12), over ws:// and wss://: nexustray::Client with a tpm
// backend against the hub emulator, a real software TPM (swtpm) and the fake namek, whose tokens
// are signed with the secret the hub validates. A stream is relayed; a reauth challenge gets a
// fresh token without dropping an open stream; a token later than the hub's window is retried
// cleanly; two sessions of one backend share one attestor (one enrollment); a 429's Retry-After is
// waited out; a 403 from namek stops the session; without nexusAddresses namek's nexus_endpoints
// are used.
#include "FakeNamek.h"
#include "SwtpmLauncher.h"
#include "TestCa.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "nexustray/Config.h"

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
const QString kTokens = QStringLiteral("/api/v1/tokens/nexus");
constexpr int kTpmWaitMs = 120000; // the first enrollment creates RSA keys on swtpm

int countIn(const Client& client, SessionState state) {
    int n = 0;
    for (const SessionSnapshot& s : client.sessions())
        n += s.state == state;
    return n;
}

} // namespace

class TstTpmSession : public QObject {
    Q_OBJECT

    std::unique_ptr<SwtpmLauncher> m_tpm; // one software TPM for the whole run
    std::unique_ptr<test::TestCa> m_ca;
    std::unique_ptr<FakeNamek> m_namek; // fresh per test: no device is known
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<QTemporaryDir> m_state;
    test::TestRelayTls m_tls; // every case runs over ws:// and wss://

    void startHub(int tokenTimeoutMs = 10000) {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        o.tokenTimeoutMs = tokenTimeoutMs;
        QFETCH_GLOBAL(QString, scheme);
        m_tls.serve(o, scheme);
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
    }

    // The form of issue 12: no hostnames (namek decides them), tokens from namek.
    Config tpmConfig(int sessions = 1) const {
        BackendConfig b;
        b.name = QStringLiteral("home");
        for (int i = 0; i < sessions; ++i)
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

    // The device hostname the hub routes to (the token's hostnames claim, from namek).
    static QString hostnameOf(const QSignalSpy& authenticated) {
        const QStringList hostnames = authenticated.last().at(1).toStringList();
        return hostnames.value(0);
    }

    static void stopClient(Client& client) {
        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(5000));
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
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
        m_namek.reset();
        m_state.reset();
    }
    void cleanupTestCase() { m_tpm.reset(); }

    void connectsAndRelaysAStream() {
        startHub();
        Client client(tpmConfig());
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QVERIFY(authenticated.wait(kTpmWaitMs));
        QTRY_COMPARE(countIn(client, SessionState::Connected), 1);
        QCOMPARE(m_namek->enrollments(), 1);
        QCOMPARE(m_namek->tokensIssued(), 2); // handshake and attest
        const QString hostname = hostnameOf(authenticated);
        QVERIFY2(hostname.endsWith(m_namek->baseDomain()), qPrintable(hostname));

        const QByteArray body = randomBytes(256 * 1024, 12);
        TunnelUser user(m_hub->relayListenPort(80), hostname.toUtf8());
        user.send(body);
        QTRY_VERIFY_WITH_TIMEOUT(user.echoMatches(body), 20000);
        stopClient(client);
    }

    void reauthKeepsTheOpenStream() {
        startHub();
        Client client(tpmConfig());
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        QSignalSpy reauthenticated(m_hub.get(), &HubEmulator::sessionReauthenticated);
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        client.start();
        QVERIFY(authenticated.wait(kTpmWaitMs));

        // 8 MiB: more than twice the window, which the hub may send before the client's first
        // grant reaches it on a loaded machine (protocol.md §7.2); the stream must survive it.
        const QByteArray body = randomBytes(8 * 1024 * 1024, 13);
        TunnelUser user(m_hub->relayListenPort(80), hostnameOf(authenticated).toUtf8());
        user.send(body);
        QTRY_VERIFY(user.received.size() > 0);
        m_hub->sendReauthChallenges();
        QVERIFY(reauthenticated.wait(20000));
        QCOMPARE(m_namek->tokensIssued(), 3); // a fresh token (and quote) for the challenge
        QTRY_VERIFY_WITH_TIMEOUT(user.received.size() >= user.expectedEchoSize(body), 60000);
        QVERIFY(user.echoMatches(body));
        QVERIFY(!user.closed);
        QCOMPARE(closed.size(), 0);
        QCOMPARE(m_namek->enrollments(), 1);
        stopClient(client);
    }

    void slowNamekIsRetriedCleanly() {
        // The hub waits 2 s for each token; namek answers the first two token requests after
        // 3 s: the handshake token is fetched before dialling (no window), the attest token is
        // too late, the hub gives up on that connection, and the next attempt succeeds.
        startHub(2000);
        m_namek->delayAnswers(kTokens, 3000, 2);
        Client client(tpmConfig());
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        QSignalSpy changed(&client, &Client::sessionChanged);
        client.start();
        QVERIFY(authenticated.wait(kTpmWaitMs));
        QTRY_COMPARE(countIn(client, SessionState::Connected), 1);
        bool sawBackoff = false;
        for (const QList<QVariant>& args : std::as_const(changed))
            sawBackoff |= args.at(0).value<SessionSnapshot>().state == SessionState::Backoff;
        QVERIFY(sawBackoff); // the late token really failed one attempt
        QCOMPARE(authenticated.size(), 1);
        QCOMPARE(m_namek->enrollments(), 1);
        QVERIFY(m_namek->tokensIssued() >= 4);
        stopClient(client);
    }

    void sessionsOfOneBackendShareOneTpm() {
        startHub();
        Client client(tpmConfig(2));
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, kTpmWaitMs);
        QTRY_COMPARE(countIn(client, SessionState::Connected), 2);
        // One attestor for both: one enrollment (two would each enroll and replace the AK).
        QCOMPARE(m_namek->enrollments(), 1);
        QCOMPARE(m_namek->tokensIssued(), 4);
        stopClient(client);
    }

    void retryAfterIsHonoured() {
        // namek's 429 Retry-After (20 s) outlasts the session's own first backoff (5 s +-25 %).
        startHub();
        m_namek->injectFault(kTokens, 429, QStringLiteral("busy, come back later"), 1, 20);
        Client client(tpmConfig());
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(countIn(client, SessionState::Backoff), 1, kTpmWaitMs);
        const SessionSnapshot s = client.sessions().first();
        QVERIFY2(s.lastError.contains(QLatin1String("come back later")), qPrintable(s.lastError));
        const qint64 waitMs = QDateTime::currentDateTimeUtc().msecsTo(s.reconnectAt);
        QVERIFY2(waitMs > 18000, qPrintable(QString::number(waitMs)));
        stopClient(client);
    }

    void relaysFromTheEnrollmentThenFromTheSavedState() {
        // Without nexusAddresses the sessions use namek's nexus_endpoints: learnt at the first
        // enrollment, then read from the state directory (namek is not asked again).
        startHub();
        m_namek->setNexusEndpoints({m_hub->backendUrl().toString()});
        Config config = tpmConfig();
        config.backends[0].nexusAddresses.clear();
        {
            Client client(config);
            QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
            client.start();
            QVERIFY(authenticated.wait(kTpmWaitMs));
            QTRY_COMPARE(countIn(client, SessionState::Connected), 1);
            QCOMPARE(client.sessions().first().relayUrl, m_hub->backendUrl().toString());
            stopClient(client);
        }
        QCOMPARE(m_namek->enrollments(), 1);
        m_namek->setNexusEndpoints({QStringLiteral("wss://127.0.0.1:1/nowhere")});
        Client client(config);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QVERIFY(authenticated.wait(kTpmWaitMs));
        QTRY_COMPARE(countIn(client, SessionState::Connected), 1);
        QCOMPARE(m_namek->enrollments(), 1);
        stopClient(client);
    }

    void relaysUnknownAndEnrollmentRefused() {
        // Without nexusAddresses and with namek refusing the enrollment (409), the backend
        // shows the reason and does not start a session.
        startHub();
        m_namek->injectFault(QStringLiteral("/api/v1/devices/enroll"), 409,
                             QStringLiteral("device revoked"), -1);
        Config config = tpmConfig();
        config.backends[0].nexusAddresses.clear();
        Client client(config);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(countIn(client, SessionState::Failed), 1, kTpmWaitMs);
        const SessionSnapshot s = client.sessions().first();
        QCOMPARE(s.sessionId, QStringLiteral("home#1"));
        QVERIFY2(s.lastError.contains(QLatin1String("device suspended/revoked")),
                 qPrintable(s.lastError));
        QSignalSpy changed(&client, &Client::sessionChanged);
        stopClient(client);
        QVERIFY(!changed.isEmpty());
        QCOMPARE(changed.last().at(0).value<SessionSnapshot>().state, SessionState::Disabled);
        QVERIFY(client.sessions().isEmpty());
    }

    void suspendedDeviceStopsRetrying() {
        startHub();
        m_namek->injectFault(kTokens, 403, QStringLiteral("device suspended"), -1);
        Client client(tpmConfig());
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(countIn(client, SessionState::Failed), 1, kTpmWaitMs);
        const SessionSnapshot s = client.sessions().first();
        QVERIFY2(s.lastError.contains(QLatin1String("device suspended/revoked")),
                 qPrintable(s.lastError));
        const int requests = m_namek->requests(kTokens);
        QCOMPARE(requests, 1);
        // No further attempt: the session stays failed and namek hears nothing more.
        QTest::qWait(1000);
        QCOMPARE(countIn(client, SessionState::Failed), 1);
        QCOMPARE(m_namek->requests(kTokens), requests);
        stopClient(client);
    }
};

QTEST_GUILESS_MAIN(TstTpmSession)
#include "tst_tpm_session.moc"
