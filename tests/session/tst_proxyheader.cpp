// PROXY protocol headers to local services (issue 15), end to end over ws:// and wss://: real
// worker threads, the hub emulator (which fills connect.client_ip from the user's socket) and a
// local TCP service that reads the header with the tests' own parser
// (tests/support/ProxyHeaderParser) and echoes what follows. IPv4 users reach a hub on 127.0.0.1,
// IPv6 users one on ::1; the destination must be the relay's address (the session's WebSocket
// peer) with the public port. A transfer far beyond the credit window proves the header costs no
// credit; a mapping without proxyProtocol gets no header; a `hosts` override inherits v2.
#include <QtTest>

#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

#include "ProxyHeaderParser.h"
#include "TestRelayTls.h"
#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;
using nexustray::test::ParsedProxyHeader;

namespace {
const QByteArray kSecret = "proxy-header-secret";
constexpr quint16 kPublicPort = 80;

// A local service that expects an optional PROXY header: records it (or its absence), then
// echoes every byte after it.
class ProxyEchoService : public QObject {
public:
    bool listen() {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection())
                serve(socket);
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    QString target() const { return QStringLiteral("127.0.0.1:%1").arg(m_server.serverPort()); }

    QList<ParsedProxyHeader> headers; // one per connection that began with a header
    int plainConnections = 0;         // connections whose first bytes were no header

private:
    void serve(QTcpSocket* socket) {
        socket->setParent(this);
        auto buffer = std::make_shared<QByteArray>();
        auto done = std::make_shared<bool>(false);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer, done] {
            if (*done) {
                socket->write(socket->readAll());
                return;
            }
            *buffer += socket->readAll();
            const int version = test::proxyHeaderVersion(*buffer);
            if (version == 0) {
                if (buffer->size() < 12)
                    return; // may still become a signature
                ++plainConnections;
            } else {
                const ParsedProxyHeader h =
                    version == 1 ? test::parseProxyV1(*buffer) : test::parseProxyV2(*buffer);
                if (!h.ok && buffer->size() < 256)
                    return; // incomplete
                headers.append(h);
                buffer->remove(0, h.ok ? h.length : 0);
            }
            *done = true;
            socket->write(*buffer);
            buffer->clear();
        });
    }

    QTcpServer m_server;
};

// A relay user from a given loopback address (the hub reports it as connect.client_ip).
class User : public QObject {
public:
    User(const QHostAddress& hub, quint16 port, const QByteArray& host) {
        connect(&socket, &QTcpSocket::readyRead, this, [this] { received += socket.readAll(); });
        socket.connectToHost(hub, port);
        prelude = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }
    void send(const QByteArray& body) { socket.write(prelude + body); }
    bool echoed(const QByteArray& body) const { return received == prelude + body; }

    QTcpSocket socket;
    QByteArray prelude;
    QByteArray received;
};

bool connected(const Client& client) {
    const QList<SessionSnapshot> sessions = client.sessions();
    return !sessions.isEmpty() && sessions.first().state == SessionState::Connected;
}
} // namespace

