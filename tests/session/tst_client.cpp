// nexustray::Client with real worker threads against the hub emulator: snapshots cross threads,
// backends toggle and reconfigure independently, stop() is graceful.
#include <QtTest>

#include <memory>

#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {
const QByteArray kSecret = "client-test-secret";
}

class TestClient : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;

    BackendConfig backend(const QString& name, const QString& host) const {
        BackendConfig b;
        b.name = name;
        b.hostnames = {host};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = targetOf(*m_echo);
        return b;
    }

    static int connectedCount(const Client& client, const QString& backendName) {
        int n = 0;
        for (const SessionSnapshot& s : client.sessions())
            n += s.backendName == backendName && s.state == SessionState::Connected;
        return n;
    }

private Q_SLOTS:
    void init() {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
    }

    void oneSessionPerAddressOnWorkerThreads() {
        Config config;
        BackendConfig b = backend(QStringLiteral("web"), QStringLiteral("web.test"));
        b.nexusAddresses << b.nexusAddresses.first(); // twice: two sessions to the same hub
        config.backends = {b};
        Client client(config);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QTRY_COMPARE(authenticated.size(), 2);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("web")), 2);
        QStringList ids;
        for (const SessionSnapshot& s : client.sessions())
            ids << s.sessionId;
        ids.sort();
        QCOMPARE(ids, (QStringList{QStringLiteral("web#1"), QStringLiteral("web#2")}));

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(5000));
        QVERIFY(!client.isRunning());
    }

    void streamSnapshotsReachTheOwnerThread() {
        Config config;
        config.backends = {backend(QStringLiteral("web"), QStringLiteral("web.test"))};
        Client client(config);
        QSignalSpy changed(&client, &Client::streamChanged);
        QSignalSpy closed(&client, &Client::streamClosed);
        client.start();
        QTRY_COMPARE(connectedCount(client, QStringLiteral("web")), 1);

        const QByteArray body = randomBytes(512 * 1024, 3);
        auto user = std::make_unique<TunnelUser>(m_hub->relayListenPort(80), "web.test");
        user->send(body);
        QTRY_VERIFY_WITH_TIMEOUT(user->echoMatches(body), 10000);
        QTRY_VERIFY(!client.streams().isEmpty());
        QTRY_VERIFY(client.streams().first().bytesIn >= quint64(user->expectedEchoSize(body)));
        const StreamSnapshot s = client.streams().first();
        QCOMPARE(s.hostname, QStringLiteral("web.test"));
        QCOMPARE(s.port, 80);
        QCOMPARE(s.target, targetOf(*m_echo));
        QVERIFY(s.clientIp.startsWith(QLatin1String("127.0.0.1:")));
        QVERIFY(changed.size() > 0);

        user->socket.disconnectFromHost();
        QTRY_COMPARE(closed.size(), 1);
        QTRY_VERIFY(client.streams().isEmpty());
        client.stop();
        QTRY_VERIFY(!client.isRunning());
    }

    void togglingOneBackendLeavesTheOtherAlone() {
        Config config;
        config.backends = {backend(QStringLiteral("a"), QStringLiteral("a.test")),
                           backend(QStringLiteral("b"), QStringLiteral("b.test"))};
        Client client(config);
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::sessionClosed);
        client.start();
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 1);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("b")), 1);

        client.setBackendEnabled(QStringLiteral("a"), false);
        QTRY_COMPARE(hubClosed.size(), 1);
        QCOMPARE(hubClosed.first().at(0).toString(), QStringLiteral("a"));
        QCOMPARE(hubClosed.first().at(1).toInt(), 1001);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 0);
        QCOMPARE(connectedCount(client, QStringLiteral("b")), 1);

        client.setBackendEnabled(QStringLiteral("a"), true);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 1);
        QCOMPARE(hubClosed.size(), 1); // b never dropped
        client.stop();
        QTRY_VERIFY(!client.isRunning());
    }

    void applyConfigRestartsOnlyChangedBackends() {
        Config config;
        config.backends = {backend(QStringLiteral("a"), QStringLiteral("a.test")),
                           backend(QStringLiteral("b"), QStringLiteral("b.test"))};
        Client client(config);
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QTRY_COMPARE(authenticated.size(), 2);

        Config changed = config;
        changed.backends[1].hostnames = {QStringLiteral("b2.test")};
        client.applyConfig(changed);
        QTRY_COMPARE(authenticated.size(), 3);
        QCOMPARE(authenticated.last().at(0).toString(), QStringLiteral("b"));
        QCOMPARE(authenticated.last().at(1).toStringList(), QStringList{QStringLiteral("b2.test")});
        QCOMPARE(hubClosed.size(), 1);
        QCOMPARE(hubClosed.first().at(0).toString(), QStringLiteral("b"));
        QTRY_COMPARE(connectedCount(client, QStringLiteral("b")), 1);
        QCOMPARE(connectedCount(client, QStringLiteral("a")), 1);
        client.stop();
        QTRY_VERIFY(!client.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
