// UDP relay ports of the hub emulator (protocol.md §8.1, §8.3, §7.2, §5, §11): connect fields,
// one datagram per data message both ways, flows per user address, idle timeout, client
// disconnect noticed on the user's next datagram, broken flows after a failed write, forward
// credits blocking the whole port, reverse grants, drops without a claiming session, eviction,
// session end. Real QUdpSocket users on 127.0.0.1 (and ::1).
#include <QtTest>

#include "HubClientDriver.h"
#include "TestCa.h"
#include "TestTokens.h"
#include "hub/HubEmulator.h"
#include "protocol/Frame.h"

#include <QJsonArray>
#include <QNetworkDatagram>
#include <QUdpSocket>

using namespace nexustray;
using namespace nexustray::hub;
using namespace nexustray::protocol;
using test::HubClientDriver;
using test::TestTokens;

namespace {
const QByteArray kSecret = "udp-test-secret";
constexpr quint16 kPort = 53;
constexpr quint16 kOtherPort = 5353;

// A backend claiming udp:53 (flow idle timeout 5 token seconds, the hub's minimum).
QJsonObject udpClaims(const QString& sub = QStringLiteral("udp-backend"), int weight = 1) {
    QJsonObject c = TestTokens::claims(sub, {}, weight);
    c.insert(QStringLiteral("udp_routes"),
             QJsonArray{QJsonObject{{QStringLiteral("port"), kPort},
                                    {QStringLiteral("flow_idle_timeout_seconds"), 5}}});
    return c;
}

QByteArray pattern(qsizetype size, char seed) {
    QByteArray b(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i) {
        b[i] = static_cast<char>(seed + i * 7);
    }
    return b;
}
} // namespace

class TestHubUdp : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestCa> m_ca;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<HubClientDriver> m_client;
    QHostAddress m_address = QHostAddress::LocalHost;

    void startHub(HubOptions options = {}) {
        options.jwtSecret = kSecret;
        options.address = m_address;
        options.udpRelayPorts = {{kPort, 0}, {kOtherPort, 0}};
        m_hub = std::make_unique<HubEmulator>(options);
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
        QVERIFY(m_hub->udpRelayListenPort(kPort) != 0);
        QCOMPARE(m_hub->udpRelayListenPort(4242), quint16(0));
    }

    bool connectBackend(HubClientDriver& client, const QJsonObject& claims = udpClaims(),
                        const std::optional<QSslConfiguration>& tls = std::nullopt) {
        QSignalSpy spy(m_hub.get(), &HubEmulator::sessionAuthenticated);
        return client.open(m_hub->backendUrl(), 5000, tls) &&
               !client.authenticate(kSecret, claims).isEmpty() &&
               (spy.count() > 0 || spy.wait(5000));
    }

    void startWithBackend(HubOptions options = {}) {
        startHub(options);
        m_client = std::make_unique<HubClientDriver>();
        QVERIFY(connectBackend(*m_client));
    }

    std::unique_ptr<QUdpSocket> user() {
        auto socket = std::make_unique<QUdpSocket>();
        if (!socket->bind(m_address, 0)) {
            return nullptr;
        }
        return socket;
    }

    void send(QUdpSocket& user, const QByteArray& datagram, quint16 port = kPort) {
        QCOMPARE(user.writeDatagram(datagram, m_address, m_hub->udpRelayListenPort(port)),
                 qint64(datagram.size()));
    }

    // Every datagram the user received, once there are at least `count`.
    static QList<QByteArray> receive(QUdpSocket& user, qsizetype count, int timeoutMs = 5000) {
        QList<QByteArray> got;
        (void)QTest::qWaitFor(
            [&] {
                while (user.hasPendingDatagrams()) {
                    got.append(user.receiveDatagram().data());
                }
                return got.size() >= count;
            },
            timeoutMs);
        return got;
    }

    // The connect of a new flow (consumed).
    QUuid awaitConnect(ControlMessage* out = nullptr) {
        const auto c = m_client->waitForControl(ControlEvent::Connect);
        if (!c) {
            return QUuid();
        }
        if (out) {
            *out = *c;
        }
        return c->clientId;
    }

    // A user's first datagram: the flow it opens (its connect consumed).
    QUuid openFlow(QUdpSocket& user, const QByteArray& first, ControlMessage* out = nullptr) {
        send(user, first);
        return awaitConnect(out);
    }

    QString clientIp(const QUdpSocket& user) const {
        return m_address.protocol() == QAbstractSocket::IPv6Protocol
                   ? QStringLiteral("[%1]:%2").arg(m_address.toString()).arg(user.localPort())
                   : QStringLiteral("%1:%2").arg(m_address.toString()).arg(user.localPort());
    }

