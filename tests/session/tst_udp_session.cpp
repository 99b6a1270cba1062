// UDP flows end to end: a real Session claiming a UDP relay port of the hub emulator, real users
// (QUdpSocket) on that port and a real local UDP echo service, over ws:// and wss://. Covers
// datagram boundaries both ways (empty and 32 768-byte datagrams), one flow per user address,
// a long run of datagrams that only keeps flowing when forward credits come back per datagram
// written (protocol.md §7.2: the Go client stalls the whole port after 64), a target that
// refuses (ICMP), and a session that drops while flows are open.
#include <QNetworkDatagram>
#include <QUdpSocket>
#include <QtTest>

#include <memory>

#include "TestHub.h"
#include "TestRelayTls.h"
#include "UdpEchoServer.h"
#include "hub/HubEmulator.h"
#include "protocol/Frame.h"
#include "session/Session.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {
const QByteArray kSecret = "udp-session-secret";
constexpr quint16 kUdpPort = 53;     // the hub's UDP relay port (advertised)
constexpr quint16 kRefusedPort = 54; // a second claimed port whose target has nobody listening
} // namespace

class TestUdpSession : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::UdpEchoServer> m_echo;
    std::unique_ptr<Session> m_session;
    test::TestRelayTls m_tls;
    QString m_scheme;
    quint16 m_closedPort = 0;

    SessionSettings settings() const {
        BackendConfig b;
        b.name = QStringLiteral("udp-edge");
        b.udpRoutes = {UdpRoute{kUdpPort, 30}, UdpRoute{kRefusedPort, std::nullopt}};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[kUdpPort].defaultTarget = QStringLiteral("127.0.0.1:%1").arg(m_echo->port());
        b.portMappings[kRefusedPort].defaultTarget =
            QStringLiteral("127.0.0.1:%1").arg(m_closedPort);
        if (test::TestRelayTls::isWss(m_scheme))
            m_tls.trust(b);
        SessionSettings s;
        s.sessionId = QStringLiteral("udp-edge#1");
        s.backend = b;
        s.relayUrl = b.nexusAddresses.first();
        s.backoff.baseMs = 100;
        s.backoff.maxMs = 400;
        s.timings.stableAfterMs = 100;
        s.timings.snapshotIntervalMs = 50;
        return s;
    }

    std::unique_ptr<QUdpSocket> user() const {
        auto socket = std::make_unique<QUdpSocket>();
        return socket->bind(QHostAddress::LocalHost, 0) ? std::move(socket) : nullptr;
    }

    void send(QUdpSocket& user, const QByteArray& datagram, quint16 port = kUdpPort) {
        QCOMPARE(
            user.writeDatagram(datagram, QHostAddress::LocalHost, m_hub->udpRelayListenPort(port)),
            qint64(datagram.size()));
    }

    // Every datagram the user received, once there are at least `count` (condition-based wait).
    static QList<QByteArray> receive(QUdpSocket& user, qsizetype count, int timeoutMs = 10000) {
        QList<QByteArray> got;
        (void)QTest::qWaitFor(
            [&] {
                while (user.hasPendingDatagrams())
                    got.append(user.receiveDatagram().data());
                return got.size() >= count;
            },
            timeoutMs);
        return got;
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() {
        qRegisterMetaType<nexustray::StreamSnapshot>();
        QVERIFY2(m_tls.init(), qPrintable(m_tls.error()));
    }

    void init() {
        QFETCH_GLOBAL(QString, scheme);
        m_scheme = scheme;
        {
            QUdpSocket probe; // bound, then closed: a port that answers with ICMP unreachable
            QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
            m_closedPort = probe.localPort();
        }
        m_echo = std::make_unique<test::UdpEchoServer>();
        QVERIFY(m_echo->listen());
        HubOptions o;
        o.jwtSecret = kSecret;
        o.tokenTimeoutMs = 5000;
        o.udpRelayPorts = {{kUdpPort, 0}, {kRefusedPort, 0}};
        o.allowedUdpPortClaims = QList<int>{kUdpPort, kRefusedPort};
        QString error;
        m_hub = test::startHub(o, m_scheme, m_tls, &error);
        QVERIFY2(m_hub, qPrintable(error));
        QCOMPARE(m_hub->backendUrl().scheme(), m_scheme);

        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_session = std::make_unique<Session>(settings());
        m_session->start();
        QVERIFY(authenticated.wait(5000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
    }

    void cleanup() {
        m_session.reset();
        m_hub.reset();
        m_echo.reset();
    }

    void datagramsKeepTheirBoundariesBothWays() {
        auto u = user();
        QVERIFY(u);
        const QList<QByteArray> sent = {QByteArray("first"), QByteArray(), QByteArray(1200, 'm'),
                                        QByteArray(protocol::kMaxDataPayload, 'L'),
                                        QByteArray("last")};
        for (const QByteArray& d : sent) {
            send(*u, d);
            // one at a time: UDP may reorder nothing on loopback, but the sizes must match 1:1
            QCOMPARE(receive(*u, 1), QList<QByteArray>{d});
        }
        QCOMPARE(m_echo->sizesReceived(),
                 (QList<qsizetype>{5, 0, 1200, protocol::kMaxDataPayload, 4}));
        QCOMPARE(m_hub->stats().udpFlowsOpened, quint64(1));
    }

    void longRunsKeepFlowingOnCreditsPerDatagram() {
        // 400 datagrams, 20 in flight at a time: far beyond the 64-credit window, so this only
        // finishes if every datagram written returns its credit.
        auto u = user();
        QVERIFY(u);
        int echoed = 0;
        for (int batch = 0; batch < 20; ++batch) {
            for (int i = 0; i < 20; ++i)
                send(*u, QByteArray::number(batch * 20 + i));
            const QList<QByteArray> got = receive(*u, 20);
            QCOMPARE(got.size(), 20);
            echoed += int(got.size());
        }
        QCOMPARE(echoed, 400);
        QCOMPARE(m_echo->datagramsReceived(), 400);
        // both directions inside their windows: never a reply without reverse credit, and never
        // more forward datagrams held than the window granted (flowControl.maxBuffer, 64)
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        QVERIFY(m_hub->stats().maxForwardOutstanding <= 64);
    }

    void eachUserAddressIsItsOwnFlow() {
        QSignalSpy opened(m_hub.get(), &HubEmulator::udpFlowOpened);
        auto a = user();
        auto b = user();
        QVERIFY(a && b);
        send(*a, "from a");
        send(*b, "from b");
        QCOMPARE(receive(*a, 1), QList<QByteArray>{"from a"});
        QCOMPARE(receive(*b, 1), QList<QByteArray>{"from b"});
        QCOMPARE(opened.size(), 2);
        QVERIFY(opened.at(0).at(0).toUuid() != opened.at(1).at(0).toUuid());
        QTRY_COMPARE(m_session->snapshot().activeStreams, 2);
    }

    void refusingTargetIsCountedAndTheFlowStays() {
        QSignalSpy changed(m_session.get(), &Session::streamChanged);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("refused a datagram")));
        auto u = user();
        QVERIFY(u);
        send(*u, "nobody home", kRefusedPort);
        QTRY_VERIFY(!changed.isEmpty() &&
                    changed.last().at(0).value<StreamSnapshot>().datagramsDropped == 1);
        const StreamSnapshot s = changed.last().at(0).value<StreamSnapshot>();
        QCOMPARE(s.kind, StreamKind::Udp);
        QCOMPARE(s.state, StreamState::Open);
        // the session and other flows are unharmed
        QCOMPARE(m_session->snapshot().state, SessionState::Connected);
        auto other = user();
        QVERIFY(other);
        send(*other, "still here");
        QCOMPARE(receive(*other, 1), QList<QByteArray>{"still here"});
    }

    void sessionDropWithOpenFlowsRecovers() {
        QSignalSpy closed(m_session.get(), &Session::streamClosed);
        auto u = user();
        QVERIFY(u);
        send(*u, "before");
        QCOMPARE(receive(*u, 1), QList<QByteArray>{"before"});

        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_hub->dropSessions(false);
        QTRY_COMPARE(closed.size(), 1);
        QCOMPARE(closed.first().at(0).value<StreamSnapshot>().closeReason,
                 QStringLiteral("session_ended"));
        QTRY_VERIFY_WITH_TIMEOUT(!authenticated.isEmpty(), 10000); // reconnected
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
        // the hub forgot the flow with the session: the next datagram opens a new one
        send(*u, "after");
        QCOMPARE(receive(*u, 1), QList<QByteArray>{"after"});
    }
};

QTEST_GUILESS_MAIN(TestUdpSession)
#include "tst_udp_session.moc"
