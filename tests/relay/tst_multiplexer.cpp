// StreamMultiplexer on its own, through a recording MuxLink (no WebSocket, no session): a hub
// `connect` routed through PortRouter to a real local echo service and the data both ways, data for
// an unknown id (one `disconnect`/`unknown` per id, bounded memory of closed ids), the fair round
// robin of the send queue and its back-pressure, health pings, closing every stream when the
// connection ends, and the PROXY header (TCP streams of a mapping with proxyProtocol, never UDP).
#include <QBuffer>
#include <QPointer>
#include <QtTest>

#include <vector>

#include "EchoServer.h"
#include "RecordingLink.h"
#include "UdpEchoServer.h"
#include "protocol/Frame.h"
#include "relay/StreamMultiplexer.h"

using namespace nexustray;
using protocol::ControlEvent;
using protocol::ControlMessage;
using protocol::DecodedMessage;
using test::RecordingLink;

namespace {

constexpr int kPort = 443;

QByteArray connectMessage(const QUuid& id, const QString& transport = QString()) {
    ControlMessage c;
    c.event = ControlEvent::Connect;
    c.clientId = id;
    c.connPort = kPort;
    c.clientIp = QStringLiteral("198.51.100.7:50000");
    c.hostname = QStringLiteral("app.test");
    c.transport = transport;
    c.credits = 64;
    return protocol::encodeControl(c);
}

QByteArray disconnectMessage(const QUuid& id) {
    ControlMessage c;
    c.event = ControlEvent::Disconnect;
    c.clientId = id;
    return protocol::encodeControl(c);
}

// A connect handler that answers every connect with a device holding `bytes`, readable as soon as
// it is attached.
ConnectHandler answerWithBuffer(const QByteArray& bytes) {
    return [bytes](const ConnectRequest&) {
        auto* device = new QBuffer;
        device->setData(bytes);
        device->open(QIODevice::ReadOnly);
        return ConnectDecision::useDevice(device);
    };
}

} // namespace

class TestMultiplexer : public QObject {
    Q_OBJECT

    test::EchoServer m_echo;

    StreamMultiplexer::Settings settings() const {
        StreamMultiplexer::Settings s;
        s.sessionId = QStringLiteral("backend#0");
        s.backendName = QStringLiteral("backend");
        s.relayUrl = QStringLiteral("ws://127.0.0.1:1/");
        PortMapping mapping;
        mapping.defaultTarget = QStringLiteral("127.0.0.1:%1").arg(m_echo.port());
        s.router = PortRouter({{kPort, mapping}});
        return s;
    }

    // kPort mapped to 127.0.0.1:`port` with `version`; the relay is at `relay`.
    StreamMultiplexer::Settings proxyHeaderSettings(quint16 port, ProxyProtocol version,
                                                    const QHostAddress& relay) const {
        StreamMultiplexer::Settings s = settings();
        PortMapping mapping;
        mapping.defaultTarget = QStringLiteral("127.0.0.1:%1").arg(port);
        mapping.proxyProtocol = version;
        s.router = PortRouter({{kPort, mapping}});
        s.relayAddress = relay;
        return s;
    }

private Q_SLOTS:
    void initTestCase() {
        qRegisterMetaType<nexustray::StreamSnapshot>();
        QVERIFY(m_echo.listen());
    }

    void connectIsRoutedToTheLocalServiceAndDataFlowsBothWays() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        QSignalSpy changed(&mux, &StreamMultiplexer::streamChanged);
        const QUuid id = QUuid::createUuid();
        const int connectionsBefore = m_echo.connectionCount();

        mux.onHubMessage(connectMessage(id));
        QCOMPARE(mux.streamCount(), 1);
        // forward credit goes out first, before the dial completes (protocol.md §6.1)
        const auto resumes = link.controls(ControlEvent::ResumeStream, id);
        QCOMPARE(resumes.size(), size_t(1));
        QCOMPARE(resumes.front().credits, qint64(64));
        QTRY_COMPARE(m_echo.connectionCount(), connectionsBefore + 1);

        mux.onHubMessage(protocol::encodeData(id, QByteArrayView("hello, echo")));
        QTRY_COMPARE(link.dataFor(id), QByteArray("hello, echo"));
        QCOMPARE(mux.bytesIn(), quint64(11));
        QCOMPARE(mux.bytesOut(), quint64(11));

