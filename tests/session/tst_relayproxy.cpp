// The relay dial through an HTTP CONNECT proxy (issue 15), with real worker threads, the hub
// emulator, a local echo service and a real CONNECT proxy started by the test, over ws:// and
// wss://. The relay is addressed as relay.test, a name only the test proxy resolves (to
// 127.0.0.1): a session that connects proves the client left name resolution to the proxy, and
// one that bypasses the proxy fails to resolve it. Loopback relays are never proxied, so every
// case but one uses that name.
#include <QtTest>

#include <memory>

#include "ConnectProxy.h"
#include "ProxyHeaderParser.h"
#include "TestCa.h"
#include "TestRelayTls.h"
#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;
using nexustray::test::ConnectProxy;

namespace {
const QByteArray kSecret = "relay-proxy-secret";
const char* const kProxyVariables[] = {"HTTPS_PROXY", "https_proxy", "ALL_PROXY",
                                       "all_proxy",   "NO_PROXY",    "no_proxy"};

Config configOf(const BackendConfig& backend) {
    Config config;
    config.backends = {backend};
    return config;
}

SessionSnapshot sessionOf(const Client& client) {
    const QList<SessionSnapshot> sessions = client.sessions();
    return sessions.isEmpty() ? SessionSnapshot() : sessions.first();
}

// Clears the proxy variables for one test case and puts the runner's values back afterwards.
class ProxyEnvironment {
public:
    ProxyEnvironment() {
        for (const char* name : kProxyVariables) {
            m_saved.append(qgetenv(name));
            qunsetenv(name);
        }
    }
    ~ProxyEnvironment() {
        int i = 0;
        for (const char* name : kProxyVariables) {
            const QByteArray& value = m_saved.at(i++);
            if (value.isNull())
                qunsetenv(name);
            else
                qputenv(name, value);
        }
    }

private:
    QList<QByteArray> m_saved;
};
} // namespace