class TestProxyHeader : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<ProxyEchoService> m_service;

    // A hub on `address` (its relay listener too, so users come from that family).
    void startHub(const QHostAddress& address) {
        QFETCH_GLOBAL(QString, scheme);
        HubOptions o;
        o.jwtSecret = kSecret;
        o.address = address;
        o.relayPorts = {{kPublicPort, 0}};
        m_tls.serve(o, scheme);
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
    }

    BackendConfig backend(const PortMapping& mapping) const {
        BackendConfig b;
        b.name = QStringLiteral("web");
        b.hostnames = {QStringLiteral("web.test"), QStringLiteral("other.test")};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[kPublicPort] = mapping;
        m_tls.trust(b);
        return b;
    }

    // One user sends `body` for `host` through a client with `mapping`; returns once it came back.
    void relay(const PortMapping& mapping, const QHostAddress& hubAddress, const QByteArray& host,
               const QByteArray& body, QHostAddress* userAddress = nullptr,
               quint16* userPort = nullptr) {
        Config config;
        config.backends = {backend(mapping)};
        Client client(config);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client), 10000);
        User user(hubAddress, m_hub->relayListenPort(kPublicPort), host);
        QTRY_COMPARE_WITH_TIMEOUT(user.socket.state(), QAbstractSocket::ConnectedState, 5000);
        if (userAddress)
            *userAddress = user.socket.localAddress();
        if (userPort)
            *userPort = user.socket.localPort();
        user.send(body);
        QTRY_VERIFY_WITH_TIMEOUT(user.received.size() >= user.prelude.size() + body.size(), 30000);
        QVERIFY(user.echoed(body));
        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }
    void init() {
        m_service = std::make_unique<ProxyEchoService>();
        QVERIFY(m_service->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_service.reset();
    }

    // v1 and v2 for an IPv4 and an IPv6 user: the exact source and destination, then 4 MiB
    // both ways unchanged (64 messages of credit, so the window turns over ~130 times) without a
    // credit overdraft or a window exceeded.
    void headerThenExactPayload_data() {
        QTest::addColumn<int>("version");
        QTest::addColumn<bool>("ipv6");
        QTest::newRow("v1 ipv4") << 1 << false;
        QTest::newRow("v2 ipv4") << 2 << false;
        QTest::newRow("v1 ipv6") << 1 << true;
        QTest::newRow("v2 ipv6") << 2 << true;
    }
    void headerThenExactPayload() {
        QFETCH(int, version);
        QFETCH(bool, ipv6);
        const QHostAddress hubAddress(ipv6 ? QHostAddress::LocalHostIPv6 : QHostAddress::LocalHost);
        startHub(hubAddress);
        PortMapping mapping;
        mapping.defaultTarget = m_service->target();
        mapping.proxyProtocol = version == 1 ? ProxyProtocol::V1 : ProxyProtocol::V2;
        const QByteArray body = randomBytes(4 * 1024 * 1024, 15);
        QHostAddress userAddress;
        quint16 userPort = 0;
        relay(mapping, hubAddress, "web.test", body, &userAddress, &userPort);
        if (QTest::currentTestFailed())
            return;

        QCOMPARE(m_service->headers.size(), 1);
        QCOMPARE(m_service->plainConnections, 0);
        const ParsedProxyHeader& h = m_service->headers.first();
        QVERIFY(h.ok);
        if (version == 1)
            QCOMPARE(h.command, ipv6 ? QStringLiteral("TCP6") : QStringLiteral("TCP4"));
        else
            QCOMPARE(h.family, ipv6 ? 2 : 1);
        QCOMPARE(userAddress, hubAddress); // the user came from the hub's loopback family
        QCOMPARE(h.source, userAddress);
        QCOMPARE(h.sourcePort, userPort);
        QCOMPARE(h.destination, hubAddress); // the relay, as the session reached it
        QCOMPARE(h.destinationPort, kPublicPort);

        const hub::HubStats stats = m_hub->stats();
        QCOMPARE(stats.creditOverdrafts, quint64(0));
        QCOMPARE(stats.protocolViolations, quint64(0));
        QVERIFY(stats.maxForwardOutstanding > 0);
        QVERIFY2(stats.maxForwardOutstanding <= FlowControl().maxBuffer,
                 qPrintable(QString::number(stats.maxForwardOutstanding)));
    }

    void offSendsNoHeader() {
        startHub(QHostAddress(QHostAddress::LocalHost));
        PortMapping mapping;
        mapping.defaultTarget = m_service->target();
        relay(mapping, QHostAddress(QHostAddress::LocalHost), "web.test", "plain bytes");
        QCOMPARE(m_service->plainConnections, 1);
        QVERIFY(m_service->headers.isEmpty());
    }

    // proxyProtocol sits on the port's mapping; a host override routed there gets the header.
    void hostsOverrideInheritsV2() {
        startHub(QHostAddress(QHostAddress::LocalHost));
        PortMapping mapping;
        mapping.defaultTarget = QStringLiteral("127.0.0.1:1"); // not used by this user
        mapping.hosts.insert(QStringLiteral("other.test"), m_service->target());
        mapping.proxyProtocol = ProxyProtocol::V2;
        relay(mapping, QHostAddress(QHostAddress::LocalHost), "other.test", "override");
        QCOMPARE(m_service->headers.size(), 1);
        QVERIFY(m_service->headers.first().ok);
        QCOMPARE(m_service->headers.first().command, QStringLiteral("PROXY"));
        QCOMPARE(m_service->headers.first().destinationPort, kPublicPort);
    }
};

QTEST_GUILESS_MAIN(TestProxyHeader)
#include "tst_proxyheader.moc"
