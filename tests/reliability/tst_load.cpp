// Load: 1,000 concurrent streams through one session, each with a checksum-verified payload in both
// directions (user -> hub -> session -> local echo -> session -> hub -> user); fair scheduling
// between streams on the one WebSocket; memory bounded and reported.
#include <QtTest>

#include <algorithm>
#include <memory>
#include <vector>

#include "ReliabilitySupport.h"
#include "relay/Stream.h"

using namespace nexustray;
using namespace nexustray::reliability;
using nexustray::hub::HubEmulator;

class TestLoad : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<Session> m_session;

    void startAll() {
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        hub::HubOptions o = defaultHubOptions();
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_session = std::make_unique<Session>(
            defaultSettings(m_hub->backendUrl().toString(), m_echo->port()));
        m_session->start();
        QVERIFY(authenticated.wait(5000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
    }

private Q_SLOTS:
    void cleanup() {
        m_session.reset();
        m_hub.reset();
        m_echo.reset();
    }

    // Phase 1 opens 1,000 streams and proves they are all open at once (each has echoed its first
    // half while none has sent its second half); phase 2 sends every second half at the same time
    // and checks every byte, the spread of completion times and the memory used.
    void thousandConcurrentStreams() {
        startAll();
        constexpr int kStreams = 1000;
        constexpr qsizetype kBody = 24 * 1024; // 24 MiB each way in total, 48 MiB through the hub
        const qint64 rssBefore = rssKb();
        std::vector<std::unique_ptr<CheckedUser>> users;
        users.reserve(kStreams);
        for (int i = 0; i < kStreams; ++i) {
            users.push_back(std::make_unique<CheckedUser>(m_hub->relayListenPort(443), "app.test",
                                                          randomBytes(kBody + i, quint32(i + 1))));
            CheckedUser& u = *users.back();
            u.sendPart(0, u.prelude.size() + kBody / 2);
            if (i % 50 == 49)
                QCoreApplication::processEvents(); // let the listeners accept (backlog 50)
        }
        const auto halfEchoed = [&users] {
            return std::all_of(users.begin(), users.end(), [](const auto& u) {
                return u->received == u->prelude.size() + kBody / 2;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(halfEchoed(), 30000);
        QCOMPARE(m_session->snapshot().activeStreams, kStreams);
        QCOMPARE(m_hub->stats().activeStreams, kStreams);
        QCOMPARE(m_echo->openConnections(), kStreams);

        QElapsedTimer clock;
        clock.start();
        for (auto& u : users)
            u->sendPart(u->prelude.size() + kBody / 2,
                        u->expected.size() - u->prelude.size() - kBody / 2);
        const auto allDone = [&users] {
            return std::all_of(users.begin(), users.end(),
                               [](const auto& u) { return u->complete() || u->corrupt; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(allDone(), 40000);
        const qint64 total = clock.elapsed();
        std::vector<qint64> finish;
        for (int i = 0; i < kStreams; ++i) {
            QVERIFY2(!users[i]->corrupt, qPrintable(QStringLiteral("stream %1 corrupted").arg(i)));
            QVERIFY(users[i]->complete());
            finish.push_back(total - users[i]->doneAt.elapsed());
        }
        std::sort(finish.begin(), finish.end());
        const qint64 rssPeak = peakRssKb();
        qInfo("load: %d streams x %lld bytes echoed in %lld ms; completion p50 %lld ms, p99 %lld "
              "ms, max %lld ms; RSS before %lld kB, after %lld kB, peak %lld kB",
              kStreams, static_cast<long long>(kBody), static_cast<long long>(total),
              static_cast<long long>(finish[kStreams / 2]),
              static_cast<long long>(finish[kStreams * 99 / 100]),
              static_cast<long long>(finish.back()), static_cast<long long>(rssBefore),
              static_cast<long long>(rssKb()), static_cast<long long>(rssPeak));
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        QCOMPARE(m_hub->stats().protocolViolations, quint64(0));
        QCOMPARE(m_hub->stats().streamsKilledBufferFull, quint64(0));
        // Memory bound: the test itself holds ~2 x 24 MiB of payload; the engine adds at most its
        // per-stream windows. 512 MiB leaves room for sanitizer builds.
        QVERIFY2(rssKb() - rssBefore < memoryBoundKb(512 * 1024), "memory grew beyond 512 MiB");

        // Closing every user closes every stream in the engine, the hub and the local service.
        users.clear();
        QTRY_COMPARE_WITH_TIMEOUT(m_session->snapshot().activeStreams, 0, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(liveStreamObjects(m_session.get()), 0, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(m_echo->openConnections(), 0, 20000);
    }

    // Fairness: a bulk stream saturating the WebSocket must not delay short streams started after
    // it (round robin, at most 4 messages per stream per turn).
    void bulkStreamDoesNotStarveOthers() {
        startAll();
        const QByteArray bulkBody = randomBytes(48 * 1024 * 1024, 7);
        CheckedUser bulk(m_hub->relayListenPort(443), "app.test", bulkBody);
        bulk.sendAll();
        QTRY_VERIFY_WITH_TIMEOUT(bulk.received > 1024 * 1024, 20000);
        constexpr int kSmall = 50;
        std::vector<std::unique_ptr<CheckedUser>> small;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < kSmall; ++i) {
            small.push_back(std::make_unique<CheckedUser>(m_hub->relayListenPort(443), "app.test",
                                                          randomBytes(8 * 1024, quint32(100 + i))));
            small.back()->sendAll();
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(small.begin(), small.end(), [](const auto& u) { return u->complete(); }),
            20000);
        const qint64 smallDone = clock.elapsed();
        const qsizetype bulkAtThatTime = bulk.received;
        qInfo("fairness: %d small streams done in %lld ms while the bulk stream had %lld of %lld "
              "bytes",
              kSmall, static_cast<long long>(smallDone), static_cast<long long>(bulkAtThatTime),
              static_cast<long long>(bulk.expected.size()));
        // The small streams finished while the bulk one was still far from done.
        QVERIFY2(bulkAtThatTime < bulk.expected.size() * 3 / 4,
                 "small streams waited for the bulk stream");
        QTRY_VERIFY_WITH_TIMEOUT(bulk.complete() || bulk.corrupt, 60000);
        QVERIFY(!bulk.corrupt);
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
    }
};

QTEST_GUILESS_MAIN(TestLoad)
#include "tst_load.moc"