class TestRelayProxy : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestCa> m_ca; // its certificate also names relay.test
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<ConnectProxy> m_proxy;
    std::unique_ptr<ProxyEnvironment> m_env;

    // The hub under the name only the proxy resolves (or as 127.0.0.1).
    QString relayUrl(const QString& host = QStringLiteral("relay.test")) const {
        QUrl url = m_hub->backendUrl();
        url.setHost(host);
        return url.toString();
    }

    BackendConfig backend(const QString& relay) const {
        BackendConfig b;
        b.name = QStringLiteral("web");
        b.hostnames = {QStringLiteral("web.test")};
        b.nexusAddresses = {relay};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = targetOf(*m_echo);
        b.tls.caFile = m_ca->caPemPath();
        b.tls.allowInsecure = true; // ws://relay.test is not loopback
        return b;
    }

    static void stopClient(Client& client) {
        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }

    // Connects, relays a request through the tunnel, stops.
    void expectRelaying(const BackendConfig& b) {
        Client client(configOf(b));
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client).state, SessionState::Connected, 10000);
        const QByteArray body = randomBytes(64 * 1024, 15);
        TunnelUser user(m_hub->relayListenPort(80), "web.test");
        user.send(body);
        QTRY_VERIFY_WITH_TIMEOUT(user.echoMatches(body), 10000);
        stopClient(client);
    }

    // Waits for the first failed attempt and returns the session as it then is.
    static SessionSnapshot firstFailure(Client& client) {
        client.start();
        (void)QTest::qWaitFor(
            [&client] { return sessionOf(client).state == SessionState::Backoff; }, 15000);
        return sessionOf(client); // the caller checks the state
    }

    QString relayTarget() const {
        return QStringLiteral("relay.test:%1").arg(m_hub->backendUrl().port());
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() {
        m_ca = std::make_unique<test::TestCa>(
            QStringList{QStringLiteral("relay.test"), QStringLiteral("localhost")});
        QVERIFY2(m_ca->isValid(), qPrintable(m_ca->error()));
    }
    void init() {
        QFETCH_GLOBAL(QString, scheme);
        m_env = std::make_unique<ProxyEnvironment>();
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        if (test::TestRelayTls::isWss(scheme))
            o.tls = m_ca->serverConfiguration();
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        m_proxy = std::make_unique<ConnectProxy>();
        m_proxy->mapHost(QStringLiteral("relay.test"), QHostAddress::LocalHost);
        QVERIFY(m_proxy->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
        m_proxy.reset();
        m_env.reset();
    }

    void throughHttpsProxyFromEnvironment() {
        qputenv("HTTPS_PROXY", m_proxy->url().toUtf8());
        expectRelaying(backend(relayUrl()));
        QVERIFY(m_proxy->tunnelCount() >= 1);
        // Only the relay dial went through it (the name as written), not the local service's.
        QCOMPARE(m_proxy->requestedTargets(), QStringList(m_proxy->connectCount(), relayTarget()));
    }

    // PROXY protocol through a proxy (issue 15): the socket's peer is the proxy and the relay is a
    // name only the proxy resolved, so the header's destination is the unspecified address of
    // the user's family; the source is still the user. The echo service sends the header back.
    void proxyHeaderDestinationIsUnspecified() {
        qputenv("HTTPS_PROXY", m_proxy->url().toUtf8());
        BackendConfig b = backend(relayUrl());
        b.portMappings[80].proxyProtocol = ProxyProtocol::V1;
        Client client(configOf(b));
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client).state, SessionState::Connected, 10000);
        TunnelUser user(m_hub->relayListenPort(80), "web.test");
        user.send("after the header");
        QTRY_VERIFY_WITH_TIMEOUT(user.received.endsWith(user.prelude + "after the header"), 10000);
        const test::ParsedProxyHeader h = test::parseProxyV1(user.received);
        QVERIFY2(h.ok, user.received.constData());
        QCOMPARE(h.source, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(h.sourcePort, user.socket.localPort());
        QCOMPARE(h.destination, QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(h.destinationPort, quint16(80));
        QCOMPARE(user.received.mid(h.length), user.prelude + "after the header");
        QVERIFY(m_proxy->tunnelCount() >= 1);
        stopClient(client);
    }

    void allProxyIsTheFallback() {
        qputenv("all_proxy", m_proxy->url().toUtf8());
        expectRelaying(backend(relayUrl()));
        QVERIFY(m_proxy->tunnelCount() >= 1);
    }

    // Basic auth from the URL's percent-encoded credentials (Qt answers the 407 challenge).
    void throughProxyWithCredentials() {
        m_proxy->requireCredentials("us@er:p:ss w");
        qputenv(
            "https_proxy",
            QStringLiteral("http://us%40er:p%3Ass%20w@127.0.0.1:%1").arg(m_proxy->port()).toUtf8());
        expectRelaying(backend(relayUrl()));
        QVERIFY(m_proxy->tunnelCount() >= 1);
    }

    void wrongCredentials() {
        m_proxy->requireCredentials("user:right");
        qputenv("HTTPS_PROXY",
                QStringLiteral("http://user:wrong@127.0.0.1:%1").arg(m_proxy->port()).toUtf8());
        Client client(configOf(backend(relayUrl())));
        const SessionSnapshot s = firstFailure(client);
        QCOMPARE(s.state, SessionState::Backoff);
        QVERIFY2(
            s.lastError.contains(QStringLiteral("proxy 127.0.0.1:%1 rejected the credentials (407)")
                                     .arg(m_proxy->port())),
            qPrintable(s.lastError));
        QCOMPARE(s.errorKind, SessionErrorKind::Unreachable);
        QCOMPARE(m_proxy->tunnelCount(), 0);
        stopClient(client);
    }

    void backendProxyWithoutEnvironment() {
        BackendConfig b = backend(relayUrl());
        b.proxy = m_proxy->url();
        expectRelaying(b);
        QVERIFY(m_proxy->tunnelCount() >= 1);
    }

    // NO_PROXY exempts relay.test: the dial is direct (no CONNECT) and fails because only the
    // proxy could resolve the name.
    void noProxyBypassesTheProxy_data() {
        QTest::addColumn<QString>("noProxy");
        QTest::newRow("domain") << "example.com,relay.test";
        QTest::newRow("leading dot") << ".test";
        QTest::newRow("star") << "*";
        QTest::newRow("with port") << QStringLiteral("RELAY.test:%1");
    }
    void noProxyBypassesTheProxy() {
        QFETCH(QString, noProxy);
        qputenv("HTTPS_PROXY", m_proxy->url().toUtf8());
        qputenv("NO_PROXY",
                noProxy.replace(QLatin1String("%1"), QString::number(m_hub->backendUrl().port()))
                    .toUtf8());
        Client client(configOf(backend(relayUrl())));
        const SessionSnapshot s = firstFailure(client);
        QCOMPARE(s.state, SessionState::Backoff);
        QCOMPARE(m_proxy->connectCount(), 0);
        QCOMPARE(s.errorKind, SessionErrorKind::Unreachable);
        QVERIFY2(!s.lastError.contains(QLatin1String("proxy")), qPrintable(s.lastError));
        stopClient(client);
    }

    // NO_PROXY for another port does not exempt the relay.
    void noProxyOtherPortStillProxied() {
        qputenv("HTTPS_PROXY", m_proxy->url().toUtf8());
        qputenv("no_proxy", QByteArray("relay.test:1"));
        expectRelaying(backend(relayUrl()));
        QVERIFY(m_proxy->tunnelCount() >= 1);
    }

    void backendNoneOverridesEnvironment() {
        qputenv("HTTPS_PROXY", m_proxy->url().toUtf8());
        BackendConfig b = backend(relayUrl());
        b.proxy = QStringLiteral("none");
        Client client(configOf(b));
        const SessionSnapshot s = firstFailure(client);
        QCOMPARE(s.state, SessionState::Backoff);
        QCOMPARE(m_proxy->connectCount(), 0);
        QCOMPARE(s.errorKind, SessionErrorKind::Unreachable);
        stopClient(client);
    }

    void loopbackRelayIsNeverProxied() {
        qputenv("HTTPS_PROXY", m_proxy->url().toUtf8());
        BackendConfig b = backend(relayUrl(QStringLiteral("localhost")));
        b.proxy = m_proxy->url(); // not even the backend's own
        expectRelaying(b);
        QCOMPARE(m_proxy->connectCount(), 0);
    }

    // A proxy that refuses, asks for credentials, denies or answers garbage: a clear error, kind
    // Unreachable, and the usual backoff.
    void proxyFaults_data() {
        QTest::addColumn<int>("mode"); // -1: nothing listens on the proxy's port
        QTest::addColumn<QString>("expected");
        QTest::newRow("refused") << -1 << "proxy 127.0.0.1:%1 refused the connection";
        QTest::newRow("407") << int(ConnectProxy::Mode::AlwaysAuth)
                             << "proxy 127.0.0.1:%1 requires authentication (407)";
        QTest::newRow("403") << int(ConnectProxy::Mode::Deny)
                             << "proxy 127.0.0.1:%1 denied the tunnel to relay.test";
        QTest::newRow("garbage") << int(ConnectProxy::Mode::Garbage)
                                 << "proxy 127.0.0.1:%1 answered garbage";
    }
    void proxyFaults() {
        QFETCH(int, mode);
        QFETCH(QString, expected);
        const quint16 port = m_proxy->port();
        if (mode < 0)
            m_proxy.reset(); // the port is closed now
        else
            m_proxy->setMode(ConnectProxy::Mode(mode));
        qputenv("HTTPS_PROXY", QStringLiteral("http://127.0.0.1:%1").arg(port).toUtf8());
        Client client(configOf(backend(relayUrl())));
        const SessionSnapshot s = firstFailure(client);
        QCOMPARE(s.state, SessionState::Backoff);
        QVERIFY2(s.lastError.contains(expected.arg(port)), qPrintable(s.lastError));
        QVERIFY2(s.lastError.contains(relayUrl()), qPrintable(s.lastError));
        QCOMPARE(s.errorKind, SessionErrorKind::Unreachable);
        QVERIFY(s.reconnectAt.isValid());
        if (m_proxy)
            QVERIFY(m_proxy->connectCount() >= 1);
        stopClient(client);
    }

    // An https:// or socks proxy URL in the environment: a session error naming it.
    void unsupportedProxyScheme() {
        qputenv("HTTPS_PROXY", QByteArray("socks5://127.0.0.1:1080"));
        Client client(configOf(backend(relayUrl())));
        const SessionSnapshot s = firstFailure(client);
        QCOMPARE(s.state, SessionState::Backoff);
        QVERIFY2(s.lastError.contains(QLatin1String("socks5")) &&
                     s.lastError.contains(QLatin1String("HTTPS_PROXY")),
                 qPrintable(s.lastError));
        QCOMPARE(s.errorKind, SessionErrorKind::Configuration);
        stopClient(client);
    }
};

QTEST_GUILESS_MAIN(TestRelayProxy)
#include "tst_relayproxy.moc"
