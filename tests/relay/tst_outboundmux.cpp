// StreamMultiplexer::openOutbound (protocol.md §9.1) on its own, through a recording MuxLink and a
// real local TCP connection as the caller's device: the request on the wire, the local side left
// unread until the hub's success (zero reverse credit), the forward grant and the callback before
// the first local write, refusal / timeout / session end / stop each reported exactly once, and
// late or unknown `outbound_result`s.
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>
#include <vector>

#include "protocol/Frame.h"
#include "relay/MuxLink.h"
#include "relay/StreamMultiplexer.h"

using namespace nexustray;
using protocol::ControlEvent;
using protocol::ControlMessage;
using protocol::DecodedMessage;

namespace {

class RecordingLink : public MuxLink {
public:
    bool isOpen() const override { return open; }
    void sendBinary(const QByteArray& message) override { sent.push_back(message); }
    qint64 bytesToWrite() const override { return 0; }

    std::vector<ControlMessage> controls(ControlEvent event, const QUuid& id = QUuid()) const {
        std::vector<ControlMessage> out;
        for (const QByteArray& message : sent) {
            const DecodedMessage m = protocol::decodeMessage(message);
            if (m.kind == DecodedMessage::Kind::Control && m.control.event == event &&
                (id.isNull() || m.control.clientId == id))
                out.push_back(m.control);
        }
        return out;
    }
    QByteArray dataFor(const QUuid& id) const {
        QByteArray out;
        for (const QByteArray& message : sent) {
            const DecodedMessage m = protocol::decodeMessage(message);
            if (m.kind == DecodedMessage::Kind::Data && m.clientId == id)
                out += m.payload.toByteArray();
        }
        return out;
    }

    bool open = true;
    std::vector<QByteArray> sent;
};

QByteArray result(const QUuid& id, bool success, qint64 credits, const QString& reason = {}) {
    ControlMessage c;
    c.event = ControlEvent::OutboundResult;
    c.clientId = id;
    c.success = success;
    c.credits = credits;
    c.reason = reason;
    return protocol::encodeControl(c);
}

QByteArray data(const QUuid& id, const QByteArray& payload) {
    return protocol::dataHeader(id) + payload;
}

// What the callback saw, once per call.
struct Outcomes {
    std::vector<OutboundResult> results;
    OutboundCallback callback() {
        return [this](const OutboundResult& r) { results.push_back(r); };
    }
};

} // namespace

class TestOutboundMux : public QObject {
    Q_OBJECT

    QTcpServer m_server;

    // A connected pair: `peer` plays the program that wants the outbound stream, `local` is the
    // end handed to the multiplexer.
    struct Pair {
        std::unique_ptr<QTcpSocket> peer;
        QTcpSocket* local = nullptr;
    };
    Pair makePair() {
        Pair p;
        p.peer = std::make_unique<QTcpSocket>();
        p.peer->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
        if (!m_server.waitForNewConnection(5000) || !p.peer->waitForConnected(5000))
            return p;
        p.local = m_server.nextPendingConnection();
        p.local->setParent(nullptr);
        return p;
    }

    static StreamMultiplexer::Settings settings(int timeoutMs = 15000) {
        StreamMultiplexer::Settings s;
        s.sessionId = QStringLiteral("backend#1");
        s.backendName = QStringLiteral("backend");
        s.outboundTimeoutMs = timeoutMs;
        return s;
    }

private Q_SLOTS:
    void initTestCase() {
        qRegisterMetaType<nexustray::StreamSnapshot>();
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
    }

    void requestOnTheWireAndLocalUnreadUntilSuccess() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        QSignalSpy changed(&mux, &StreamMultiplexer::streamChanged);
        Pair p = makePair();
        QVERIFY(p.local);
        QPointer<QTcpSocket> local = p.local;
        Outcomes outcomes;
        const QUuid id =
            mux.openOutbound(QStringLiteral("example.org:443"), p.local, outcomes.callback());
        QVERIFY(!id.isNull());
        QCOMPARE(id.version(), QUuid::Random);
        const auto requests = link.controls(ControlEvent::OutboundConnect, id);
        QCOMPARE(requests.size(), size_t(1));
        QCOMPARE(requests.front().targetAddr, QStringLiteral("example.org:443"));
        QCOMPARE(mux.streamCount(), 1);
        QVERIFY(mux.emitDirtyStreams());
        QCOMPARE(changed.size(), 1);
        const auto snapshot = changed.first().first().value<StreamSnapshot>();
        QCOMPARE(snapshot.kind, StreamKind::Outbound);
        QCOMPARE(snapshot.hostname, QStringLiteral("example.org:443"));
        QCOMPARE(snapshot.target, QStringLiteral("example.org:443"));
        QCOMPARE(snapshot.state, StreamState::Dialing);

