// UDP flows (protocol.md §8.3, §7.2) through a StreamMultiplexer and a recording MuxLink, against
// real local UDP services on 127.0.0.1: datagram boundaries both ways (empty and 32 768-byte ones
// included), forward credits per datagram written or dropped, datagrams buffered during the dial
// up to the bound, reverse credits and a bounded queue under a storm while another flow keeps
// flowing, an ICMP refusal (logged once, counted, the flow stays), the idle timeout, routing
// through the connect handler (Transport::Udp) and PortRouter's `udp:N`, and hub `disconnect`.
#include <QBuffer>
#include <QPointer>
#include <QRegularExpression>
#include <QUdpSocket>
#include <QtTest>

#include "RecordingLink.h"
#include "UdpEchoServer.h"
#include "protocol/Frame.h"
#include "relay/StreamMultiplexer.h"
#include "relay/UdpFlow.h"

using namespace nexustray;
using protocol::ControlEvent;
using protocol::ControlMessage;
using test::RecordingLink;

namespace {

constexpr int kUdpPort = 5353; // the hub's UDP relay port claimed by the backend

QByteArray udpConnect(const QUuid& id, qint64 credits = 64, int port = kUdpPort) {
    ControlMessage c;
    c.event = ControlEvent::Connect;
    c.clientId = id;
    c.connPort = port;
    c.clientIp = QStringLiteral("198.51.100.9:40000");
    c.hostname = QStringLiteral("udp:%1").arg(port);
    c.transport = QStringLiteral("udp");
    c.credits = credits;
    return protocol::encodeControl(c);
}

QByteArray control(ControlEvent event, const QUuid& id, qint64 credits = 0) {
    ControlMessage c;
    c.event = event;
    c.clientId = id;
    c.credits = credits;
    return protocol::encodeControl(c);
}

QByteArray data(const QUuid& id, const QByteArray& payload) {
    return protocol::encodeData(id, QByteArrayView(payload));
}

// The latest snapshot of every channel of a multiplexer (emitDirtyStreams() publishes the changed
// ones; the tracker remembers the rest).
class Snapshots : public QObject {
public:
    explicit Snapshots(StreamMultiplexer& mux)
        : m_mux(mux) {
        connect(&mux, &StreamMultiplexer::streamChanged, this,
                [this](const StreamSnapshot& s) { m_latest.insert(s.clientId, s); });
    }
    StreamSnapshot operator()(const QUuid& id) {
        m_mux.emitDirtyStreams();
        return m_latest.value(id);
    }

private:
    StreamMultiplexer& m_mux;
    QHash<QUuid, StreamSnapshot> m_latest;
};

// A UDP port on 127.0.0.1 with nobody listening: datagrams to it come back as ICMP unreachable.
quint16 closedUdpPort() {
    QUdpSocket probe;
    if (!probe.bind(QHostAddress::LocalHost, 0))
        return 0;
    return probe.localPort(); // closed when `probe` goes
}

} // namespace

class TestUdpFlow : public QObject {
    Q_OBJECT

    test::UdpEchoServer m_echo;

    StreamMultiplexer::Settings settings(quint16 targetPort = 0) const {
        StreamMultiplexer::Settings s;
        s.sessionId = QStringLiteral("backend#1");
        s.backendName = QStringLiteral("backend");
        s.relayUrl = QStringLiteral("ws://127.0.0.1:1/");
        PortMapping mapping;
        mapping.defaultTarget =
            QStringLiteral("127.0.0.1:%1").arg(targetPort ? targetPort : m_echo.port());
        s.router = PortRouter({{kUdpPort, mapping}});
        return s;
    }

private Q_SLOTS:
    void initTestCase() {
        qRegisterMetaType<nexustray::StreamSnapshot>();
        QVERIFY(m_echo.listen());
    }

    void datagramBoundariesAreKeptBothWays() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Snapshots snapshotOf(mux);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(udpConnect(id));
        QCOMPARE(mux.streamCount(), 1);
        QCOMPARE(link.controls(ControlEvent::ResumeStream, id).front().credits, qint64(64));
        const int before = m_echo.datagramsReceived();