private Q_SLOTS:
    void initTestCase() {
        m_ca = std::make_unique<test::TestCa>();
        QVERIFY2(m_ca->isValid(), qPrintable(m_ca->error()));
    }

    void cleanup() {
        m_client.reset();
        m_hub.reset();
        m_address = QHostAddress::LocalHost;
    }

    void connectFields_data() {
        QTest::addColumn<bool>("tls");
        QTest::newRow("ws") << false;
        QTest::newRow("wss") << true;
    }

    // §8.3 / §11: connect {client_id v4, conn_port, client_ip, transport udp, hostname udp:P,
    // credits 64}, then the first datagram as one data message; ping_client works on flows.
    void connectFields() {
        QFETCH(bool, tls);
        HubOptions options;
        if (tls) {
            options.tls = m_ca->serverConfiguration();
        }
        startHub(options);
        m_client = std::make_unique<HubClientDriver>();
        QVERIFY(connectBackend(*m_client, udpClaims(),
                               tls ? std::optional(m_ca->clientConfiguration()) : std::nullopt));
        QSignalSpy opened(m_hub.get(), &HubEmulator::udpFlowOpened);
        auto u = user();
        QVERIFY(u);
        ControlMessage c;
        const QUuid id = openFlow(*u, "hello", &c);
        QVERIFY(!id.isNull());
        QCOMPARE(id.version(), QUuid::Random);
        QCOMPARE(c.connPort, int(kPort));
        QCOMPARE(c.clientIp, clientIp(*u));
        QCOMPARE(c.transport, QStringLiteral("udp"));
        QCOMPARE(c.hostname, QStringLiteral("udp:53"));
        QVERIFY(!c.isTls);
        QCOMPARE(c.credits, qint64(64));
        QCOMPARE(m_client->waitForPayloads(id, 1), QList<QByteArray>{"hello"});
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).value<QUuid>(), id);
        QCOMPARE(opened.at(0).at(1).value<quint16>(), kPort);
        m_client->sendControl(makePing(id));
        QVERIFY(m_client->waitForControl(ControlEvent::PongClient, 5000, id));
        const HubStats stats = m_hub->stats();
        QCOMPARE(stats.udpFlowsOpened, quint64(1));
        QCOMPARE(stats.udpActiveFlows, 1);
        QCOMPARE(stats.udpDatagramsToClient, quint64(1));
        QCOMPARE(stats.activeStreams, 0); // flows are not TCP streams
    }

    // The [v6]:port form of client_ip.
    void ipv6User() {
        QUdpSocket probe;
        if (!probe.bind(QHostAddress::LocalHostIPv6, 0)) {
            QSKIP("no ::1 on this machine");
        }
        m_address = QHostAddress::LocalHostIPv6;
        startWithBackend();
        auto u = user();
        QVERIFY(u);
        ControlMessage c;
        const QUuid id = openFlow(*u, "v6", &c);
        QVERIFY(!id.isNull());
        QCOMPARE(c.clientIp, QStringLiteral("[::1]:%1").arg(u->localPort()));
        QCOMPARE(m_client->waitForPayloads(id, 1), QList<QByteArray>{"v6"});
        m_client->sendData(id, "back");
        QCOMPARE(receive(*u, 1), QList<QByteArray>{"back"});
    }

    // §8.3: every data message is exactly one datagram, both ways, empty and 32 KiB included;
    // pause_stream has no effect on UDP.
    void oneDatagramPerMessage() {
        startWithBackend();
        auto u = user();
        QVERIFY(u);
        const QList<QByteArray> up = {"a", QByteArray(), pattern(kMaxDataPayload, 1), "bc"};
        send(*u, up.at(0));
        const QUuid id = awaitConnect();
        QVERIFY(!id.isNull());
        m_client->sendControl(makePause(id));
        QVERIFY(m_client->roundTrip());
        for (qsizetype i = 1; i < up.size(); ++i) {
            send(*u, up.at(i));
        }
        QCOMPARE(m_client->waitForPayloads(id, up.size()), up);

        const QList<QByteArray> down = {"x", QByteArray(), pattern(kMaxDataPayload, 5), "yz"};
        for (const QByteArray& d : down) {
            m_client->sendData(id, d);
        }
        QCOMPARE(receive(*u, down.size()), down);
        const HubStats stats = m_hub->stats();
        QCOMPARE(stats.udpDatagramsToClient, quint64(up.size()));
        QCOMPARE(stats.udpDatagramsFromClient, quint64(down.size()));
        QCOMPARE(stats.pausesReceived, quint64(1));
    }

    void twoUsersTwoFlows() {
        startWithBackend();
        auto a = user();
        auto b = user();
        QVERIFY(a && b);
        ControlMessage ca;
        const QUuid idA = openFlow(*a, "from a", &ca);
        ControlMessage cb;
        const QUuid idB = openFlow(*b, "from b", &cb);
        QVERIFY(!idA.isNull() && !idB.isNull());
        QVERIFY(idA != idB);
        QCOMPARE(ca.clientIp, clientIp(*a));
        QCOMPARE(cb.clientIp, clientIp(*b));
        QCOMPARE(m_client->waitForPayloads(idA, 1), QList<QByteArray>{"from a"});
        QCOMPARE(m_client->waitForPayloads(idB, 1), QList<QByteArray>{"from b"});
        // the same address again is the same flow
        send(*a, "again");
        QCOMPARE(m_client->waitForPayloads(idA, 1), QList<QByteArray>{"again"});
        QVERIFY(!m_client->takeControl(ControlEvent::Connect));

        m_client->sendData(idB, "to b");
        m_client->sendData(idA, "to a");
        QCOMPARE(receive(*a, 1), QList<QByteArray>{"to a"});
        QCOMPARE(receive(*b, 1), QList<QByteArray>{"to b"});
        QCOMPARE(m_hub->stats().udpFlowsOpened, quint64(2));
    }

    // Weighted round robin among the sessions claiming udp:P, like TCP routing.
    void weightedRoundRobin() {
        startHub();
        HubClientDriver heavy;
        HubClientDriver light;
        QVERIFY(connectBackend(heavy, udpClaims(QStringLiteral("heavy"), 2)));
        QVERIFY(connectBackend(light, udpClaims(QStringLiteral("light"), 1)));
        QSignalSpy opened(m_hub.get(), &HubEmulator::udpFlowOpened);
        std::vector<std::unique_ptr<QUdpSocket>> users;
        for (int i = 0; i < 3; ++i) {
            users.push_back(user());
            QVERIFY(users.back());
            send(*users.back(), "hi");
        }
        QTRY_COMPARE(opened.count(), 3);
        QTRY_COMPARE(heavy.controls.size() + light.controls.size(), qsizetype(3));
        QCOMPARE(heavy.controls.size(), qsizetype(2));
        QCOMPARE(light.controls.size(), qsizetype(1));
    }

    // §8.3: no datagram *from the user* for the idle timeout -> disconnect; replies do not count;
    // a flow whose user keeps sending stays.
    void idleTimeoutClosesIdleFlowOnly() {
        HubOptions options;
        options.secondUnitMs = 100; // 5 "seconds" = 500 ms
        options.udpIdleCheckMs = 20;
        startWithBackend(options);
        QSignalSpy closed(m_hub.get(), &HubEmulator::udpFlowClosed);
        auto idleUser = user();
        auto busyUser = user();
        QVERIFY(idleUser && busyUser);
        QElapsedTimer since;
        since.start();
        const QUuid idle = openFlow(*idleUser, "once");
        const QUuid busy = openFlow(*busyUser, "0");
        QVERIFY(!idle.isNull() && !busy.isNull());
        // The busy user sends whenever its last datagram arrived; the client keeps replying to
        // the idle user (that must not keep its flow alive).
        int sent = 1;
        QVERIFY(QTest::qWaitFor(
            [&] {
                if (!m_client->payloads.value(busy).isEmpty()) {
                    m_client->payloads.remove(busy);
                    send(*busyUser, QByteArray::number(sent++));
                    m_client->sendData(idle, "reply");
                }
                return closed.count() > 0;
            },
            10000));
        const qint64 elapsed = since.elapsed();
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(0).value<QUuid>(), idle);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("idle"));
        QVERIFY2(elapsed >= 450, qPrintable(QString::number(elapsed)));
        QVERIFY(m_client->waitForControl(ControlEvent::Disconnect, 5000, idle));
        QVERIFY(sent > 1);
        // the busy flow is still the same flow
        send(*busyUser, "still");
        QTRY_VERIFY(m_client->payloads.value(busy).contains("still"));
        QVERIFY(!m_client->takeControl(ControlEvent::Disconnect, busy));
        // the idle user's next datagram opens a new flow
        const QUuid again = openFlow(*idleUser, "back");
        QVERIFY(!again.isNull());
        QVERIFY(again != idle);
        QCOMPARE(m_hub->stats().udpActiveFlows, 2);
    }

    // §8.3: a client disconnect is noticed on the user's next datagram, which is dropped; the
    // datagram after it opens a new flow with a new client_id. The hub answers nothing.
    void clientDisconnectThenDropThenNewFlow() {
        startWithBackend();
        QSignalSpy dropped(m_hub.get(), &HubEmulator::udpDatagramDropped);
        QSignalSpy closed(m_hub.get(), &HubEmulator::udpFlowClosed);
        auto u = user();
        QVERIFY(u);
        const QUuid first = openFlow(*u, "one");
        QVERIFY(!first.isNull());
        QCOMPARE(m_client->waitForPayloads(first, 1), QList<QByteArray>{"one"});
        m_client->sendControl(makeDisconnect(first, QStringLiteral("normal")));
        QVERIFY(m_client->roundTrip());
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("client disconnect"));
        QVERIFY(!m_client->takeControl(ControlEvent::Disconnect, first));

        send(*u, "lost");
        QVERIFY(dropped.wait(5000));
        QCOMPARE(dropped.at(0).at(0).value<quint16>(), kPort);
        QCOMPARE(dropped.at(0).at(1).toString(), QStringLiteral("flow ended"));
        ControlMessage c;
        const QUuid second = openFlow(*u, "three", &c);
        QVERIFY(!second.isNull());
        QVERIFY(second != first);
        QCOMPARE(c.clientIp, clientIp(*u));
        QCOMPARE(m_client->waitForPayloads(second, 1), QList<QByteArray>{"three"});
        QVERIFY(m_client->payloads.value(first).isEmpty());
        const HubStats stats = m_hub->stats();
        QCOMPARE(stats.udpDatagramsDropped, quint64(1));
        QCOMPARE(stats.udpFlowsOpened, quint64(2));
        QCOMPARE(stats.udpActiveFlows, 1);
        QCOMPARE(closed.count(), 1); // the removal on "lost" is not a second close
    }

    // §8.3: a failed write (datagram above udpMaxDatagramBytes) breaks the flow; the client's
    // next datagram for it gets the flow removed with a disconnect (and is not written).
    void failedWriteBreaksFlow() {
        HubOptions options;
        options.udpMaxDatagramBytes = 1000;
        startWithBackend(options);
        QSignalSpy closed(m_hub.get(), &HubEmulator::udpFlowClosed);
        auto u = user();
        QVERIFY(u);
        const QUuid id = openFlow(*u, "hi");
        QVERIFY(!id.isNull());
        m_client->sendData(id, pattern(1000, 3)); // at the limit: written
        QCOMPARE(receive(*u, 1), QList<QByteArray>{pattern(1000, 3)});
        m_client->sendData(id, pattern(1001, 3)); // above: the write fails
        QTRY_COMPARE(m_hub->stats().udpWriteFailures, quint64(1));
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::Disconnect, id)); // not yet
        QCOMPARE(closed.count(), 0);
        m_client->sendData(id, "after");
        QVERIFY(m_client->waitForControl(ControlEvent::Disconnect, 5000, id));
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("write failed"));
        QVERIFY(m_client->roundTrip());
        QVERIFY(!u->hasPendingDatagrams());
        QCOMPARE(m_hub->stats().udpDatagramsFromClient, quint64(1));
        // the user's next datagram opens a new flow
        const QUuid next = openFlow(*u, "new");
        QVERIFY(!next.isNull() && next != id);
    }

    // §7.2: forward credits count datagrams; a flow without credit blocks the whole port (other
    // users' datagrams are not read) until a grant arrives.
    void noCreditBlocksPort() {
        startWithBackend();
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        auto a = user();
        auto b = user();
        QVERIFY(a && b);
        const QUuid idA = openFlow(*a, "a1");
        QVERIFY(!idA.isNull());
        QCOMPARE(m_client->waitForPayloads(idA, 1), QList<QByteArray>{"a1"}); // before any grant
        m_client->sendControl(makeResume(idA, 1));
        QVERIFY(m_client->roundTrip());
        send(*a, "a2");
        QCOMPARE(m_client->waitForPayloads(idA, 1), QList<QByteArray>{"a2"}); // the one credit
        send(*a, "a3");
        QVERIFY(held.wait(5000));
        QCOMPARE(held.at(0).at(0).value<QUuid>(), idA);
        send(*b, "b1");
        QVERIFY(m_client->roundTrip());
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::Connect)); // the port is not read
        QCOMPARE(m_hub->stats().udpFlowsOpened, quint64(1));
        QVERIFY(m_client->payloads.value(idA).isEmpty());

        m_client->sendControl(makeResume(idA, 8));
        QCOMPARE(m_client->waitForPayloads(idA, 1), QList<QByteArray>{"a3"});
        const QUuid idB = awaitConnect();
        QVERIFY(!idB.isNull());
        QCOMPARE(m_client->waitForPayloads(idB, 1), QList<QByteArray>{"b1"});
        QCOMPARE(m_hub->stats().maxForwardOutstanding, qint64(7)); // 9 granted, 2 counted
    }

    // A grant that never comes: the blocked flow ends after its idle timeout (its held datagram
    // is dropped) and the port reads again.
    void noCreditFlowEndsAndUnblocksPort() {
        HubOptions options;
        options.secondUnitMs = 20; // 5 "seconds" = 100 ms
        options.udpIdleCheckMs = 10;
        startWithBackend(options);
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        QSignalSpy closed(m_hub.get(), &HubEmulator::udpFlowClosed);
        QSignalSpy dropped(m_hub.get(), &HubEmulator::udpDatagramDropped);
        auto a = user();
        auto b = user();
        QVERIFY(a && b);
        const QUuid idA = openFlow(*a, "a1");
        QVERIFY(!idA.isNull());
        m_client->sendControl(makeResume(idA, 1));
        QVERIFY(m_client->roundTrip());
        send(*a, "a2");
        send(*a, "a3");
        QVERIFY(held.wait(5000));
        send(*b, "b1");
        QVERIFY(m_client->waitForControl(ControlEvent::Disconnect, 5000, idA));
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("idle"));
        QCOMPARE(dropped.count(), 1);
        QCOMPARE(dropped.at(0).at(1).toString(), QStringLiteral("flow closed"));
        const QUuid idB = awaitConnect();
        QVERIFY(!idB.isNull());
        QCOMPARE(m_client->waitForPayloads(idB, 1), QList<QByteArray>{"b1"});
        QCOMPARE(m_client->waitForPayloads(idA, 2), (QList<QByteArray>{"a1", "a2"}));
    }

    // §7.2 reverse: one credit per datagram; resume_stream{credits:8} per 8 datagrams written;
    // datagrams beyond the client's credits are counted as overdrafts.
    void reverseGrantsAndOverdrafts() {
        HubOptions options;
        options.initialCredits = 4;
        startWithBackend(options);
        auto u = user();
        QVERIFY(u);
        ControlMessage c;
        const QUuid id = openFlow(*u, "hi", &c);
        QCOMPARE(c.credits, qint64(4));
        for (int i = 0; i < 16; ++i) {
            m_client->sendData(id, QByteArray::number(i));
        }
        const QList<QByteArray> got = receive(*u, 16);
        QCOMPARE(got.size(), 16);
        QCOMPARE(got.last(), QByteArray("15"));
        const auto g1 = m_client->waitForControl(ControlEvent::ResumeStream, 5000, id);
        const auto g2 = m_client->waitForControl(ControlEvent::ResumeStream, 5000, id);
        QVERIFY(g1 && g2);
        QCOMPARE(g1->credits, qint64(8));
        QCOMPARE(g2->credits, qint64(8));
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::ResumeStream, id));
        // 4 initial + 8 granted after the 8th write: datagrams 5..8 overdrew, 9..12 did not
        // (the grant came before them), 13..16 overdrew again.
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(8));
        QCOMPARE(m_hub->stats().reverseGrantsSent, quint64(2));
    }

    // §7.3 old hub (initialCredits 0): no credits on connect, a grant is only a resume (the
    // port never blocks), no reverse grants.
    void oldHubHasNoCredits() {
        HubOptions options;
        options.initialCredits = 0;
        startWithBackend(options);
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        auto u = user();
        QVERIFY(u);
        ControlMessage c;
        const QUuid id = openFlow(*u, "1", &c);
        QCOMPARE(c.credits, qint64(0));
        m_client->sendControl(makeResume(id, 1));
        QVERIFY(m_client->roundTrip());
        send(*u, "2");
        send(*u, "3");
        QCOMPARE(m_client->waitForPayloads(id, 3), (QList<QByteArray>{"1", "2", "3"}));
        for (int i = 0; i < 8; ++i) {
            m_client->sendData(id, "r");
        }
        QCOMPARE(receive(*u, 8).size(), 8);
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::ResumeStream, id));
        QCOMPARE(held.count(), 0);
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
    }

    // §8.3: no session claims udp:P -> the datagram is dropped (counted, signalled).
    void noClaimingSessionDrops() {
        startWithBackend(); // claims 53 only
        QSignalSpy dropped(m_hub.get(), &HubEmulator::udpDatagramDropped);
        auto u = user();
        QVERIFY(u);
        send(*u, "nobody", kOtherPort);
        QVERIFY(dropped.wait(5000));
        QCOMPARE(dropped.at(0).at(0).value<quint16>(), kOtherPort);
        QCOMPARE(dropped.at(0).at(1).toString(), QStringLiteral("no route"));
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::Connect));
        QCOMPARE(m_hub->stats().udpDatagramsDropped, quint64(1));
        QCOMPARE(m_hub->stats().udpFlowsOpened, quint64(0));
        // the claimed port on the same hub works
        send(*u, "somebody");
        QVERIFY(!awaitConnect().isNull());
    }

    // §8.3: beyond udpMaxFlows the oldest flow is evicted (disconnect to the client).
    void evictionBeyondMaxFlows() {
        HubOptions options;
        options.udpMaxFlows = 2;
        startWithBackend(options);
        QSignalSpy closed(m_hub.get(), &HubEmulator::udpFlowClosed);
        auto a = user();
        auto b = user();
        auto c = user();
        QVERIFY(a && b && c);
        const QUuid idA = openFlow(*a, "a");
        const QUuid idB = openFlow(*b, "b");
        QVERIFY(!idA.isNull() && !idB.isNull());
        QCOMPARE(closed.count(), 0);
        const QUuid idC = openFlow(*c, "c");
        QVERIFY(!idC.isNull());
        QVERIFY(m_client->waitForControl(ControlEvent::Disconnect, 5000, idA));
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(0).value<QUuid>(), idA);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("evicted"));
        QCOMPARE(m_client->waitForPayloads(idC, 1), QList<QByteArray>{"c"});
        QVERIFY(!m_client->takeControl(ControlEvent::Disconnect, idB));
        const HubStats stats = m_hub->stats();
        QCOMPARE(stats.udpFlowsEvicted, quint64(1));
        QCOMPARE(stats.udpActiveFlows, 2);
    }

    // §6.4: the session's end ends its flows; the port then has no route.
    void sessionEndEndsFlows() {
        startWithBackend();
        QSignalSpy closed(m_hub.get(), &HubEmulator::udpFlowClosed);
        QSignalSpy dropped(m_hub.get(), &HubEmulator::udpDatagramDropped);
        auto a = user();
        auto b = user();
        QVERIFY(a && b);
        const QUuid idA = openFlow(*a, "a");
        const QUuid idB = openFlow(*b, "b");
        QVERIFY(!idA.isNull() && !idB.isNull());
        m_client->socket().abort();
        QTRY_COMPARE(closed.count(), 2);
        for (const auto& args : std::as_const(closed)) {
            QCOMPARE(args.at(1).toString(), QStringLiteral("session ended"));
        }
        QCOMPARE(m_hub->stats().udpActiveFlows, 0);
        send(*a, "late");
        QVERIFY(dropped.wait(5000));
        QCOMPARE(dropped.at(0).at(1).toString(), QStringLiteral("no route"));
    }
};

QTEST_MAIN(TestHubUdp)
#include "tst_hub_udp.moc"
