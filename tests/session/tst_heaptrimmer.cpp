// HeapTrimmer: when freed stream memory is handed back to the OS, and that steady churn never
// triggers it (trimming costs page faults on the data path).
#include <QtTest>

#include "session/HeapTrimmer.h"

using namespace nexustray;

class TestHeapTrimmer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void largeDropTrimsAtOnce() {
        HeapTrimmer t;
        QVERIFY(!t.observe(10000, 0));
        QVERIFY(!t.observe(10000 - HeapTrimmer::kLargeDrop + 1, 250));
        QVERIFY(t.observe(10000 - HeapTrimmer::kLargeDrop, 500));
        // the peak restarts from the trimmed level: the next trim needs another large drop
        QVERIFY(!t.observe(8000, 750));
        QVERIFY(t.observe(8976 - HeapTrimmer::kLargeDrop - 1, 1000));
    }

    void burstEndingInQuietTrimsOnce() {
        HeapTrimmer t;
        QVERIFY(!t.observe(HeapTrimmer::kMinBurst, 0));
        QVERIFY(!t.observe(0, 250)); // just reached zero
        QVERIFY(!t.observe(0, 250 + HeapTrimmer::kQuietMs - 1));
        QVERIFY(t.observe(0, 250 + HeapTrimmer::kQuietMs));
        // and not again while nothing happens
        for (qint64 now = 2000; now < 20000; now += 250)
            QVERIFY(!t.observe(0, now));
    }

    void streamsReturningResetTheQuietClock() {
        HeapTrimmer t;
        QVERIFY(!t.observe(50, 0));
        QVERIFY(!t.observe(0, 250));
        QVERIFY(!t.observe(3, 250 + HeapTrimmer::kQuietMs - 10)); // traffic again
        QVERIFY(!t.observe(0, 250 + HeapTrimmer::kQuietMs + 10));
        QVERIFY(t.observe(0, 250 + 2 * HeapTrimmer::kQuietMs + 10));
    }

    void smallBurstsAndSteadyChurnNeverTrim() {
        HeapTrimmer t;
        // a handful of streams opening and closing: not worth a trim
        for (qint64 now = 0; now < 60000; now += 250)
            QVERIFY(!t.observe(int(now / 250) % HeapTrimmer::kMinBurst, now));
        // 1,000 requests a second at ~10 concurrent: the count never rests at zero
        HeapTrimmer busy;
        for (qint64 now = 0; now < 60000; now += 250)
            QVERIFY(!busy.observe(5 + int(now / 250) % 10, now));
    }

    void trimNowIsSafeToCall() {
        // glibc: returns free pages; elsewhere a no-op. Freed blocks must stay usable.
        QList<QByteArray> blocks;
        for (int i = 0; i < 1000; ++i)
            blocks.append(QByteArray(8192, char(i)));
        for (int i = 0; i < blocks.size(); i += 2)
            blocks[i] = QByteArray();
        HeapTrimmer::trimNow();
        for (int i = 1; i < blocks.size(); i += 2)
            QCOMPARE(blocks.at(i), QByteArray(8192, char(i)));
    }
};

QTEST_GUILESS_MAIN(TestHeapTrimmer)
#include "tst_heaptrimmer.moc"
