// Slow and stuck peers: a local service that stops reading, a user (client of the relay) that stops
// reading, a hub that stops reading. Memory stays within the configured bounds (pause / credits /
// WebSocket high-water mark), other streams keep flowing, and the stuck stream or session is ended
// with the right reason after its limit. Every case runs over ws:// and wss://.
//
// What the spec bounds (protocol.md §7.2, forward direction): the client grants a window of
// flowControl.maxBuffer (64) credits right after `connect` and returns one credit per message
// written to the local socket; the hub's window never grows past max(first grant, 64). Data the hub
// sends before the grant reaches it is not counted. So the client never holds more than
// maxBuffer + (messages the hub sent before the grant arrived): with the prelude as the only such
// message, 65. No sleeps: the cases wait on conditions and use an echo round trip on another
// stream as a fence (the hub reads the WebSocket in order).
#include <QtTest>

#include <memory>

#include "ReliabilitySupport.h"
#include "TestRelayTls.h"
#include "relay/Stream.h"

using namespace nexustray;
using namespace nexustray::reliability;
using nexustray::hub::HubEmulator;

class TestSlowPeers : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<test::SinkServer> m_sink;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<LogCapture> m_log;
    test::TestRelayTls m_tls;
    QString m_scheme; // of the current row: "ws" or "wss"
    quint32 m_fenceSeed = 100;

    hub::HubOptions hubOptions() const {
        hub::HubOptions o = defaultHubOptions();
        m_tls.serve(o, m_scheme);
        return o;
    }
    void startHub(const hub::HubOptions& o) {
        m_hub = std::make_unique<HubEmulator>(o);
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
        QCOMPARE(m_hub->backendUrl().scheme(), m_scheme);
    }
    SessionSettings settings(const QString& url) const {
        SessionSettings s = defaultSettings(url, m_echo->port());
        s.backend.portMappings[443].hosts.insert(
            QStringLiteral("sink.test"), QStringLiteral("127.0.0.1:%1").arg(m_sink->port()));
        m_tls.trust(s.backend);
        return s;
    }
    void startSession(SessionSettings s) {
        QCOMPARE(QUrl(s.relayUrl).scheme(), m_scheme);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_session = std::make_unique<Session>(std::move(s));
        m_session->start();
        QVERIFY(authenticated.wait(5000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
    }
    qint64 maxQueuedToLocal() const {
        qint64 n = 0;
        for (Stream* s : m_session->findChildren<Stream*>())
            n = std::max(n, s->queuedToLocal());
        return n;
    }
    // Another stream through the same session echoes `size` bytes intact. Also a fence: when it
    // returns, the hub has processed every control message the session sent before this stream's
    // data (credit grants, pauses), because the hub reads the WebSocket in order. Returns the bytes
    // the hub received from the session for it (prelude + body).
    qint64 verifyOtherStreamFlows(qsizetype size = 2 * 1024 * 1024) {
        CheckedUser other(m_hub->relayListenPort(443), "app.test",
                          randomBytes(size, ++m_fenceSeed));
        other.sendAll();
        [&] { QTRY_VERIFY_WITH_TIMEOUT(other.complete(), 30000); }();
        return QTest::currentTestFailed() ? 0 : other.expected.size();
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void init() {
        QFETCH_GLOBAL(QString, scheme);
        m_scheme = scheme;
        m_log = std::make_unique<LogCapture>();
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        m_sink = std::make_unique<test::SinkServer>();
        m_sink->setReceiveBufferSize(64 * 1024);
        QVERIFY(m_sink->listen());
    }
    void cleanup() {
        m_session.reset();
        m_hub.reset();
        m_sink.reset();
        m_echo.reset();
        m_log.reset();
    }

    void localServiceStopsReading() {
        hub::HubOptions o = hubOptions();
        o.noCreditIdleTimeoutMs = 600000; // the hub's limit for a stream without credit: never here
        startHub(o);
        const SessionSettings s = settings(m_hub->backendUrl().toString());
        const FlowControl flow = s.backend.flowControl;
        startSession(s);
        m_sink->setReading(false);
        const qint64 rssBefore = rssKb();
        QSignalSpy hubOpened(m_hub.get(), &HubEmulator::streamOpened);
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::streamClosed);
        CheckedUser stuck(m_hub->relayListenPort(443), "sink.test",
                          randomBytes(32 * 1024 * 1024, 1));
        // The prelude alone first: it is the only message the hub sends before our credit grant
        // reaches it (the grant goes out on `connect`, before the local dial; the fence proves
        // the hub has processed it before the body arrives).
        stuck.sendPart(0, stuck.prelude.size());
        QTRY_COMPARE_WITH_TIMEOUT(m_sink->connectionCount(), 1, 10000);
        QCOMPARE(hubOpened.count(), 1);
        const QUuid stuckId = hubOpened.first().first().toUuid();
        verifyOtherStreamFlows(4096);
        const qint64 earlyMessages = 1;
        stuck.sendPart(stuck.prelude.size(), stuck.body.size());
        // The local socket's kernel buffers fill, then the queue: the pause watermark is reached.
        qint64 peak = 0;
        const auto queuedNow = [&] {
            peak = std::max(peak, maxQueuedToLocal());
            return peak;
        };
        QTRY_VERIFY_WITH_TIMEOUT(queuedNow() >= flow.highWaterMark, 10000);
        // Fence: the hub has processed our pause by now (it reads the user no more) and its credits
        // never allowed more than the window; the queue must be within the bound, now and later.
        verifyOtherStreamFlows(4096);
        const qint64 bound = flow.maxBuffer + earlyMessages;
        QVERIFY2(queuedNow() <= bound,
                 qPrintable(QStringLiteral("%1 messages queued to the stuck local service; the "
                                           "credit window allows %2")
                                .arg(peak)
                                .arg(bound)));
        verifyOtherStreamFlows();
        QVERIFY2(queuedNow() <= bound, qPrintable(QString::number(peak)));
        const qint64 queued = peak;
        QVERIFY(m_log->count(QStringLiteral("buffer_full")) == 0);
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        const qint64 grown = rssKb() - rssBefore;
        qInfo("local service stuck: %lld messages queued to it, RSS %+lld kB (test holds 64 MiB "
              "of payload)",
              static_cast<long long>(queued), static_cast<long long>(grown));
        QVERIFY(grown < memoryBoundKb(160 * 1024));
        // The stream stays paused: a pause has no time limit at the hub (protocol.md §7.1), and
        // the hub's no-credit limit is set out of reach here. What ends it is the engine's local
        // write timeout (§10.2: nothing written to the local service for 10 s -> `timeout`);
        // the hub then closes the user, and the engine forgets the stream.
        const auto stuckClosedAtHub = [&] {
            return std::any_of(hubClosed.cbegin(), hubClosed.cend(), [&](const QList<QVariant>& a) {
                return a.first().toUuid() == stuckId;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(stuckClosedAtHub(), 40000);
        QVERIFY(m_log->contains(QStringLiteral("took no data for 10000 ms, closing (timeout)")));
        QTRY_VERIFY_WITH_TIMEOUT(stuck.closed, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(liveStreamObjects(m_session.get()), 0, 15000);
        QCOMPARE(m_session->snapshot().state, SessionState::Connected);
    }

    // protocol.md §7.2: the hub does not count what it sends before the client's grant reaches it,
    // so with a long round trip (or a session thread that reads its `connect` late) a fast
    // upload to a stuck local service queues far more than twice the window. Nothing is lost:
    // the stream stays, and every byte reaches the service once it reads again.
    void dataSentBeforeTheGrantArrivesIsKept() {
        hub::HubOptions o = hubOptions();
        o.flowControlInFlightMessages = 512; // the grant and the pause arrive after 512 messages
        startHub(o);
        const SessionSettings s = settings(m_hub->backendUrl().toString());
        const FlowControl flow = s.backend.flowControl;
        startSession(s);
        m_sink->setReading(false);
        CheckedUser user(m_hub->relayListenPort(443), "sink.test",
                         randomBytes(20 * 1024 * 1024, 5));
        user.sendAll();
        qint64 peak = 0;
        const auto queuedNow = [&] {
            peak = std::max(peak, maxQueuedToLocal());
            return peak;
        };
        // Well past twice the window (+ a credit batch), where the client used to give up.
        const qint64 twiceTheWindow = 2 * flow.maxBuffer + 8;
        QTRY_VERIFY_WITH_TIMEOUT(queuedNow() > twiceTheWindow + 32, 30000);
        qInfo("%lld messages queued to the stuck local service", static_cast<long long>(peak));
        QCOMPARE(m_log->count(QStringLiteral("buffer_full")), 0);
        m_sink->setReading(true);
        QTRY_VERIFY_WITH_TIMEOUT(m_sink->bytesReceived() >= user.expected.size() ||
                                     m_log->contains(QStringLiteral("buffer_full")),
                                 60000);
        QCOMPARE(m_log->count(QStringLiteral("buffer_full")), 0);
        QCOMPARE(m_sink->bytesReceived(), qint64(user.expected.size()));
        QCOMPARE(m_sink->sha256(),
                 QCryptographicHash::hash(user.expected, QCryptographicHash::Sha256));
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        verifyOtherStreamFlows(4096);
    }

    void userStopsReading() {
        hub::HubOptions o = hubOptions();
        o.userSendBufferBytes = 32 * 1024;
        startHub(o);
        startSession(settings(m_hub->backendUrl().toString()));
        const qint64 rssBefore = rssKb();
        CheckedUser slow(m_hub->relayListenPort(443), "app.test", randomBytes(24 * 1024 * 1024, 2),
                         16 * 1024);
        slow.setReading(false);
        slow.sendAll();
        QTRY_VERIFY_WITH_TIMEOUT(slow.socket.bytesAvailable() > 0, 10000);
        // Everything that can pile up, piles up: wait until the slow stream's reverse direction is
        // stuck (no byte of it reaches the hub during a whole round trip of another stream, twice
        // in a row: the session is out of reverse credits).
        qint64 fenceBytes = 0;
        qint64 slowBytes = -1;
        int unchanged = 0;
        for (int round = 0; round < 200 && unchanged < 2 && !QTest::currentTestFailed(); ++round) {
            const qint64 now = qint64(m_hub->stats().bytesFromClient) - fenceBytes;
            unchanged = now == slowBytes ? unchanged + 1 : 0;
            slowBytes = now;
            fenceBytes += verifyOtherStreamFlows(4096);
        }
        QCOMPARE(unchanged, 2);
        QVERIFY(!slow.complete());
        verifyOtherStreamFlows();
        const qint64 grown = rssKb() - rssBefore;
        qInfo("user stuck: RSS %+lld kB (test holds 48 MiB of payload)",
              static_cast<long long>(grown));
        QVERIFY(grown < memoryBoundKb(160 * 1024));
        // The engine respected the hub's reverse credits: the hub never had to kill the stream.
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        QCOMPARE(m_hub->stats().streamsKilledBufferFull, quint64(0));
        // The user reads again: every byte arrives, in order, intact.
        slow.setReading(true);
        QTRY_VERIFY_WITH_TIMEOUT(slow.complete() || slow.corrupt, 60000);
        QVERIFY(!slow.corrupt);
    }

    void hubStopsReading() {
        startHub(hubOptions());
        FaultProxy proxy(quint16(m_hub->backendUrl().port()));
        QVERIFY(proxy.listen());
        startSession(settings(proxy.url(m_scheme)));
        const qint64 rssBefore = rssKb();
        proxy.setForwardingUp(false); // the hub side reads nothing from the session any more
        CheckedUser user(m_hub->relayListenPort(443), "app.test", randomBytes(32 * 1024 * 1024, 4));
        user.sendAll();
        // The session notices the silence (no pong) and starts over after its keepalive deadline.
        QTRY_VERIFY_WITH_TIMEOUT(m_log->contains(QStringLiteral("relay silent for")), 15000);
        const qint64 grown = rssKb() - rssBefore;
        qInfo("hub stuck: RSS %+lld kB before the session was recycled (test holds 64 MiB of "
              "payload)",
              static_cast<long long>(grown));
        QVERIFY(grown < memoryBoundKb(160 * 1024));
        // The engine dropped the stuck session's streams at once. (The user's connection is the
        // hub's to close: a real hub notices through its own deadlines; the proxy standing in
        // for the stuck hub does not read, so it cannot notice.)
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 0);
        user.consume();
        QVERIFY(!user.corrupt);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        proxy.setForwardingUp(true);
        QTRY_VERIFY_WITH_TIMEOUT(authenticated.size() >= 1, 15000);
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
        verifyOtherStreamFlows();
    }
};

QTEST_GUILESS_MAIN(TestSlowPeers)
#include "tst_slowpeers.moc"