        QVERIFY(mux.emitDirtyStreams());
        QVERIFY(!changed.isEmpty());
        const auto snapshot = changed.last().at(0).value<StreamSnapshot>();
        QCOMPARE(snapshot.clientId, id);
        QCOMPARE(snapshot.sessionId, QStringLiteral("backend#0"));
        QCOMPARE(snapshot.state, StreamState::Open);
        QCOMPARE(snapshot.bytesIn, quint64(11));
        QVERIFY(!mux.emitDirtyStreams()); // nothing changed since
    }

    // A mapping with proxyProtocol: the TCP stream's local service gets the header first (the
    // echo sends it back), source = client_ip, destination = Settings::relayAddress + conn_port.
    void tcpStreamGetsTheProxyHeaderFirst() {
        RecordingLink link;
        StreamMultiplexer mux(proxyHeaderSettings(m_echo.port(), ProxyProtocol::V1,
                                                  QHostAddress(QStringLiteral("192.0.2.10"))),
                              &link);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(connectMessage(id));
        mux.onHubMessage(protocol::encodeData(id, QByteArrayView("early")));
        QTRY_COMPARE(link.dataFor(id),
                     QByteArray("PROXY TCP4 198.51.100.7 192.0.2.10 50000 443\r\nearly"));
        QCOMPARE(mux.bytesIn(), quint64(5)); // the header is no hub data
    }

    // UDP flows never get a header, whatever the port's mapping says.
    void udpFlowGetsNoProxyHeader() {
        test::UdpEchoServer udpEcho;
        QVERIFY(udpEcho.listen());
        RecordingLink link;
        StreamMultiplexer mux(proxyHeaderSettings(udpEcho.port(), ProxyProtocol::V2,
                                                  QHostAddress(QHostAddress::LocalHost)),
                              &link);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(connectMessage(id, QStringLiteral("udp")));
        mux.onHubMessage(protocol::encodeData(id, QByteArrayView("datagram")));
        QTRY_COMPARE(link.dataMessagesFor(id), QList<QByteArray>{QByteArray("datagram")});
        QCOMPARE(udpEcho.sizesReceived(), QList<qsizetype>{8});
    }

    void dataForAnUnknownIdIsAnsweredOncePerId() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        const QUuid id = QUuid::createUuid();
        for (int i = 0; i < 3; ++i)
            mux.onHubMessage(protocol::encodeData(id, QByteArrayView("stray")));
        const auto disconnects = link.controls(ControlEvent::Disconnect, id);
        QCOMPARE(disconnects.size(), size_t(1));
        QCOMPARE(disconnects.front().reason, QStringLiteral("unknown"));
        QCOMPARE(link.sent.size(), size_t(1));
        QCOMPARE(mux.streamCount(), 0);
    }

    void dataInFlightForAClosedStreamIsDroppedSilently() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        QSignalSpy closed(&mux, &StreamMultiplexer::streamClosed);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(connectMessage(id));
        QTRY_COMPARE(link.controls(ControlEvent::ResumeStream, id).size(), size_t(1));
        mux.onHubMessage(disconnectMessage(id));
        QCOMPARE(mux.streamCount(), 0);
        QTRY_COMPARE(closed.size(), 1);
        const size_t sentBefore = link.sent.size();
        mux.onHubMessage(protocol::encodeData(id, QByteArrayView("late")));
        QCOMPARE(link.sent.size(), sentBefore); // no disconnect/unknown for a stream we closed
    }

    void closedIdMemoryIsBounded() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        const QUuid first = QUuid::createUuid();
        mux.onHubMessage(protocol::encodeData(first, QByteArrayView()));
        for (int i = 0; i < 4096; ++i)
            mux.onHubMessage(protocol::encodeData(QUuid::createUuid(), QByteArrayView()));
        QCOMPARE(link.controls(ControlEvent::Disconnect).size(), size_t(4097));
        // 4096 newer ids pushed the first one out of the memory: it is answered again
        mux.onHubMessage(protocol::encodeData(first, QByteArrayView()));
        QCOMPARE(link.controls(ControlEvent::Disconnect, first).size(), size_t(2));
    }

    void badMessagesAreIgnored() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        mux.onHubMessage(QByteArray());
        mux.onHubMessage(QByteArray::fromHex("07"));
        mux.onHubMessage(QByteArray::fromHex("01 6f 1c"));
        mux.onHubMessage(QByteArray("\x02{\"event\":", 11));
        QCOMPARE(link.sent.size(), size_t(0));
        QCOMPARE(mux.streamCount(), 0);
    }

    void sendQueueIsAFairRoundRobinAndWaitsForTheLink() {
        // Two streams whose local devices hold 40 messages each, ready at once.
        StreamMultiplexer::Settings s = settings();
        s.connectHandler = answerWithBuffer(QByteArray(40 * protocol::kMaxDataPayload, 'x'));
        RecordingLink link;
        link.unsent = 2 * 1024 * 1024; // congested: nothing may be sent
        StreamMultiplexer mux(s, &link);
        const QUuid a = QUuid::createUuid();
        const QUuid b = QUuid::createUuid();
        mux.onHubMessage(connectMessage(a));
        mux.onHubMessage(connectMessage(b));
        QCOMPARE(mux.streamCount(), 2);
        QCoreApplication::processEvents(); // the pump runs and finds the link congested
        QVERIFY(link.dataIds().isEmpty());

        link.unsent = 0;
        mux.onLinkWritten(); // drained below the low mark: the queue resumes
        const QList<QUuid> ids = link.dataIds();
        QCOMPARE(ids.size(), 80);
        // round robin: at most 4 messages of one stream, then the other's turn
        for (int i = 0; i < ids.size(); ++i)
            QCOMPARE(ids.at(i), (i / 4) % 2 == 0 ? a : b);
        QCOMPARE(mux.bytesOut(), quint64(80) * protocol::kMaxDataPayload);
    }

    // Issue 10: a stream's local bytes leave in the pass that read them when no other stream
    // waits (one turn at once, then the link is flushed); a stream that becomes ready while
    // another waits goes through the fair pass of the turn, as before.
    void aLoneStreamSendsInThePassThatReadItsBytes() {
        StreamMultiplexer::Settings s = settings();
        s.connectHandler = answerWithBuffer("request");
        RecordingLink link;
        StreamMultiplexer mux(s, &link);
        const QUuid a = QUuid::createUuid();
        mux.onHubMessage(connectMessage(a));
        // No event-loop pass since the connect: sent, and flushed after it.
        QCOMPARE(link.dataFor(a), QByteArray("request"));
        QVERIFY(link.flushes > 0);
        QCOMPARE(link.sentAtLastFlush, link.sent.size());
    }

    void streamsReadyTogetherShareTheFairPass() {
        StreamMultiplexer::Settings s = settings();
        s.connectHandler = answerWithBuffer(QByteArray(40 * protocol::kMaxDataPayload, 'x'));
        RecordingLink link;
        StreamMultiplexer mux(s, &link);
        const QUuid a = QUuid::createUuid();
        const QUuid b = QUuid::createUuid();
        mux.onHubMessage(connectMessage(a)); // alone: its first turn at once
        QCOMPARE(link.dataIds(), QList<QUuid>(4, a));
        mux.onHubMessage(connectMessage(b)); // a still waits: b joins the pass of this turn
        QCOMPARE(link.dataIds().size(), 4);
        QTRY_COMPARE(link.dataIds().size(), 80);
        QCOMPARE(link.sentAtLastFlush, link.sent.size());
        // after a's first turn, the round robin: 4 of a, 4 of b, ...; a ends first
        const QList<QUuid> ids = link.dataIds();
        for (int i = 4; i < 76; ++i)
            QCOMPARE(ids.at(i), ((i - 4) / 4) % 2 == 0 ? a : b);
        for (int i = 76; i < 80; ++i)
            QCOMPARE(ids.at(i), b);
    }

    void idleStreamsArePinged() {
        StreamMultiplexer::Settings s = settings();
        s.healthChecks.enabled = true;
        s.healthChecks.inactivityTimeoutSeconds = 0;
        RecordingLink link;
        StreamMultiplexer mux(s, &link);
        const QUuid id = QUuid::createUuid();
        mux.onHubMessage(connectMessage(id));
        QTRY_VERIFY((mux.checkHealth(), !link.controls(ControlEvent::PingClient, id).empty()));
    }

    void closeAllTellsTheHubAboutEveryStream() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        QSignalSpy closed(&mux, &StreamMultiplexer::streamClosed);
        const QUuid a = QUuid::createUuid();
        const QUuid b = QUuid::createUuid();
        mux.onHubMessage(connectMessage(a));
        mux.onHubMessage(connectMessage(b));
        QTRY_COMPARE(m_echo.openConnections(), 2);

        mux.closeAll(true);
        QCOMPARE(mux.streamCount(), 0);
        QCOMPARE(link.controls(ControlEvent::Disconnect, a).front().reason,
                 QStringLiteral("shutdown"));
        QCOMPARE(link.controls(ControlEvent::Disconnect, b).front().reason,
                 QStringLiteral("shutdown"));
        QTRY_COMPARE(closed.size(), 2);
        QTRY_COMPARE(m_echo.openConnections(), 0);
    }

    void closeAllWithoutTheHubSendsNothingAndRetiredGoesAway() {
        RecordingLink link;
        QPointer<StreamMultiplexer> mux = new StreamMultiplexer(settings(), &link);
        QSignalSpy closed(mux.data(), &StreamMultiplexer::streamClosed);
        const QUuid id = QUuid::createUuid();
        mux->onHubMessage(connectMessage(id));
        QTRY_COMPARE(m_echo.openConnections(), 1);
        const size_t sentBefore = link.sent.size();

        mux->closeAll(false);
        QCOMPARE(closed.size(), 1); // abandoned streams are released at once
        QCOMPARE(closed.first().at(0).value<StreamSnapshot>().closeReason,
                 QStringLiteral("session_ended"));
        QCOMPARE(link.sent.size(), sentBefore);
        QTRY_COMPARE(m_echo.openConnections(), 0);

        mux->retire();
        QTRY_VERIFY(mux.isNull());
    }
};

QTEST_GUILESS_MAIN(TestMultiplexer)
#include "tst_multiplexer.moc"
