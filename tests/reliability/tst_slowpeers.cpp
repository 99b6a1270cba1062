// Slow and stuck peers: a local service that stops reading, a user (client of the relay) that stops
// reading, a hub that stops reading. Memory stays within the configured bounds (pause / credits /
// WebSocket high-water mark), other streams keep flowing, and the stuck stream or session is ended
// with the right reason after its limit.
#include <QtTest>

#include <memory>

#include "ReliabilitySupport.h"
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

    SessionSettings settings(const QString& url) const {
        SessionSettings s = defaultSettings(url, m_echo->port());
        s.backend.portMappings[443].hosts.insert(
            QStringLiteral("sink.test"), QStringLiteral("127.0.0.1:%1").arg(m_sink->port()));
        return s;
    }
    void startSession(SessionSettings s) {
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_session = std::make_unique<Session>(std::move(s));
        m_session->start();
        QVERIFY(authenticated.wait(5000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
    }
    qint64 maxQueuedToLocal() const {
        qint64 n = 0;
        for (Stream* s : m_session->findChildren<Stream*>(Qt::FindDirectChildrenOnly))
            n = std::max(n, s->queuedToLocal());
        return n;
    }
    void verifyOtherStreamFlows(qsizetype size = 2 * 1024 * 1024) {
        CheckedUser other(m_hub->relayListenPort(443), "app.test", randomBytes(size, 3));
        other.sendAll();
        QTRY_VERIFY_WITH_TIMEOUT(other.complete(), 15000);
    }

private Q_SLOTS:
    void init() {
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
        hub::HubOptions o = defaultHubOptions();
        o.noCreditIdleTimeoutMs = 3000; // the hub's limit for a stream that gets no credit
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        startSession(settings(m_hub->backendUrl().toString()));
        m_sink->setReading(false);
        const qint64 rssBefore = rssKb();
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::streamClosed);
        CheckedUser stuck(m_hub->relayListenPort(443), "sink.test",
                          randomBytes(32 * 1024 * 1024, 1));
        stuck.sendAll();
        // The forward window fills up and stays full: pause + no credit, nothing beyond it.
        QTRY_VERIFY_WITH_TIMEOUT(maxQueuedToLocal() >= 48, 10000);
        QTest::qWait(500);
        const qint64 queued = maxQueuedToLocal();
        QVERIFY2(queued <= 2 * 64 + 8, qPrintable(QString::number(queued)));
        verifyOtherStreamFlows();
        QVERIFY(m_log->count(QStringLiteral("buffer_full")) == 0);
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        const qint64 grown = rssKb() - rssBefore;
        qInfo("local service stuck: %lld messages queued to it, RSS %+lld kB (test holds 64 MiB "
              "of payload)",
              static_cast<long long>(queued), static_cast<long long>(grown));
        QVERIFY(grown < memoryBoundKb(160 * 1024));
        // The hub ends the stream after its no-credit limit; the engine then closes the local side
        // (bounded flush) and forgets it.
        QVERIFY(hubClosed.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(stuck.closed, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(liveStreamObjects(m_session.get()), 0, 15000);
        QCOMPARE(m_session->snapshot().state, SessionState::Connected);
    }

    void userStopsReading() {
        hub::HubOptions o = defaultHubOptions();
        o.userSendBufferBytes = 32 * 1024;
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        startSession(settings(m_hub->backendUrl().toString()));
        const qint64 rssBefore = rssKb();
        CheckedUser slow(m_hub->relayListenPort(443), "app.test", randomBytes(24 * 1024 * 1024, 2),
                         16 * 1024);
        slow.setReading(false);
        slow.sendAll();
        QTRY_VERIFY_WITH_TIMEOUT(slow.socket.bytesAvailable() > 0, 10000);
        QTest::qWait(1000); // everything that can pile up, piles up
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
        m_hub = std::make_unique<HubEmulator>(defaultHubOptions());
        QVERIFY(m_hub->start());
        FaultProxy proxy(quint16(m_hub->backendUrl().port()));
        QVERIFY(proxy.listen());
        startSession(settings(proxy.url()));
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
