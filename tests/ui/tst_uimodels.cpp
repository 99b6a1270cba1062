// The status window's models under concurrent updates from many threads (as a busy engine would
// produce them), checked by QAbstractItemModelTester; rate computation, coalescing, closed-row
// expiry, the log capture chain and the filters.
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

#include "status/LogCapture.h"
#include "status/LogFilterModel.h"
#include "status/LogModel.h"
#include "status/SessionTableModel.h"
#include "status/StreamTableModel.h"
#include "tray/TrayState.h"

using namespace nexustray;
using namespace nexustray::ui;

namespace {

StreamSnapshot stream(int n, quint64 bytesIn, quint64 bytesOut,
                      StreamState state = StreamState::Open) {
    StreamSnapshot s;
    s.sessionId = QStringLiteral("web#1");
    s.clientId = QUuid::fromString(
        QStringLiteral("{00000000-0000-0000-0000-%1}").arg(n, 12, 10, QLatin1Char('0')));
    s.clientIp = QStringLiteral("203.0.113.%1:5000").arg(n % 250);
    s.hostname = n % 2 ? QStringLiteral("odd.example.com") : QStringLiteral("even.example.com");
    s.port = 443;
    s.target = QStringLiteral("127.0.0.1:8443");
    s.isTls = n % 2;
    s.state = state;
    s.bytesIn = bytesIn;
    s.bytesOut = bytesOut;
    s.openedAt = QDateTime::currentDateTimeUtc();
    return s;
}

SessionSnapshot session(const QString& backend, int index, SessionState state,
                        const QString& error = {}) {
    SessionSnapshot s;
    s.sessionId = QStringLiteral("%1#%2").arg(backend).arg(index);
    s.backendName = backend;
    s.relayUrl = QStringLiteral("wss://relay%1.example.com/connect").arg(index);
    s.state = state;
    s.stateSince = QDateTime::currentDateTimeUtc().addSecs(-5);
    s.lastError = error;
    s.hostnames = {backend + QStringLiteral(".example.com")};
    if (state == SessionState::Backoff)
        s.reconnectAt = QDateTime::currentDateTimeUtc().addSecs(30);
    return s;
}

} // namespace

class TestUiModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void streamModelUnderConcurrentUpdates() {
        StreamTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(StreamTableModel::SortRole);
        proxy.setDynamicSortFilter(true);
        proxy.sort(StreamTableModel::BytesInColumn, Qt::DescendingOrder);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

