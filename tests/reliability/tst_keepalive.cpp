// The session's read deadline (protocol.md §1.4: re-armed by every message and pong; Go: 10 s
// after the last one) is a timer of its own, not a check on the next ping tick: with pings far
// apart a stuck hub is still noticed once the deadline has passed.
#include <QtTest>

#include <memory>

#include "ReliabilitySupport.h"

using namespace nexustray;
using namespace nexustray::reliability;
using nexustray::hub::HubEmulator;

class TestKeepalive : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readDeadlineIsItsOwnTimer() {
        LogCapture log;
        test::EchoServer echo;
        QVERIFY(echo.listen());
        HubEmulator hub(defaultHubOptions());
        QVERIFY(hub.start());
        FaultProxy proxy(quint16(hub.backendUrl().port()));
        QVERIFY(proxy.listen());
        SessionSettings s = defaultSettings(proxy.url(), echo.port());
        constexpr int kPingIntervalMs = 600000; // no ping tick during the test
        s.timings.keepaliveIntervalMs = kPingIntervalMs;
        s.timings.keepaliveDeadlineMs = 1500;
        QSignalSpy authenticated(&hub, &HubEmulator::sessionAuthenticated);
        Session session(s);
        session.start();
        QVERIFY(authenticated.wait(10000));
        QTRY_COMPARE(session.snapshot().state, SessionState::Connected);
        proxy.setForwardingUp(false); // a stuck hub: nothing reaches it, nothing comes back
        QTRY_VERIFY_WITH_TIMEOUT(log.contains(QStringLiteral("relay silent for")), 30000);
        // The deadline, not the ping interval, decided (the log says how long it was silent).
        bool sawDeadline = false;
        for (const QString& line : log.lines()) {
            const qsizetype at = line.indexOf(QStringLiteral("relay silent for "));
            if (at < 0)
                continue;
            const int ms = line.mid(at + 17).section(QLatin1Char(' '), 0, 0).toInt();
            QVERIFY2(ms >= 1500 && ms < kPingIntervalMs, qPrintable(line));
            sawDeadline = true;
        }
        QVERIFY(sawDeadline);
        // The session starts over; once the hub reads again it is back.
        proxy.setForwardingUp(true);
        QTRY_VERIFY_WITH_TIMEOUT(authenticated.size() >= 2, 20000);
        QTRY_COMPARE(session.snapshot().state, SessionState::Connected);
    }
};

QTEST_GUILESS_MAIN(TestKeepalive)
#include "tst_keepalive.moc"
