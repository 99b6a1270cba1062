// TCP port claims end to end (protocol.md §8.1, §8.2; issue 14), with real worker threads against
// the hub emulator and a real local echo service, over ws:// and wss://: a backend with only
// `tcpPorts` (no hostnames) gets the users of that relay port that carry no SNI/Host, routed
// through portMappings[P].default; `is_tls` of a ClientHello without SNI reaches the connect
// handler; a port the hub does not allow fails the handshake with the hub's reason.
#include <QtTest>

#include <memory>

#include "TestHub.h"
#include "TestRelayTls.h"
#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {

const QByteArray kSecret = "port-claims-secret";

// A minimal TLS 1.2 ClientHello without extensions, so without SNI.
QByteArray clientHelloWithoutSni() {
    QByteArray body;
    body += QByteArray::fromHex("0303");     // client_version
    body += QByteArray(32, '\x42');          // random
    body += QByteArray::fromHex("00");       // session_id
    body += QByteArray::fromHex("00021301"); // cipher_suites
    body += QByteArray::fromHex("0100");     // compression_methods
    QByteArray handshake = QByteArray::fromHex("01") + QByteArray(1, '\0') +
                           QByteArray(1, char(body.size() >> 8)) + QByteArray(1, char(body.size()));
    handshake += body;
    return QByteArray::fromHex("160301") + QByteArray(1, char(handshake.size() >> 8)) +
           QByteArray(1, char(handshake.size() & 0xff)) + handshake;
}

SessionSnapshot sessionOf(const Client& client) {
    const QList<SessionSnapshot> all = client.sessions();
    return all.isEmpty() ? SessionSnapshot() : all.first();
}

} // namespace

class TestPortClaims : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;

    void startHub(const QList<int>& allowed) {
        QFETCH_GLOBAL(QString, scheme);
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{2222, 0}};
        o.allowedTcpPortClaims = allowed;
        o.sniffTimeoutMs = 100;
        QString error;
        m_hub = test::startHub(o, scheme, m_tls, &error);
        QVERIFY2(m_hub, qPrintable(error));
    }

    BackendConfig portOnlyBackend() const {
        BackendConfig b;
        b.name = QStringLiteral("ssh");
        b.tcpPorts = {2222};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[2222].defaultTarget = targetOf(*m_echo);
        m_tls.trust(b);
        return b;
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }
    void init() {
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
    }

    void portOnlyBackendRelaysRawTcp() {
        startHub({2222});
        Config config;
        config.backends = {portOnlyBackend()};
        Client client(config);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client).state, SessionState::Connected, 15000);
        QCOMPARE(authenticated.first().at(1).toStringList(), QStringList()); // no hostnames

        // Bytes that are neither TLS nor HTTP: routed by the claim after the sniff timeout.
        QTcpSocket user;
        user.connectToHost(QHostAddress::LocalHost, m_hub->relayListenPort(2222));
        QVERIFY(user.waitForConnected(5000));
        const QByteArray hello = "SSH-2.0-OpenSSH_9.2\r\n" + randomBytes(40000, 7);
        user.write(hello);
        QByteArray echoed;
        QTRY_VERIFY_WITH_TIMEOUT((echoed += user.readAll()).size() >= hello.size(), 15000);
        QCOMPARE(echoed, hello);
        QTRY_COMPARE_WITH_TIMEOUT(client.streams().size(), 1, 10000);
        const StreamSnapshot s = client.streams().first();
        QCOMPARE(s.hostname, QStringLiteral("tcp:2222"));
        QCOMPARE(s.port, 2222);
        QCOMPARE(s.kind, StreamKind::Tcp);
        QCOMPARE(s.target, targetOf(*m_echo));
        QVERIFY(!s.isTls);
    }

    void tlsWithoutSniReachesTheHandlerAsTls() {
        startHub({2222});
        Config config;
        config.backends = {portOnlyBackend()};
        Client client(config);
        QList<ConnectRequest> requests; // written on the session thread, read after the echo
        QMutex mutex;
        const QString echoTarget = targetOf(*m_echo);
        client.setConnectHandler([&](const ConnectRequest& r) {
            QMutexLocker lock(&mutex);
            requests << r;
            return ConnectDecision::dial(echoTarget);
        });
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client).state, SessionState::Connected, 15000);
        QTcpSocket user;
        user.connectToHost(QHostAddress::LocalHost, m_hub->relayListenPort(2222));
        QVERIFY(user.waitForConnected(5000));
        const QByteArray hello = clientHelloWithoutSni();
        user.write(hello);
        QByteArray echoed;
        QTRY_VERIFY_WITH_TIMEOUT((echoed += user.readAll()).size() >= hello.size(), 15000);
        QCOMPARE(echoed, hello);
        QMutexLocker lock(&mutex);
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.first().hostname, QStringLiteral("tcp:2222"));
        QCOMPARE(requests.first().port, 2222);
        QVERIFY(requests.first().isTls);
        QCOMPARE(requests.first().transport, Transport::Tcp);
    }

    void claimTheHubDoesNotAllowFailsTheHandshake() {
        startHub({22});
        Config config;
        config.backends = {portOnlyBackend()};
        Client client(config);
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(!closed.isEmpty(), 15000);
        QCOMPARE(closed.first().at(1).toInt(), 1008);
        QCOMPARE(closed.first().at(2).toString(),
                 QStringLiteral("tcp port claim 2222 is not allowed"));
        QTRY_VERIFY_WITH_TIMEOUT(sessionOf(client).lastError.contains(
                                     QLatin1String("tcp port claim 2222 is not allowed")),
                                 15000);
    }
};

QTEST_MAIN(TestPortClaims)
#include "tst_portclaims.moc"