        // The program writes before the hub answered: Qt takes at most one byte, the rest stays
        // in the kernel, and nothing goes to the hub.
        const QByteArray body(200 * 1024, 'p');
        p.peer->write(body);
        QTRY_COMPARE(local->bytesAvailable(), qint64(1));
        QVERIFY(link.dataFor(id).isEmpty());
        QVERIFY(outcomes.results.empty());

        mux.onHubMessage(result(id, true, 64));
        QCOMPARE(outcomes.results.size(), size_t(1));
        QCOMPARE(outcomes.results.front().kind, OutboundResult::Kind::Connected);
        const auto grants = link.controls(ControlEvent::ResumeStream, id);
        QCOMPARE(grants.size(), size_t(1));
        QCOMPARE(grants.front().credits, qint64(64)); // flow.maxBuffer
        QTRY_COMPARE(link.dataFor(id), body);

        // Duplicate results are ignored; the stream relays hub data to the program.
        mux.onHubMessage(result(id, false, 0, QStringLiteral("late")));
        QCOMPARE(outcomes.results.size(), size_t(1));
        mux.onHubMessage(data(id, "pong"));
        QTRY_COMPARE(p.peer->bytesAvailable(), qint64(4));
        QCOMPARE(p.peer->readAll(), QByteArray("pong"));
    }

    void callbackComesBeforeTheFirstLocalWrite() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Pair p = makePair();
        QVERIFY(p.local);
        QTcpSocket* local = p.local;
        bool grantSentFirst = false;
        qint64 writtenBefore = -1;
        int calls = 0;
        QUuid id;
        id = mux.openOutbound(QStringLiteral("127.0.0.1:25"), local, [&](const OutboundResult& r) {
            ++calls;
            QCOMPARE(r.kind, OutboundResult::Kind::Connected);
            grantSentFirst = link.controls(ControlEvent::ResumeStream, id).size() == 1;
            writtenBefore = local->bytesToWrite();
            local->write("reply;"); // e.g. a SOCKS5 success reply, before any hub byte
        });
        // Data the hub would never send before its success: kept, written after the callback.
        mux.onHubMessage(data(id, "early"));
        mux.onHubMessage(result(id, true, 0)); // 0: an old hub, unlimited reverse credit
        QCOMPARE(calls, 1);
        QVERIFY(grantSentFirst);
        QCOMPARE(writtenBefore, qint64(0));
        QByteArray got;
        QTRY_VERIFY((got += p.peer->readAll()).size() >= 11);
        QCOMPARE(got, QByteArray("reply;early"));
    }

    void refusalReachesTheCallerWhoMayStillWriteToLocal() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Pair p = makePair();
        QVERIFY(p.local);
        QTcpSocket* local = p.local;
        Outcomes outcomes;
        const QUuid id =
            mux.openOutbound(QStringLiteral("127.0.0.1:25"), local, [&](const OutboundResult& r) {
                outcomes.results.push_back(r);
                local->write("failure reply");
            });
        mux.onHubMessage(result(id, false, 0, QStringLiteral("outbound port 25 not allowed")));
        QCOMPARE(outcomes.results.size(), size_t(1));
        QCOMPARE(outcomes.results.front().kind, OutboundResult::Kind::Refused);
        QCOMPARE(outcomes.results.front().reason, QStringLiteral("outbound port 25 not allowed"));
        const auto disconnects = link.controls(ControlEvent::Disconnect, id);
        QCOMPARE(disconnects.size(), size_t(1));
        QCOMPARE(disconnects.front().reason, QStringLiteral("dial_failed"));
        QCOMPARE(mux.streamCount(), 0);
        QByteArray got;
        QTRY_VERIFY((got += p.peer->readAll()).size() >= 13);
        QCOMPARE(got, QByteArray("failure reply"));
        QTRY_COMPARE(p.peer->state(), QAbstractSocket::UnconnectedState);
        // Data and results for the closed id are dropped.
        mux.onHubMessage(result(id, false, 0, QStringLiteral("again")));
        QCOMPARE(outcomes.results.size(), size_t(1));
    }

    void noAnswerTimesOutAndALateSuccessIsReleased() {
        RecordingLink link;
        StreamMultiplexer mux(settings(100), &link);
        Pair p = makePair();
        QVERIFY(p.local);
        Outcomes outcomes;
        const QUuid id =
            mux.openOutbound(QStringLiteral("127.0.0.1:25"), p.local, outcomes.callback());
        QTRY_COMPARE(outcomes.results.size(), size_t(1));
        QCOMPARE(outcomes.results.front().kind, OutboundResult::Kind::Timeout);
        QCOMPARE(link.controls(ControlEvent::Disconnect, id).front().reason,
                 QStringLiteral("timeout"));
        QTRY_COMPARE(p.peer->state(), QAbstractSocket::UnconnectedState);
        mux.onHubMessage(result(id, true, 64));
        QCOMPARE(outcomes.results.size(), size_t(1));
        const auto disconnects = link.controls(ControlEvent::Disconnect, id);
        QCOMPARE(disconnects.size(), size_t(2));
        QCOMPARE(disconnects.back().reason, QStringLiteral("normal"));
        // An id nobody asked for: ignored.
        const size_t before = link.sent.size();
        mux.onHubMessage(result(QUuid::createUuid(), true, 64));
        QCOMPARE(link.sent.size(), before);
    }

    void connectionEndAndStopFailPendingRequests_data() {
        QTest::addColumn<bool>("notifyHub");
        QTest::newRow("session lost") << false;
        QTest::newRow("stopping") << true;
    }
    void connectionEndAndStopFailPendingRequests() {
        QFETCH(bool, notifyHub);
        RecordingLink link;
        auto* mux = new StreamMultiplexer(settings(), &link);
        QSignalSpy destroyed(mux, &QObject::destroyed);
        Pair p = makePair();
        QVERIFY(p.local);
        Outcomes outcomes;
        const QUuid id =
            mux->openOutbound(QStringLiteral("127.0.0.1:25"), p.local, outcomes.callback());
        mux->closeAll(notifyHub);
        QCOMPARE(outcomes.results.size(), size_t(1));
        QCOMPARE(outcomes.results.front().kind,
                 notifyHub ? OutboundResult::Kind::Stopping : OutboundResult::Kind::SessionLost);
        const auto disconnects = link.controls(ControlEvent::Disconnect, id);
        if (notifyHub) {
            QCOMPARE(disconnects.size(), size_t(1));
            QCOMPARE(disconnects.front().reason, QStringLiteral("shutdown"));
        } else {
            QVERIFY(disconnects.empty());
        }
        mux->retire();
        QVERIFY(destroyed.wait(5000));
        QCOMPARE(outcomes.results.size(), size_t(1));
        QTRY_COMPARE(p.peer->state(), QAbstractSocket::UnconnectedState);
    }

    void localSideClosingWhilePendingIsReportedOnce() {
        RecordingLink link;
        StreamMultiplexer mux(settings(), &link);
        Pair p = makePair();
        QVERIFY(p.local);
        Outcomes outcomes;
        const QUuid id =
            mux.openOutbound(QStringLiteral("127.0.0.1:25"), p.local, outcomes.callback());
        p.peer->abort();
        QTRY_COMPARE(outcomes.results.size(), size_t(1));
        QCOMPARE(outcomes.results.front().kind, OutboundResult::Kind::Refused);
        QCOMPARE(link.controls(ControlEvent::Disconnect, id).front().reason,
                 QStringLiteral("dial_failed"));
        QCOMPARE(mux.streamCount(), 0);
    }

    // The hub knows the id only once it answered: a pending request is not pinged (no pong
    // would come and the health check would close it), an open one is.
    void pendingRequestsAreNotPinged() {
        RecordingLink link;
        StreamMultiplexer::Settings s = settings();
        s.healthChecks.enabled = true;
        s.healthChecks.inactivityTimeoutSeconds = 0;
        Outcomes outcomes; // outlives the multiplexer, which fails `waiting` when it goes
        StreamMultiplexer mux(s, &link);
        Pair pending = makePair();
        Pair open = makePair();
        QVERIFY(pending.local && open.local);
        const QUuid waiting =
            mux.openOutbound(QStringLiteral("127.0.0.1:25"), pending.local, outcomes.callback());
        const QUuid answered =
            mux.openOutbound(QStringLiteral("127.0.0.1:26"), open.local, outcomes.callback());
        mux.onHubMessage(result(answered, true, 64));
        QTRY_VERIFY(
            (mux.checkHealth(), !link.controls(ControlEvent::PingClient, answered).empty()));
        QVERIFY(link.controls(ControlEvent::PingClient, waiting).empty());
        QCOMPARE(outcomes.results.size(), size_t(1)); // only `answered` has its outcome
    }

    void notConnectedWhenTheLinkIsClosed() {
        RecordingLink link;
        link.open = false;
        StreamMultiplexer mux(settings(), &link);
        Pair p = makePair();
        QVERIFY(p.local);
        Outcomes outcomes;
        QVERIFY(mux.openOutbound(QStringLiteral("127.0.0.1:25"), p.local, outcomes.callback())
                    .isNull());
        QCOMPARE(outcomes.results.size(), size_t(1));
        QCOMPARE(outcomes.results.front().kind, OutboundResult::Kind::NotConnected);
        QVERIFY(link.sent.empty());
        QTRY_COMPARE(p.peer->state(), QAbstractSocket::UnconnectedState);
    }
};

QTEST_GUILESS_MAIN(TestOutboundMux)
#include "tst_outboundmux.moc"