        const QList<QByteArray> payloads = {QByteArray("a"), QByteArray(), QByteArray("bc"),
                                            QByteArray(protocol::kMaxDataPayload, 'x'),
                                            QByteArray("tail")};
        for (const QByteArray& p : payloads)
            mux.onHubMessage(data(id, p));
        QTRY_COMPARE(m_echo.datagramsReceived(), before + payloads.size());
        const QList<qsizetype> sizes = m_echo.sizesReceived().mid(before);
        QCOMPARE(sizes, (QList<qsizetype>{1, 0, 2, protocol::kMaxDataPayload, 4}));
        // each echoed datagram is one data message, never merged or split
        QTRY_COMPARE(link.dataMessagesFor(id), payloads);

        const StreamSnapshot s = snapshotOf(id);
        QCOMPARE(s.kind, StreamKind::Udp);
        QCOMPARE(s.state, StreamState::Open);
        QCOMPARE(s.datagramsIn, quint64(5));
        QCOMPARE(s.datagramsOut, quint64(5));
        QCOMPARE(s.datagramsDropped, quint64(0));
        QCOMPARE(s.bytesIn, quint64(7 + protocol::kMaxDataPayload));
        QCOMPARE(s.bytesOut, s.bytesIn);
        QCOMPARE(s.hostname, QStringLiteral("udp:%1").arg(kUdpPort));
    }

    void localDatagramAboveTheLimitIsDroppedNotFatal() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Snapshots snapshotOf(mux);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(udpConnect(id));
        mux.onHubMessage(data(id, "hello"));
        QTRY_COMPARE(link.dataMessagesFor(id).size(), 1); // the echo knows the flow's address now
        QVERIFY(m_echo.blast(1, QByteArray(protocol::kMaxDataPayload + 1, 'y')));
        QVERIFY(m_echo.blast(1, "after"));
        QTRY_COMPARE(link.dataMessagesFor(id).size(), 2);
        QCOMPARE(link.dataMessagesFor(id).last(), QByteArray("after"));
        QCOMPARE(snapshotOf(id).datagramsDropped, quint64(1));
        QCOMPARE(mux.streamCount(), 1);
        QVERIFY(link.controls(ControlEvent::Disconnect, id).empty());
    }

    void earlyDatagramsAreBufferedToTheBoundAndCreditsComeBackPerDatagram() {
        RecordingLink link;
        StreamMultiplexer::Settings s = settings();
        PortMapping byName; // a name: the flow waits for its lookup before the socket connects
        byName.defaultTarget = QStringLiteral("localhost:%1").arg(m_echo.port());
        s.router = PortRouter({{kUdpPort, byName}});
        StreamMultiplexer mux(s, &link);
        Snapshots snapshotOf(mux);
        const QUuid id = QUuid::createUuid();
        const int before = m_echo.datagramsReceived();
        mux.onHubMessage(udpConnect(id));
        // Still resolving the name: 64 are kept, 6 dropped.
        const int sent = UdpFlow::kEarlyLimit + 6;
        for (int i = 0; i < sent; ++i)
            mux.onHubMessage(data(id, QByteArray::number(i)));
        QTRY_COMPARE(m_echo.datagramsReceived(), before + UdpFlow::kEarlyLimit);
        QTRY_COMPARE(snapshotOf(id).datagramsIn, quint64(UdpFlow::kEarlyLimit));
        QCOMPARE(snapshotOf(id).datagramsDropped, quint64(6));
        // the grant of 64, then one credit per datagram written or dropped, in batches of 8
        QCOMPARE(link.creditsReturned(id), qint64(64 + 64));
        mux.onHubMessage(data(id, "x"));
        mux.onHubMessage(data(id, "y"));
        QTRY_COMPARE(link.creditsReturned(id), qint64(64 + 72));
    }

    void reverseWaitsForCreditAndAStormStaysBoundedWhileAnotherFlowFlows() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Snapshots snapshotOf(mux);
        const QUuid storm = QUuid::createUuid();
        const QUuid calm = QUuid::createUuid();
        mux.onHubMessage(udpConnect(storm, 4)); // the hub allows 4 messages back
        mux.onHubMessage(udpConnect(calm));
        mux.onHubMessage(data(storm, "hello"));
        QTRY_COMPARE(link.dataMessagesFor(storm).size(), 1);

        // 1 echo + 116 blasted = 117 datagrams: 4 go with credit, at most 64 wait, the rest (at
        // least 49) are dropped; how many of the 4 left before the queue filled depends on when
        // the send queue ran.
        const int total = 117;
        QVERIFY(m_echo.blast(total - 1, QByteArray(16, 's')));
        QTRY_VERIFY(snapshotOf(storm).datagramsDropped >=
                    quint64(total - 4 - UdpFlow::kReverseQueueLimit));
        QTRY_COMPARE(link.dataMessagesFor(storm).size(), 4);
        QCOMPARE(mux.streamCount(), 2);

        // the other flow is not held up
        mux.onHubMessage(data(calm, "calm"));
        QTRY_COMPARE(link.dataMessagesFor(calm), QList<QByteArray>{QByteArray("calm")});

        // credit releases exactly that many queued datagrams
        mux.onHubMessage(control(ControlEvent::ResumeStream, storm, 8));
        QTRY_COMPARE(link.dataMessagesFor(storm).size(), 12);
        // plenty of credit drains the queue: every datagram was either sent or dropped, and no
        // more than the queue's bound waited
        mux.onHubMessage(control(ControlEvent::ResumeStream, storm, 1000));
        QTRY_COMPARE(snapshotOf(storm).datagramsOut + snapshotOf(storm).datagramsDropped,
                     quint64(total));
        QVERIFY(link.dataMessagesFor(storm).size() <= 4 + UdpFlow::kReverseQueueLimit);

        // a congested WebSocket holds the replies back; draining it lets them go
        link.unsent = 2 * 1024 * 1024;
        mux.onHubMessage(data(calm, "later"));
        QTRY_COMPARE(m_echo.sizesReceived().last(), qsizetype(5));
        QCoreApplication::processEvents(); // the echo's reply is read and queued, not sent
        QCOMPARE(link.dataMessagesFor(calm).size(), 1);
        link.unsent = 0;
        QTRY_VERIFY((mux.onLinkWritten(), link.dataMessagesFor(calm).size() == 2));
    }

    void icmpRefusalIsLoggedOnceCountedAndTheFlowStays() {
        const quint16 closed = closedUdpPort();
        QVERIFY(closed != 0);
        RecordingLink link;
        StreamMultiplexer mux(settings(closed), &link);
        Snapshots snapshotOf(mux);
        const QUuid id = QUuid::createUuid();
        const QRegularExpression refused(QStringLiteral("refused a datagram"));
        QTest::ignoreMessage(QtWarningMsg, refused);
        QTest::failOnWarning(refused); // a second line for the same flow fails the test
        mux.onHubMessage(udpConnect(id));
        mux.onHubMessage(data(id, "one"));
        QTRY_COMPARE(snapshotOf(id).datagramsDropped, quint64(1));
        mux.onHubMessage(data(id, "two"));
        QTRY_COMPARE(snapshotOf(id).datagramsDropped, quint64(2));
        QCOMPARE(mux.streamCount(), 1);
        QCOMPARE(snapshotOf(id).state, StreamState::Open);
        QVERIFY(link.controls(ControlEvent::Disconnect, id).empty());
        // dropped datagrams still give their credit back: 2 so far, below the batch of 8
        for (int i = 0; i < 6; ++i)
            mux.onHubMessage(data(id, "more"));
        QTRY_COMPARE(link.creditsReturned(id), qint64(64 + 8));
    }

    void idleFlowIsClosedWithTimeout() {
        StreamMultiplexer::Settings s = settings();
        s.udpIdleTimeoutMs = 300;
        RecordingLink link;
        StreamMultiplexer mux(s, &link);
        Snapshots snapshotOf(mux);
        QSignalSpy closed(&mux, &StreamMultiplexer::streamClosed);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(udpConnect(id));
        mux.onHubMessage(data(id, "ping"));
        QTRY_COMPARE(link.dataMessagesFor(id).size(), 1);
        QVERIFY(link.controls(ControlEvent::Disconnect, id).empty());
        QTRY_COMPARE(link.controls(ControlEvent::Disconnect, id).size(), size_t(1));
        QCOMPARE(link.controls(ControlEvent::Disconnect, id).front().reason,
                 QStringLiteral("timeout"));
        QCOMPARE(mux.streamCount(), 0);
        QTRY_COMPARE(closed.size(), 1);
        QCOMPARE(closed.first().at(0).value<StreamSnapshot>().closeReason,
                 QStringLiteral("timeout"));
        QCOMPARE(closed.first().at(0).value<StreamSnapshot>().kind, StreamKind::Udp);
    }

    void connectHandlerRoutesAndRefusesUdpFlows() {
        StreamMultiplexer::Settings s = settings(closedUdpPort()); // the router's target is dead
        QList<ConnectRequest> asked;
        QPointer<QBuffer> device;
        const quint16 echoPort = m_echo.port();
        s.connectHandler = [&](const ConnectRequest& r) {
            asked.append(r);
            if (r.clientIp.endsWith(QLatin1String(":1")))
                return ConnectDecision::dial(QStringLiteral("localhost:%1").arg(echoPort));
            if (r.clientIp.endsWith(QLatin1String(":2")))
                return ConnectDecision::refuse();
            if (r.clientIp.endsWith(QLatin1String(":3"))) {
                device = new QBuffer;
                device->open(QIODevice::ReadWrite);
                return ConnectDecision::useDevice(device);
            }
            return ConnectDecision::noRoute();
        };
        RecordingLink link;
        StreamMultiplexer mux(s, &link);
        Snapshots snapshotOf(mux);
        const auto open = [&](int n) {
            ControlMessage c = protocol::decodeMessage(udpConnect(QUuid::createUuid())).control;
            c.clientIp = QStringLiteral("198.51.100.9:%1").arg(n);
            mux.onHubMessage(protocol::encodeControl(c));
            return c.clientId;
        };

        const QUuid dialled = open(1); // dial: a UDP socket to the handler's target
        QCOMPARE(asked.last().transport, Transport::Udp);
        QCOMPARE(asked.last().hostname, QStringLiteral("udp:%1").arg(kUdpPort));
        QCOMPARE(asked.last().port, kUdpPort);
        mux.onHubMessage(data(dialled, "via handler"));
        QTRY_COMPARE(link.dataMessagesFor(dialled), QList<QByteArray>{"via handler"});

        const QUuid refused = open(2);
        QCOMPARE(link.controls(ControlEvent::Disconnect, refused).front().reason,
                 QStringLiteral("dial_failed"));

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("device")));
        const QUuid withDevice = open(3);
        QCOMPARE(link.controls(ControlEvent::Disconnect, withDevice).front().reason,
                 QStringLiteral("dial_failed"));
        QTRY_VERIFY(device.isNull()); // the flow did not take it, so it is deleted

        const QUuid routed = open(4); // no route from the handler: PortRouter's udp:N default
        QCOMPARE(asked.size(), 4);
        QCOMPARE(mux.streamCount(), 2);
        QVERIFY(link.controls(ControlEvent::Disconnect, routed).empty());
        QCOMPARE(snapshotOf(routed).target,
                 *s.router.resolve(kUdpPort, QStringLiteral("udp:%1").arg(kUdpPort)));
    }

    void udpFlowWithoutARouteIsRefused() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Snapshots snapshotOf(mux);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(udpConnect(id, 64, 9999));
        QCOMPARE(link.controls(ControlEvent::Disconnect, id).front().reason,
                 QStringLiteral("dial_failed"));
        QCOMPARE(mux.streamCount(), 0);
    }

    void hubDisconnectClosesTheFlow() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Snapshots snapshotOf(mux);
        QSignalSpy closed(&mux, &StreamMultiplexer::streamClosed);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(udpConnect(id));
        mux.onHubMessage(data(id, "x"));
        QTRY_COMPARE(link.dataMessagesFor(id).size(), 1);
        mux.onHubMessage(control(ControlEvent::Disconnect, id));
        QCOMPARE(mux.streamCount(), 0);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.first().at(0).value<StreamSnapshot>().closeReason,
                 QStringLiteral("closed_by_hub"));
        QVERIFY(link.controls(ControlEvent::Disconnect, id).empty()); // nothing sent back
        // data still in flight for it is dropped silently
        const size_t sentBefore = link.sent.size();
        mux.onHubMessage(data(id, "late"));
        QCOMPARE(link.sent.size(), sentBefore);
    }

    void closeAllEndsFlowsToo() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Snapshots snapshotOf(mux);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(udpConnect(id));
        QVERIFY(mux.closeStream(id));
        QCOMPARE(link.controls(ControlEvent::Disconnect, id).front().reason,
                 QStringLiteral("normal"));
        const QUuid other = QUuid::createUuid();
        mux.onHubMessage(udpConnect(other));
        mux.closeAll(true);
        QCOMPARE(link.controls(ControlEvent::Disconnect, other).front().reason,
                 QStringLiteral("shutdown"));
        QCOMPARE(mux.streamCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestUdpFlow)
#include "tst_udpflow.moc"
