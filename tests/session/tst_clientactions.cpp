// The user actions of nexustray::Client (issue 13) with real worker threads against the hub
// emulator and a real local echo service, over ws:// and wss://: closeStream() sends `disconnect`
// for exactly that stream and closes its local socket, other streams go on; retryNow() ends a
// Backoff wait at once and starts a Failed session afresh; the session's errorKind says what a
// failure is about.
#include <QtTest>

#include <memory>

#include "SwitchableTokenProvider.h"
#include "TestHub.h"
#include "TestRelayTls.h"
#include "TestTokens.h"
#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {
const QByteArray kSecret = "client-actions-secret";

SessionSnapshot sessionOf(const Client& client, const QString& backendName) {
    for (const SessionSnapshot& s : client.sessions()) {
        if (s.backendName == backendName)
            return s;
    }
    return {};
}
} // namespace

class TestClientActions : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;

    BackendConfig backend(const QString& name, const QString& host) const {
        BackendConfig b;
        b.name = name;
        b.hostnames = {host};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = targetOf(*m_echo);
        m_tls.trust(b);
        return b;
    }

    static void stopClient(Client& client) {
        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }
    void init() {
        QFETCH_GLOBAL(QString, scheme);
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        QString error;
        m_hub = test::startHub(o, scheme, m_tls, &error);
        QVERIFY2(m_hub, qPrintable(error));
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
    }

    void closeStreamClosesExactlyThatStream() {
        Config config;
        config.backends = {backend(QStringLiteral("web"), QStringLiteral("web.test"))};
        Client client(config);
        QSignalSpy closed(&client, &Client::streamClosed);
        QSignalSpy hubDisconnects(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        QSignalSpy localClosed(m_echo.get(), &test::EchoServer::connectionClosed);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("web")).state,
                                  SessionState::Connected, 10000);

        const QByteArray body = randomBytes(16 * 1024, 21);
        TunnelUser first(m_hub->relayListenPort(80), "web.test");
        TunnelUser second(m_hub->relayListenPort(80), "web.test");
        first.send(body);
        second.send(body);
        QTRY_VERIFY_WITH_TIMEOUT(first.echoMatches(body) && second.echoMatches(body), 10000);
        QTRY_COMPARE(client.streams().size(), 2);
        QTRY_COMPARE(m_echo->openConnections(), 2);

        // Close the stream of the first user (the one whose client IP carries its port).
        const QString firstIp = QStringLiteral("127.0.0.1:%1").arg(first.socket.localPort());
        StreamSnapshot target;
        for (const StreamSnapshot& s : client.streams()) {
            if (s.clientIp == firstIp)
                target = s;
        }
        QVERIFY2(!target.clientId.isNull(), qPrintable(firstIp));
        client.closeStream(target.sessionId, target.clientId);

        QTRY_COMPARE_WITH_TIMEOUT(hubDisconnects.size(), 1, 10000);
        QCOMPARE(hubDisconnects.first().at(0).toUuid(), target.clientId);
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 10000);
        const StreamSnapshot last = closed.first().at(0).value<StreamSnapshot>();
        QCOMPARE(last.clientId, target.clientId);
        QCOMPARE(last.state, StreamState::Closed);
        QCOMPARE(last.closeReason, QStringLiteral("closed by user"));
        QTRY_COMPARE_WITH_TIMEOUT(localClosed.size(), 1, 10000); // the local service saw it
        QCOMPARE(m_echo->openConnections(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(first.closed, 10000); // the hub ended the user's connection

        // The other stream is untouched and still relays.
        QCOMPARE(client.streams().size(), 1);
        QVERIFY(client.streams().first().clientId != target.clientId);
        const QByteArray more = randomBytes(4096, 22);
        second.received.clear();
        second.socket.write(more);
        QTRY_COMPARE_WITH_TIMEOUT(second.received, more, 10000);
        QVERIFY(!second.closed);
        QCOMPARE(hubDisconnects.size(), 1);

        // An unknown stream or session: nothing happens.
        client.closeStream(target.sessionId, QUuid::createUuid());
        client.closeStream(QStringLiteral("nope#1"), client.streams().first().clientId);
        second.received.clear();
        second.socket.write(more);
        QTRY_COMPARE_WITH_TIMEOUT(second.received, more, 10000);
        QCOMPARE(hubDisconnects.size(), 1);
        stopClient(client);
    }

    // The hub refuses the tokens (wrong secret): the session waits in Backoff (about 5 s after
    // a refusal); with the secret fixed, retryNow() connects at once.
    void retryNowEndsABackoff() {
        Config config;
        config.backends = {backend(QStringLiteral("web"), QStringLiteral("web.test"))};
        Client client(config);
        test::TokenMode mode;
        mode.set(test::TokenMode::WrongSecret);
        client.setTokenProviderFactory([&mode](const BackendConfig& b) {
            return std::make_unique<test::SwitchableTokenProvider>(b, kSecret, &mode);
        });
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("web")).state,
                                  SessionState::Backoff, 10000);
        const SessionSnapshot waiting = sessionOf(client, QStringLiteral("web"));
        QCOMPARE(waiting.errorKind, SessionErrorKind::AuthenticationRefused);
        QVERIFY2(waiting.lastError.contains(QLatin1String("1008")), qPrintable(waiting.lastError));
        QVERIFY(QDateTime::currentDateTimeUtc().msecsTo(waiting.reconnectAt) > 3000);

        mode.set(test::TokenMode::Good);
        client.retryNow(QStringLiteral("web"));
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("web")).state,
                                  SessionState::Connected, 10000);
        QVERIFY2(QDateTime::currentDateTimeUtc() < waiting.reconnectAt,
                 "connected before the backoff would have ended");
        const SessionSnapshot connected = sessionOf(client, QStringLiteral("web"));
        QCOMPARE(connected.errorKind, SessionErrorKind::None);
        QVERIFY(connected.lastError.isEmpty());
        stopClient(client);
    }

    // A session that gave up (Failed) stays so until retryNow() starts it afresh; other backends
    // are untouched.
    void retryNowRestartsAFailedSession() {
        Config config;
        config.backends = {backend(QStringLiteral("a"), QStringLiteral("a.test")),
                           backend(QStringLiteral("b"), QStringLiteral("b.test"))};
        Client client(config);
        test::TokenMode modeA;
        test::TokenMode modeB;
        modeA.set(test::TokenMode::PermanentFailure);
        client.setTokenProviderFactory(
            [&](const BackendConfig& b) -> std::unique_ptr<TokenProvider> {
                return std::make_unique<test::SwitchableTokenProvider>(
                    b, kSecret, b.name == QLatin1String("a") ? &modeA : &modeB,
                    QStringLiteral("device suspended/revoked (test)"),
                    SessionErrorKind::DeviceSuspended);
            });
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::sessionClosed);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("a")).state,
                                  SessionState::Failed, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("b")).state,
                                  SessionState::Connected, 10000);
        const SessionSnapshot failed = sessionOf(client, QStringLiteral("a"));
        QCOMPARE(failed.errorKind, SessionErrorKind::DeviceSuspended);
        QVERIFY2(failed.lastError.contains(QLatin1String("suspended")),
                 qPrintable(failed.lastError));

        // Retrying a backend that is fine changes nothing.
        client.retryNow(QStringLiteral("b"));
        modeA.set(test::TokenMode::Good);
        client.retryNow(QStringLiteral("a"));
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("a")).state,
                                  SessionState::Connected, 10000);
        QCOMPARE(sessionOf(client, QStringLiteral("b")).state, SessionState::Connected);
        QCOMPARE(client.sessions().size(), 2);
        QCOMPARE(hubClosed.size(), 0); // b's session never dropped
        stopClient(client);
    }
};

QTEST_GUILESS_MAIN(TestClientActions)
#include "tst_clientactions.moc"
