// TLS at the hub emulator: wss:// backends with a test CA (protocol.md §1.1, including the h2
// ALPN trap), routing of real TLS ClientHellos by SNI (§8.2), and outbound streams (§9).
#include <QtTest>

#include "EchoServer.h"
#include "HubClientDriver.h"
#include "SocketOptions.h"
#include "TestCa.h"
#include "TestTokens.h"
#include "hub/HubEmulator.h"
#include "protocol/Frame.h"

#include <QJsonArray>
#include <QSslSocket>

using namespace nexustray;
using namespace nexustray::hub;
using namespace nexustray::protocol;
using test::HubClientDriver;
using test::TestTokens;

namespace {
const QByteArray kSecret = "tls-test-secret";

QJsonObject claims(bool withPortClaim = false) {
    QJsonObject c =
        TestTokens::claims(QStringLiteral("tls-backend"), {QStringLiteral("app.example.com")});
    if (withPortClaim) {
        c.insert(QStringLiteral("tcp_ports"), QJsonArray{443});
    }
    return c;
}
} // namespace

class TestHubTls : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestCa> m_ca;
    std::unique_ptr<HubEmulator> m_hub;

    void startHub(HubOptions options) {
        options.jwtSecret = kSecret;
        options.relayPorts = {{443, 0}};
        m_hub = std::make_unique<HubEmulator>(options);
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
    }

    bool authenticate(HubClientDriver& client, const QJsonObject& c,
                      const std::optional<QSslConfiguration>& tls = std::nullopt) {
        QSignalSpy spy(m_hub.get(), &HubEmulator::sessionAuthenticated);
        return client.open(m_hub->backendUrl(), 5000, tls) &&
               !client.authenticate(kSecret, c).isEmpty() && (spy.count() > 0 || spy.wait(5000));
    }

    // A TLS user that sends a real ClientHello (the hub never completes the handshake).
    std::unique_ptr<QSslSocket> tlsUser(const QString& sni) {
        auto socket = std::make_unique<QSslSocket>();
        socket->setPeerVerifyMode(QSslSocket::VerifyNone);
        if (sni.isEmpty()) {
            socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"),
                                           m_hub->relayListenPort(443));
        } else {
            socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_hub->relayListenPort(443),
                                           sni);
        }
        return socket;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(QSslSocket::supportsSsl());
        m_ca = std::make_unique<test::TestCa>();
        QVERIFY2(m_ca->isValid(), qPrintable(m_ca->error()));
        QVERIFY(QFile::exists(m_ca->caPemPath()));
    }
    void cleanup() { m_hub.reset(); }

    void wssBackend() {
        HubOptions options;
        options.tls = m_ca->serverConfiguration();
        startHub(options);
        QCOMPARE(m_hub->backendUrl().scheme(), QStringLiteral("wss"));
        HubClientDriver client;
        QVERIFY(authenticate(client, claims(), m_ca->clientConfiguration()));
        QVERIFY(
            client.socket().sslConfiguration().peerCertificate().subjectAlternativeNames().size() >=
            2);

        // the path rule holds over TLS too
        QUrl wrong = m_hub->backendUrl();
        wrong.setPath(QStringLiteral("/nope"));
        HubClientDriver refused;
        QVERIFY(!refused.open(wrong, 3000, m_ca->clientConfiguration()));
    }

    void wssUntrustedClientFails() {
        HubOptions options;
        options.tls = m_ca->serverConfiguration();
        startHub(options);
        HubClientDriver client;
        QSignalSpy sslErrors(&client.socket(), &QWebSocket::sslErrors);
        QVERIFY(!client.open(m_hub->backendUrl(), 3000)); // system roots only
        QVERIFY(sslErrors.count() > 0);
    }

    void wssH2AlpnCannotUpgrade() {
        HubOptions options;
        options.tls = m_ca->serverConfiguration();
        startHub(options);
        QSslConfiguration h2 = m_ca->clientConfiguration();
        h2.setAllowedNextProtocols({QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1")});
        HubClientDriver client;
        QVERIFY(!client.open(m_hub->backendUrl(), 3000, h2));
        // http/1.1 only is fine
        QSslConfiguration http11 = m_ca->clientConfiguration();
        http11.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
        HubClientDriver ok;
        QVERIFY(ok.open(m_hub->backendUrl(), 5000, http11));
    }

    void sniRouting() {
        startHub({});
        HubClientDriver client;
        QVERIFY(authenticate(client, claims()));
        auto user = tlsUser(QStringLiteral("App.Example.com"));
        const auto connect = client.waitForControl(ControlEvent::Connect);
        QVERIFY(connect);
        QCOMPARE(connect->hostname, QStringLiteral("app.example.com"));
        QVERIFY(connect->isTls);
        QCOMPARE(connect->connPort, 443);
        QCOMPARE(connect->credits, qint64(64));
        // the ClientHello itself is the first data message
        QTRY_VERIFY(!client.data.value(connect->clientId).isEmpty());
        const QByteArray hello = client.data.value(connect->clientId);
        QCOMPARE(hello.at(0), '\x16');
        QVERIFY(hello.contains("App.Example.com") || hello.contains("app.example.com"));
        QVERIFY(hello.size() <= kMaxDataPayload);
    }

    void tlsWithoutSniUsesPortClaim() {
        startHub({});
        QSignalSpy rejected(m_hub.get(), &HubEmulator::userRejected);
        {
            HubClientDriver client;
            QVERIFY(authenticate(client, claims(false)));
            auto user = tlsUser(QString()); // an IP literal: Qt sends no SNI
            QTRY_COMPARE(rejected.count(), 1);
            QCOMPARE(rejected.at(0).at(1).toString(), QStringLiteral("tcp:443"));
        }
        HubClientDriver claimed;
        QVERIFY(authenticate(claimed, claims(true)));
        auto user = tlsUser(QString());
        const auto connect = claimed.waitForControl(ControlEvent::Connect);
        QVERIFY(connect);
        QCOMPARE(connect->hostname, QStringLiteral("tcp:443"));
        QVERIFY(connect->isTls);
    }

    void unknownSniRefused() {
        startHub({});
        HubClientDriver client;
        QVERIFY(authenticate(client, claims(true)));
        QSignalSpy rejected(m_hub.get(), &HubEmulator::userRejected);
        auto user = tlsUser(QStringLiteral("other.example.org"));
        QTRY_COMPARE(rejected.count(), 1);
        QCOMPARE(rejected.at(0).at(1).toString(), QStringLiteral("other.example.org"));
        QTRY_COMPARE(user->state(), QAbstractSocket::UnconnectedState);
    }

    void outboundStream() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        HubOptions options;
        options.outboundEnabled = true;
        startHub(options);
        QJsonObject c = claims();
        c.insert(QStringLiteral("outbound_allowed"), true);
        c.insert(QStringLiteral("allowed_outbound_ports"), QJsonArray{echo.port()});
        HubClientDriver client;
        QVERIFY(authenticate(client, c));

        ControlMessage request;
        request.event = ControlEvent::OutboundConnect;
        request.clientId = QUuid::createUuid();
        request.targetAddr = QStringLiteral("127.0.0.1:%1").arg(echo.port());
        client.sendControl(request);
        const auto result =
            client.waitForControl(ControlEvent::OutboundResult, 5000, request.clientId);
        QVERIFY(result);
        QVERIFY(result->success);
        QCOMPARE(result->credits, qint64(64));
        client.sendData(request.clientId, "ping through the hub");
        QCOMPARE(client.waitForData(request.clientId, 20), QByteArray("ping through the hub"));
        // The hub's dialled socket: no Nagle (like Go's net package).
        const qintptr outbound = test::findSocketWithPeerPort(echo.port());
        QVERIFY(outbound >= 0);
        QVERIFY(test::hasNoDelay(outbound));
        client.sendControl(makeDisconnect(request.clientId, QStringLiteral("normal")));
        QTRY_COMPARE(echo.openConnections(), 0);

        // refusals, in the hub's order
        request.clientId = QUuid::createUuid();
        request.targetAddr = QStringLiteral("127.0.0.1:1");
        client.sendControl(request);
        auto refused = client.waitForControl(ControlEvent::OutboundResult, 5000, request.clientId);
        QVERIFY(refused);
        QVERIFY(!refused->success);
        QCOMPARE(refused->reason, QStringLiteral("outbound port 1 not allowed for this backend"));
        request.clientId = QUuid::createUuid();
        request.targetAddr = QStringLiteral("::1:25");
        client.sendControl(request);
        refused = client.waitForControl(ControlEvent::OutboundResult, 5000, request.clientId);
        QVERIFY(refused);
        QCOMPARE(refused->reason, QStringLiteral("invalid target address"));
    }

    void outboundDialFailure() {
        HubOptions options;
        options.outboundEnabled = true;
        startHub(options);
        QJsonObject c = claims();
        c.insert(QStringLiteral("outbound_allowed"), true);
        HubClientDriver client;
        QVERIFY(authenticate(client, c));
        QTcpServer closedPort;
        QVERIFY(closedPort.listen(QHostAddress::LocalHost));
        const quint16 port = closedPort.serverPort();
        closedPort.close();
        ControlMessage request;
        request.event = ControlEvent::OutboundConnect;
        request.clientId = QUuid::createUuid();
        request.targetAddr = QStringLiteral("127.0.0.1:%1").arg(port);
        client.sendControl(request);
        const auto result =
            client.waitForControl(ControlEvent::OutboundResult, 5000, request.clientId);
        QVERIFY(result);
        QVERIFY(!result->success);
        QCOMPARE(result->reason, QStringLiteral("dial failed"));
    }
};

QTEST_GUILESS_MAIN(TestHubTls)
#include "tst_hub_tls.moc"