        constexpr int kThreads = 8;
        constexpr int kStreamsPerThread = 25;
        constexpr int kUpdates = 400;
        std::atomic<int> done{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&model, &done, t] {
                for (int u = 1; u <= kUpdates; ++u) {
                    for (int i = 0; i < kStreamsPerThread; ++i) {
                        const int n = t * kStreamsPerThread + i;
                        model.post(stream(n, quint64(u) * 1000, quint64(u) * 10));
                    }
                }
                // Every third stream of this thread closes at the end.
                for (int i = 0; i < kStreamsPerThread; i += 3) {
                    const int n = t * kStreamsPerThread + i;
                    model.postClosed(stream(n, quint64(kUpdates) * 1000, quint64(kUpdates) * 10,
                                            StreamState::Closed));
                }
                done.fetch_add(1);
            });
        }
        // The GUI thread keeps serving events (and reading the model) while they post.
        QTRY_COMPARE_WITH_TIMEOUT(done.load(), kThreads, 20000);
        for (std::thread& t : threads)
            t.join();
        QTRY_COMPARE(model.rowCount(), kThreads * kStreamsPerThread);
        model.flush();

        // 80 000 posts were coalesced into a handful of model updates (at most ~4 per second).
        QVERIFY2(model.flushCount() < 200, qPrintable(QString::number(model.flushCount())));
        int closed = 0;
        for (int row = 0; row < model.rowCount(); ++row) {
            const StreamSnapshot s = model.snapshotAt(row);
            QCOMPARE(s.bytesIn, quint64(kUpdates) * 1000); // the latest snapshot won
            QCOMPARE(s.bytesOut, quint64(kUpdates) * 10);
            closed += s.state == StreamState::Closed;
            QCOMPARE(model.rowOfStream(s.clientId), row);
        }
        QCOMPARE(closed, kThreads * 9);
        QCOMPARE(proxy.rowCount(), model.rowCount());

        // Filtering and sorting through the proxy, as the window does.
        proxy.setFilterKeyColumn(-1);
        proxy.setFilterFixedString(QStringLiteral("odd.example"));
        QCOMPARE(proxy.rowCount(), kThreads * kStreamsPerThread / 2);
        proxy.setFilterFixedString(QString());

        model.removeClosedRows();
        QCOMPARE(model.rowCount(), kThreads * (kStreamsPerThread - 9));
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.rowOfStream(model.snapshotAt(row).clientId), row);
    }

    void rateFromSuccessiveSnapshots() {
        StreamTableModel model;
        qint64 nowMs = 1000; // the model's time base, moved by the test (no sleeping)
        model.setClock([&nowMs] { return nowMs; });
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.post(stream(1, 0, 0));
        model.flush();
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rateAt(0), 0.0);
        nowMs += 400;
        model.post(stream(1, 300000, 100000));
        model.flush();
        QCOMPARE(model.rateAt(0), 400000.0 / 0.4); // bytes in + out over 400 ms
        const QString shown = model.index(0, StreamTableModel::RateColumn).data().toString();
        QVERIFY2(shown.endsWith(QLatin1String("/s")), qPrintable(shown));
        QCOMPARE(model.index(0, StreamTableModel::BytesInColumn)
                     .data(StreamTableModel::SortRole)
                     .toULongLong(),
                 300000ULL);

        // A closed stream shows no rate, keeps its totals and goes away after the linger time.
        model.postClosed(stream(1, 300000, 100000, StreamState::Closed));
        model.flush();
        QCOMPARE(model.rateAt(0), 0.0);
        QCOMPARE(model.snapshotAt(0).state, StreamState::Closed);
        // Updates that arrive after the close are stale and ignored.
        model.post(stream(1, 999999, 999999));
        model.flush();
        QCOMPARE(model.snapshotAt(0).bytesIn, 300000ULL);
        nowMs += StreamTableModel::kClosedLingerMs + 1; // the model's next tick drops the row
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 0, 10000);
    }

    void kindAndDatagramColumns() {
        StreamTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        StreamSnapshot tcp = stream(1, 10, 20);
        StreamSnapshot udp = stream(2, 700, 900);
        udp.kind = StreamKind::Udp;
        udp.hostname = QStringLiteral("udp:53");
        udp.datagramsIn = 7;
        udp.datagramsOut = 9;
        StreamSnapshot outbound = stream(3, 5, 6);
        outbound.kind = StreamKind::Outbound;
        model.post(tcp);
        model.post(udp);
        model.post(outbound);
        model.flush();
        QCOMPARE(model.rowCount(), 3);
        const auto cell = [&model](const StreamSnapshot& s, int column, int role) {
            return model.index(model.rowOfStream(s.clientId), column).data(role);
        };
        QCOMPARE(cell(tcp, StreamTableModel::KindColumn, Qt::DisplayRole).toString(),
                 QStringLiteral("TCP"));
        QCOMPARE(cell(udp, StreamTableModel::KindColumn, Qt::DisplayRole).toString(),
                 QStringLiteral("UDP"));
        QCOMPARE(cell(outbound, StreamTableModel::KindColumn, Qt::DisplayRole).toString(),
                 QStringLiteral("outbound"));
        // Datagram counts only for UDP flows; dropped ones shown once there are any.
        QVERIFY(!cell(tcp, StreamTableModel::DatagramsColumn, Qt::DisplayRole).isValid());
        QCOMPARE(cell(udp, StreamTableModel::DatagramsColumn, Qt::DisplayRole).toString(),
                 QStringLiteral("7 / 9"));
        udp.datagramsDropped = 3;
        model.post(udp);
        model.flush();
        QCOMPARE(cell(udp, StreamTableModel::DatagramsColumn, Qt::DisplayRole).toString(),
                 QStringLiteral("7 / 9 (3 dropped)"));
        QVERIFY(cell(udp, StreamTableModel::DatagramsColumn, Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("3 dropped")));
        QCOMPARE(
            cell(udp, StreamTableModel::DatagramsColumn, StreamTableModel::SortRole).toULongLong(),
            16ULL);
        QCOMPARE(cell(outbound, StreamTableModel::KindColumn, StreamTableModel::SortRole).toInt(),
                 int(StreamKind::Outbound));
    }

    void sessionModelUnderConcurrentUpdates() {
        SessionTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        constexpr int kThreads = 6;
        std::vector<std::thread> threads;
        std::atomic<int> done{0};
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&model, &done, t] {
                const QString backend = QStringLiteral("b%1").arg(t);
                const SessionState states[] = {SessionState::Connecting,
                                               SessionState::Authenticating, SessionState::Backoff,
                                               SessionState::Connected};
                for (int u = 0; u < 2000; ++u)
                    model.post(session(backend, 1 + u % 2, states[u % 4]));
                model.post(session(backend, 1, SessionState::Connected));
                model.post(session(backend, 2, SessionState::Failed, QStringLiteral("refused")));
                done.fetch_add(1);
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(done.load(), kThreads, 20000);
        for (std::thread& t : threads)
            t.join();
        QTRY_COMPARE(model.rowCount(), kThreads * 2);
        model.flush();
        for (int t = 0; t < kThreads; ++t) {
            const QString backend = QStringLiteral("b%1").arg(t);
            const int first = model.rowOfSession(backend + QStringLiteral("#1"));
            const int second = model.rowOfSession(backend + QStringLiteral("#2"));
            QVERIFY(first >= 0 && second >= 0);
            QCOMPARE(model.snapshotAt(first).state, SessionState::Connected);
            QCOMPARE(model.snapshotAt(second).state, SessionState::Failed);
            QCOMPARE(model.index(second, SessionTableModel::ErrorColumn).data().toString(),
                     QStringLiteral("refused"));
            QCOMPARE(model.index(first, SessionTableModel::StateColumn).data().toString(),
                     QStringLiteral("connected"));
            const QModelIndex since = model.index(first, SessionTableModel::SinceColumn);
            QVERIFY(since.data(SessionTableModel::SortRole).toLongLong() >= 5);
            QVERIFY2(QRegularExpression(QStringLiteral("^\\d+ s$"))
                         .match(since.data().toString())
                         .hasMatch(),
                     qPrintable(since.data().toString()));
        }
        model.retainBackends({QStringLiteral("b0")});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOfSession(QStringLiteral("b0#2")) >= 0, true);
    }

    void reconnectCountdown() {
        SessionTableModel model;
        model.post(session(QStringLiteral("web"), 1, SessionState::Backoff,
                           QStringLiteral("hub unreachable")));
        model.flush();
        const QString countdown =
            model.index(0, SessionTableModel::ReconnectColumn).data().toString();
        QVERIFY2(countdown == QLatin1String("30 s") || countdown == QLatin1String("29 s"),
                 qPrintable(countdown));
    }

    void overallState() {
        using S = SessionState;
        QCOMPARE(computeOverallState({}), OverallState::Off);
        QCOMPARE(computeOverallState({session("a", 1, S::Disabled)}), OverallState::Off);
        QCOMPARE(
            computeOverallState({session("a", 1, S::Connected), session("a", 2, S::Connected)}),
            OverallState::Connected);
        QCOMPARE(
            computeOverallState({session("a", 1, S::Connected), session("a", 2, S::Backoff, "x")}),
            OverallState::Connecting);
        QCOMPARE(computeOverallState({session("a", 1, S::Connecting)}), OverallState::Connecting);
        QCOMPARE(computeOverallState({session("a", 1, S::Backoff, "hub unreachable")}),
                 OverallState::Error);
        QCOMPARE(computeOverallState({session("a", 1, S::Connected), session("b", 1, S::Failed)}),
                 OverallState::Error);
        for (OverallState s : {OverallState::Off, OverallState::Connected, OverallState::Connecting,
                               OverallState::Error}) {
            const QIcon icon = overallStateIcon(s);
            QVERIFY2(!icon.pixmap(16, 16).isNull(), qPrintable(overallStateIconPath(s)));
            QVERIFY(!icon.pixmap(32, 32).isNull());
        }
        QVERIFY(overallStateIcon(OverallState::Connected).pixmap(16, 16).toImage() !=
                overallStateIcon(OverallState::Error).pixmap(16, 16).toImage());
    }

    void logCaptureChainsAndDrainsAcrossThreads() {
        static std::atomic<int> previousCalls{0};
        QtMessageHandler before = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext&, const QString&) { previousCalls++; });
        LogCapture::install();
        LogCapture::take(); // start empty

        LogModel model(true);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        LogFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester filterTester(
            &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);

        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([t] {
                for (int i = 0; i < 50; ++i) {
                    qInfo("thread %d info %d", t, i);
                    if (i % 10 == 0)
                        qWarning("thread %d warning %d", t, i);
                    qDebug("thread %d debug %d", t, i);
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        QTRY_COMPARE(model.rowCount(), 4 * (50 + 5 + 50));
        QCOMPARE(previousCalls.load(), 4 * (50 + 5 + 50)); // the previous handler got all of them

        QCOMPARE(filter.minimumLevel(), QtInfoMsg);
        QCOMPARE(filter.rowCount(), 4 * 55);
        filter.setMinimumLevel(QtWarningMsg);
        QCOMPARE(filter.rowCount(), 20);
        filter.setTextFilter(QStringLiteral("thread 2"));
        QCOMPARE(filter.rowCount(), 5);
        filter.setMinimumLevel(QtDebugMsg);
        filter.setTextFilter(QString());
        QCOMPARE(filter.rowCount(), model.rowCount());

        LogCapture::uninstall();
        qInstallMessageHandler(before);
    }

    void logModelKeepsTheNewestRows() {
        LogModel model(false);
        QList<LogEntry> entries;
        for (int i = 0; i < LogModel::kMaxRows + 10; ++i)
            entries << LogEntry{QDateTime::currentDateTime(), QtInfoMsg, QStringLiteral("x"),
                                QString::number(i)};
        model.append(entries.mid(0, 100));
        model.append(entries.mid(100));
        QCOMPARE(model.rowCount(), LogModel::kMaxRows);
        QCOMPARE(model.entryAt(0).message, QStringLiteral("10"));
        QCOMPARE(model.entryAt(LogModel::kMaxRows - 1).message,
                 QString::number(LogModel::kMaxRows + 9));
    }
};

QTEST_MAIN(TestUiModels)
#include "tst_uimodels.moc"
