// The throughput history behind the traffic graphs and the tray tooltip: per backend and in total,
// to-local (hub -> local service, SessionSnapshot::bytesIn) and to-hub (bytesOut) in bytes per
// second, the last 600 one-second samples in fixed ring buffers (no growth over time).
//
// Fed with session snapshots (post()); a timer samples the latest cumulative counters once per
// second and stores the differences as rates, also while no graph is visible (numbers only). A
// counter that goes back (the session restarted) counts as a reset: its new value is the traffic
// since the restart, never a negative rate. Backends no longer configured are dropped.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <array>

#include "nexustray/Snapshots.h"

namespace nexustray::ui {

class TrafficHistory : public QObject {
    Q_OBJECT
public:
    static constexpr int kCapacity = 600; // samples per series: 10 minutes at 1 s
    enum class Direction { ToLocal, ToHub };

    // Sampling starts at once every intervalMs (0: never; call sample() yourself).
    explicit TrafficHistory(QObject* parent = nullptr, int intervalMs = 1000);
    ~TrafficHistory() override;

    // The latest counters of a session (Client::sessionChanged). Counters are read at the next
    // sample; a session seen for the first time counts from its current values on.
    void post(const nexustray::SessionSnapshot& snapshot);
    // The configured backends, in order: series of other backends are dropped, and snapshots of
    // unknown backends are ignored from now on.
    void setBackends(const QStringList& names);

    // One sample: the bytes moved since the last one, over `seconds` (the timer passes the time
    // measured since the previous sample).
    void sample(double seconds = 1.0);

    QStringList backends() const; // backends with a series, in configuration (or first-seen) order
    // Rates in bytes/s, oldest first, at most kCapacity; an empty backend name means the total.
    QList<double> rates(const QString& backend, Direction direction) const;
    double currentRate(const QString& backend, Direction direction) const; // the newest sample
    int sampleCount(const QString& backend = {}) const;
    // Open streams of the backend's (or all) sessions, from the latest snapshots.
    int openStreams(const QString& backend = {}) const;

Q_SIGNALS:
    void sampled();         // a new sample is in every series
    void backendsChanged(); // a series was added or dropped

private:
    struct Ring {
        std::array<float, kCapacity> values{};
        int next = 0;
        int count = 0;
        void push(float value);
        QList<double> ordered() const;
        double newest() const;
    };
    struct Series {
        Ring toLocal;
        Ring toHub;
    };
    struct SessionCounters {
        QString backend;
        quint64 bytesIn = 0;
        quint64 bytesOut = 0;
        quint64 sampledIn = 0;
        quint64 sampledOut = 0;
        int streams = 0;
        bool active = false;
    };
    Series* seriesOf(const QString& backend);
    const Series* seriesOf(const QString& backend) const;
    Series& ensureSeries(const QString& backend);

    QTimer m_timer;
    QElapsedTimer m_clock;
    QHash<QString, SessionCounters> m_sessions; // by session id
    QHash<QString, Series> m_series;            // by backend name
    QStringList m_order;
    Series m_total;
    bool m_backendsSet = false;
};

} // namespace nexustray::ui
