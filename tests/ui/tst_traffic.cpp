// "Traffic at a glance" without the engine: the TrafficHistory model fed with session snapshots
// (rates per second per backend and in total, counter resets, the 600-sample ring, dropped
// backends, open streams), the graph widget (plots lines when there is data, paints nothing and
// listens to nothing while hidden, accessible and keyboard reachable) and the tray tooltip text.
#include <QComboBox>
#include <QImage>
#include <QSignalSpy>
#include <QTabWidget>
#include <QtTest>

#include "status/Format.h"
#include "status/TrafficGraph.h"
#include "status/TrafficHistory.h"
#include "status/TrafficPanel.h"
#include "tray/TrayTooltip.h"

using namespace nexustray;
using namespace nexustray::ui;
using D = TrafficHistory::Direction;

namespace {

SessionSnapshot snap(const QString& sessionId, quint64 in, quint64 out, int streams = 0,
                     SessionState state = SessionState::Connected) {
    SessionSnapshot s;
    s.sessionId = sessionId;
    s.backendName = sessionId.section(QLatin1Char('#'), 0, 0);
    s.state = state;
    s.bytesIn = in;
    s.bytesOut = out;
    s.activeStreams = streams;
    return s;
}

// Counts paint events of one widget.
class PaintCounter : public QObject {
public:
    explicit PaintCounter(QWidget* w) { w->installEventFilter(this); }
    int paints = 0;
    bool eventFilter(QObject*, QEvent* e) override {
        paints += e->type() == QEvent::Paint;
        return false;
    }
};

// Pixels close to `color` in the part of the image below `top`.
int pixelsLike(const QImage& image, const QColor& color, int top) {
    int n = 0;
    for (int y = top; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            n += qAbs(c.red() - color.red()) + qAbs(c.green() - color.green()) +
                     qAbs(c.blue() - color.blue()) <
                 60;
        }
    }
    return n;
}

} // namespace

class TestTraffic : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ratesPerSecondPerBackendAndTotal() {
        TrafficHistory h(nullptr, 0);
        h.post(snap(QStringLiteral("web#1"), 0, 0));
        h.post(snap(QStringLiteral("web#2"), 0, 0));
        h.post(snap(QStringLiteral("mail#1"), 0, 0));
        h.sample();
        QCOMPARE(h.backends(), (QStringList{QStringLiteral("web"), QStringLiteral("mail")}));
        QCOMPARE(h.currentRate(QString(), D::ToLocal), 0.0);

