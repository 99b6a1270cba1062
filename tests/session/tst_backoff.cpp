// Reconnect policy: protocol.md §10.1 table, error classes and the permanent give-up rule.
#include <QtTest>

#include "session/Backoff.h"

using namespace nexustray;

class TestBackoff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void transientDelaysFollowTheTable() {
        // failure # -> [min, max] of protocol.md §10.1
        const int bounds[][2] = {{3750, 6250},   {7500, 12500},  {15000, 25000},
                                 {30000, 50000}, {45000, 60000}, {45000, 60000}};
        for (quint32 seed = 1; seed <= 50; ++seed) {
            Backoff backoff({}, seed);
            for (const auto& b : bounds) {
                const auto delay = backoff.nextDelayMs(FailureClass::Transient);
                QVERIFY(delay.has_value());
                QVERIFY2(*delay >= b[0] && *delay <= b[1],
                         qPrintable(
                             QStringLiteral("%1 not in [%2, %3]").arg(*delay).arg(b[0]).arg(b[1])));
            }
        }
    }

    void jitterActuallyVaries() {
        QSet<int> seen;
        for (quint32 seed = 1; seed <= 20; ++seed) {
            Backoff backoff({}, seed);
            seen.insert(*backoff.nextDelayMs(FailureClass::Transient));
        }
        QVERIFY(seen.size() > 10);
    }

    void resetStartsOver() {
        Backoff backoff({}, 7);
        backoff.nextDelayMs(FailureClass::Transient);
        backoff.nextDelayMs(FailureClass::Transient);
        backoff.nextDelayMs(FailureClass::Transient);
        QCOMPARE(backoff.transientFailures(), 3);
        backoff.reset();
        const int delay = *backoff.nextDelayMs(FailureClass::Transient);
        QVERIFY(delay >= 3750 && delay <= 6250);
    }

    void rateLimitWaitsExactlySixtySeconds() {
        Backoff backoff({}, 3);
        QCOMPARE(*backoff.nextDelayMs(FailureClass::RateLimited), 60000);
        QCOMPARE(*backoff.nextDelayMs(FailureClass::RateLimited), 60000);
    }

    void permanentFailuresGiveUpAfterFive() {
        Backoff backoff({}, 9);
        const int first = *backoff.nextDelayMs(FailureClass::Permanent);
        QVERIFY2(first >= 7500 && first <= 12500, "the first permanent failure waits ~10 s");
        QVERIFY(backoff.nextDelayMs(FailureClass::Permanent).has_value());
        QVERIFY(backoff.nextDelayMs(FailureClass::Permanent).has_value());
        QVERIFY(backoff.nextDelayMs(FailureClass::Permanent).has_value());
        QVERIFY(!backoff.nextDelayMs(FailureClass::Permanent).has_value());
    }

    void classification_data() {
        QTest::addColumn<QString>("error");
        QTest::addColumn<int>("expected");
        QTest::newRow("rate limit") << "429 Rate Limit exceeded" << int(FailureClass::RateLimited);
        QTest::newRow("unauthorized") << "HTTP 401 Unauthorized" << int(FailureClass::Permanent);
        QTest::newRow("forbidden") << "Forbidden" << int(FailureClass::Permanent);
        QTest::newRow("invalid token") << "Invalid Token presented" << int(FailureClass::Permanent);
        QTest::newRow("auth failed") << "authentication failed" << int(FailureClass::Permanent);
        QTest::newRow("refused") << "Connection refused" << int(FailureClass::Transient);
        QTest::newRow("timeout") << "no handshake challenge from the relay in time"
                                 << int(FailureClass::Transient);
        QTest::newRow("expired") << "relay closed the connection (1008): token is expired"
                                 << int(FailureClass::Transient);
        // Whole words only: numbers inside ports, host names or other numbers are no status.
        QTest::newRow("upgrade 403")
            << "relay refused the WebSocket upgrade: HTTP/1.1 403 Forbidden"
            << int(FailureClass::Permanent);
        QTest::newRow("upgrade 401 only")
            << "relay refused the WebSocket upgrade: HTTP/1.1 401" << int(FailureClass::Permanent);
        QTest::newRow("status in brackets") << "status (403)" << int(FailureClass::Permanent);
        QTest::newRow("status with colon") << "error 401: nope" << int(FailureClass::Permanent);
        QTest::newRow("rate limited")
            << "Rate limited, slow down" << int(FailureClass::RateLimited);
        QTest::newRow("invalid credentials")
            << "Invalid credentials" << int(FailureClass::Permanent);
        QTest::newRow("port 4030")
            << "127.0.0.1:4030 Connection refused" << int(FailureClass::Transient);
        QTest::newRow("port 8403")
            << "connect to port 8403 refused" << int(FailureClass::Transient);
        QTest::newRow("4031") << "code 4031" << int(FailureClass::Transient);
        QTest::newRow("host edge403")
            << "Host edge403.example.net not found" << int(FailureClass::Transient);
        QTest::newRow("host edge-403")
            << "Host edge-403.example.net not found" << int(FailureClass::Transient);
        QTest::newRow("host 403 label")
            << "Host 403.example.net not found" << int(FailureClass::Transient);
        QTest::newRow("host forbidden")
            << "Host forbidden.example.net not found" << int(FailureClass::Transient);
        QTest::newRow("url") << "wss://edge401.example.net:8403/connect/403 timed out"
                             << int(FailureClass::Transient);
        QTest::newRow("word inside word") << "unforbiddenness" << int(FailureClass::Transient);
    }
    void classification() {
        QFETCH(QString, error);
        QFETCH(int, expected);
        QCOMPARE(int(classifyFailure(error)), expected);
    }
};

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