        h.post(snap(QStringLiteral("web#1"), 1000, 500));
        h.post(snap(QStringLiteral("web#2"), 24, 12));
        h.post(snap(QStringLiteral("mail#1"), 100, 7));
        h.sample();
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToLocal), 1024.0);
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToHub), 512.0);
        QCOMPARE(h.currentRate(QStringLiteral("mail"), D::ToLocal), 100.0);
        QCOMPARE(h.currentRate(QStringLiteral("mail"), D::ToHub), 7.0);
        QCOMPARE(h.currentRate(QString(), D::ToLocal), 1124.0);
        QCOMPARE(h.currentRate(QString(), D::ToHub), 519.0);

        // Two seconds between samples: half the bytes per second. No news: zero.
        h.post(snap(QStringLiteral("web#1"), 5000, 500));
        h.sample(2.0);
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToLocal), 2000.0);
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToHub), 0.0);
        h.sample();
        QCOMPARE(h.rates(QStringLiteral("web"), D::ToLocal),
                 (QList<double>{0.0, 1024.0, 2000.0, 0.0}));
        QCOMPARE(h.rates(QString(), D::ToHub), (QList<double>{0.0, 519.0, 0.0, 0.0}));
        QCOMPARE(h.sampleCount(), 4);
        QCOMPARE(h.sampleCount(QStringLiteral("mail")), 4);
    }

    void aSessionFirstSeenLateIsNoSpike() {
        TrafficHistory h(nullptr, 0);
        h.post(snap(QStringLiteral("web#1"), 5'000'000'000ULL, 3'000'000'000ULL));
        h.sample();
        QCOMPARE(h.currentRate(QString(), D::ToLocal), 0.0);
        QCOMPARE(h.currentRate(QString(), D::ToHub), 0.0);
    }

    void aCounterThatGoesBackIsAReset() {
        TrafficHistory h(nullptr, 0);
        h.post(snap(QStringLiteral("web#1"), 0, 0));
        h.sample();
        h.post(snap(QStringLiteral("web#1"), 900'000, 800'000));
        h.sample();
        // The session restarted: its counters start again from zero.
        h.post(snap(QStringLiteral("web#1"), 0, 0, 0, SessionState::Connecting));
        h.sample();
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToLocal), 0.0);
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToHub), 0.0);
        h.post(snap(QStringLiteral("web#1"), 300, 200));
        h.sample();
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToLocal), 300.0);
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToHub), 200.0);
        // Restarted and already past a few bytes by the next sample: those bytes, not a negative
        // or a wrapped-around rate.
        h.post(snap(QStringLiteral("web#1"), 50, 40));
        h.sample();
        QCOMPARE(h.currentRate(QStringLiteral("web"), D::ToLocal), 50.0);
        QCOMPARE(h.currentRate(QString(), D::ToHub), 40.0);
        for (D d : {D::ToLocal, D::ToHub}) {
            for (double v : h.rates(QString(), d)) {
                QVERIFY(v >= 0);
                QVERIFY(v <= 900'000);
            }
        }
    }

    void ringBufferHoldsTheLast600Samples() {
        TrafficHistory h(nullptr, 0);
        quint64 in = 0;
        h.post(snap(QStringLiteral("web#1"), 0, 0));
        for (int i = 1; i <= 1500; ++i) {
            in += quint64(i); // sample i: rate i
            h.post(snap(QStringLiteral("web#1"), in, 2 * in));
            h.sample();
            QVERIFY(h.sampleCount() <= TrafficHistory::kCapacity);
        }
        for (const QString& series : {QString(), QStringLiteral("web")}) {
            QCOMPARE(h.sampleCount(series), 600);
            const QList<double> local = h.rates(series, D::ToLocal);
            const QList<double> hub = h.rates(series, D::ToHub);
            QCOMPARE(local.size(), 600);
            QCOMPARE(hub.size(), 600);
            QCOMPARE(local.first(), 901.0);
            QCOMPARE(local.last(), 1500.0);
            QCOMPARE(hub.last(), 3000.0);
        }
    }

    void backendsNoLongerConfiguredAreDropped() {
        TrafficHistory h(nullptr, 0);
        QSignalSpy changed(&h, &TrafficHistory::backendsChanged);
        h.setBackends({QStringLiteral("web"), QStringLiteral("mail")});
        QCOMPARE(changed.size(), 1);
        h.post(snap(QStringLiteral("web#1"), 0, 0));
        h.post(snap(QStringLiteral("mail#1"), 0, 0, 2));
        h.sample();
        h.post(snap(QStringLiteral("mail#1"), 1000, 1000, 2));
        h.setBackends({QStringLiteral("web")});
        QCOMPARE(changed.size(), 2);
        QCOMPARE(h.backends(), QStringList{QStringLiteral("web")});
        QVERIFY(h.rates(QStringLiteral("mail"), D::ToLocal).isEmpty());
        QCOMPARE(h.openStreams(), 0);
        // A late snapshot of the removed backend does not bring it back or count in the total.
        h.post(snap(QStringLiteral("mail#1"), 5000, 5000, 1, SessionState::Disabled));
        h.sample();
        QCOMPARE(h.backends(), QStringList{QStringLiteral("web")});
        QCOMPARE(h.currentRate(QString(), D::ToLocal), 0.0);
        // A backend added later gets a series that starts empty.
        h.setBackends({QStringLiteral("web"), QStringLiteral("db")});
        QCOMPARE(h.sampleCount(QStringLiteral("db")), 0);
        QCOMPARE(h.sampleCount(QStringLiteral("web")), 2);
    }

    void openStreamsCountActiveSessions() {
        TrafficHistory h(nullptr, 0);
        h.post(snap(QStringLiteral("web#1"), 0, 0, 3));
        h.post(snap(QStringLiteral("web#2"), 0, 0, 1));
        h.post(snap(QStringLiteral("mail#1"), 0, 0, 2));
        QCOMPARE(h.openStreams(), 6);
        QCOMPARE(h.openStreams(QStringLiteral("web")), 4);
        h.post(snap(QStringLiteral("web#2"), 0, 0, 1, SessionState::Disabled));
        QCOMPARE(h.openStreams(), 5);
    }

    void theTimerSamplesOnItsOwn() {
        TrafficHistory h(nullptr, 20);
        QSignalSpy sampled(&h, &TrafficHistory::sampled);
        h.post(snap(QStringLiteral("web#1"), 0, 0));
        QVERIFY(sampled.wait(5000));
        h.post(snap(QStringLiteral("web#1"), 1 << 20, 1 << 10));
        // 1 MiB within less than a second: more than 1 MiB/s in one sample (rates are per second
        // of measured time between samples), and nothing in the others.
        QTRY_VERIFY(h.sampleCount() >= 3 && h.currentRate(QString(), D::ToLocal) == 0);
        const QList<double> local = h.rates(QStringLiteral("web"), D::ToLocal);
        QCOMPARE(std::count_if(local.cbegin(), local.cend(), [](double v) { return v > 0; }), 1);
        QVERIFY(*std::max_element(local.cbegin(), local.cend()) > double(1 << 20));
    }

    void graphPlotsBothLinesWhenThereIsData() {
        TrafficHistory h(nullptr, 0);
        TrafficGraph empty(&h);
        empty.resize(640, 260);
        const QImage blank = empty.grab().toImage();
        const int legendHeight = empty.fontMetrics().height() + 14;
        QCOMPARE(pixelsLike(blank, TrafficGraph::toLocalColor(), legendHeight), 0);
        QCOMPARE(pixelsLike(blank, TrafficGraph::toHubColor(), legendHeight), 0);

        quint64 in = 0;
        quint64 out = 0;
        h.post(snap(QStringLiteral("web#1"), 0, 0));
        for (int i = 0; i < 120; ++i) {
            in += 800'000 + quint64(i % 10) * 50'000;
            out += 200'000;
            h.post(snap(QStringLiteral("web#1"), in, out));
            h.sample();
        }
        TrafficGraph graph(&h);
        graph.resize(640, 260);
        const QImage image = graph.grab().toImage();
        QVERIFY(!image.isNull());
        QVERIFY2(pixelsLike(image, TrafficGraph::toLocalColor(), legendHeight) > 100,
                 "no to-local line");
        QVERIFY2(pixelsLike(image, TrafficGraph::toHubColor(), legendHeight) > 100,
                 "no to-hub line");
        // A backend without traffic plots nothing.
        h.post(snap(QStringLiteral("idle#1"), 0, 0));
        h.sample();
        graph.setBackend(QStringLiteral("idle"));
        const QImage idle = graph.grab().toImage();
        QCOMPARE(pixelsLike(idle, TrafficGraph::toHubColor(), legendHeight + 4), 0);
    }

    void graphPaintsOnlyWhileVisible() {
        TrafficHistory h(nullptr, 0);
        h.post(snap(QStringLiteral("web#1"), 0, 0));
        QTabWidget window;
        auto* other = new QWidget;
        window.addTab(other, QStringLiteral("other"));
        auto* panel = new TrafficPanel(&h);
        window.addTab(panel, QStringLiteral("Traffic"));
        PaintCounter counter(panel->graph());
        window.resize(700, 360);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!panel->graph()->isVisible());
        for (int i = 0; i < 5; ++i) {
            h.post(snap(QStringLiteral("web#1"), quint64(i) * 1000, 0));
            h.sample();
            QCoreApplication::processEvents();
        }
        QCOMPARE(counter.paints, 0);

        window.setCurrentWidget(panel);
        QTRY_VERIFY(counter.paints > 0);
        const int shown = counter.paints;
        h.sample();
        QTRY_VERIFY(counter.paints > shown); // once per sample while visible

        window.setCurrentWidget(other);
        QVERIFY(!panel->graph()->isVisible());
        QCoreApplication::processEvents();
        counter.paints = 0;
        for (int i = 0; i < 5; ++i) {
            h.sample();
            QCoreApplication::processEvents();
        }
        QCOMPARE(counter.paints, 0);

        window.hide();
        window.setCurrentWidget(panel);
        h.sample();
        QCoreApplication::processEvents();
        QCOMPARE(counter.paints, 0);
    }

    void selectorAndGraphAreAccessibleAndReachable() {
        TrafficHistory h(nullptr, 0);
        h.setBackends({QStringLiteral("web"), QStringLiteral("mail")});
        TrafficPanel panel(&h);
        QComboBox* selector = panel.backendSelector();
        QCOMPARE(selector->count(), 3);
        QCOMPARE(selector->itemText(0), QStringLiteral("All backends"));
        QCOMPARE(selector->itemText(2), QStringLiteral("mail"));
        QVERIFY(!selector->accessibleName().isEmpty());
        QVERIFY(!panel.graph()->accessibleName().isEmpty());
        QVERIFY(panel.graph()->focusPolicy() & Qt::TabFocus);
        QVERIFY(selector->focusPolicy() & Qt::TabFocus);
        QCOMPARE(panel.graph()->backend(), QString());
        selector->setCurrentIndex(2);
        QCOMPARE(panel.graph()->backend(), QStringLiteral("mail"));
        // The selected backend is removed from the config: back to all backends.
        h.setBackends({QStringLiteral("web")});
        QCOMPARE(selector->count(), 2);
        QCOMPARE(panel.graph()->backend(), QString());
        selector->setCurrentIndex(1);
        QCOMPARE(panel.graph()->backend(), QStringLiteral("web"));
        h.setBackends({QStringLiteral("web"), QStringLiteral("db")});
        QCOMPARE(panel.graph()->backend(), QStringLiteral("web")); // kept
    }

    void tooltipShowsRatesAndStreams() {
        TrafficHistory h(nullptr, 0);
        h.post(snap(QStringLiteral("web#1"), 0, 0, 3));
        h.post(snap(QStringLiteral("web#2"), 0, 0, 1));
        h.sample();
        h.post(snap(QStringLiteral("web#1"), 1258291, 35 * 1024, 3));
        h.sample();
        const QString tip = trayTooltip(QStringLiteral("nexus-tray: All tunnels connected"),
                                        {QStringLiteral("web: 2 of 2 connected")}, &h);
        const QStringList lines = tip.split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines.at(0), QStringLiteral("nexus-tray: All tunnels connected"));
        QCOMPARE(lines.at(1), QStringLiteral("web: 2 of 2 connected"));
        QVERIFY2(lines.at(2).contains(QStringLiteral("↓ 1.2 MiB/s")), qPrintable(lines.at(2)));
        QVERIFY2(lines.at(2).contains(QStringLiteral("↑ 35 KiB/s")), qPrintable(lines.at(2)));
        QVERIFY2(lines.at(2).contains(QStringLiteral("4 stream")), qPrintable(lines.at(2)));
        // Nothing moving: zero rates, not dashes.
        h.sample();
        const QString idle = trafficSummary(h);
        QVERIFY2(idle.contains(QStringLiteral("↓ 0 B/s")), qPrintable(idle));
        QVERIFY2(idle.contains(QStringLiteral("↑ 0 B/s")), qPrintable(idle));
        // Without a history: no traffic line.
        QCOMPARE(trayTooltip(QStringLiteral("t"), {}, nullptr), QStringLiteral("t"));
    }
};

QTEST_MAIN(TestTraffic)
#include "tst_traffic.moc"
