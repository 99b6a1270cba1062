#include "TrafficHistory.h"

#include <algorithm>

namespace nexustray::ui {

void TrafficHistory::Ring::push(float value) {
    values[size_t(next)] = value;
    next = (next + 1) % kCapacity;
    count = std::min(count + 1, kCapacity);
}

QList<double> TrafficHistory::Ring::ordered() const {
    QList<double> out;
    out.reserve(count);
    const int first = (next - count + kCapacity) % kCapacity;
    for (int i = 0; i < count; ++i)
        out << double(values[size_t((first + i) % kCapacity)]);
    return out;
}

double TrafficHistory::Ring::newest() const {
    return count == 0 ? 0.0 : double(values[size_t((next - 1 + kCapacity) % kCapacity)]);
}

TrafficHistory::TrafficHistory(QObject* parent, int intervalMs)
    : QObject(parent) {
    m_clock.start();
    if (intervalMs <= 0)
        return;
    m_timer.setInterval(intervalMs);
    m_timer.setTimerType(Qt::CoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        const qint64 ms = m_clock.restart();
        sample(ms > 0 ? double(ms) / 1000.0 : 1.0);
    });
    m_timer.start();
}

TrafficHistory::~TrafficHistory() = default;

void TrafficHistory::post(const SessionSnapshot& snapshot) {
    if (m_backendsSet && !m_order.contains(snapshot.backendName))
        return;
    ensureSeries(snapshot.backendName);
    auto it = m_sessions.find(snapshot.sessionId);
    if (it == m_sessions.end()) {
        SessionCounters fresh;
        fresh.sampledIn = snapshot.bytesIn; // its past is not this second's traffic
        fresh.sampledOut = snapshot.bytesOut;
        it = m_sessions.insert(snapshot.sessionId, fresh);
    }
    it->backend = snapshot.backendName;
    it->bytesIn = snapshot.bytesIn;
    it->bytesOut = snapshot.bytesOut;
    it->active = snapshot.state != SessionState::Disabled;
    it->streams = it->active ? snapshot.activeStreams : 0;
}

void TrafficHistory::setBackends(const QStringList& names) {
    const bool changed = !m_backendsSet || names != m_order;
    m_backendsSet = true;
    for (auto it = m_series.begin(); it != m_series.end();)
        it = names.contains(it.key()) ? std::next(it) : m_series.erase(it);
    for (auto it = m_sessions.begin(); it != m_sessions.end();)
        it = names.contains(it->backend) ? std::next(it) : m_sessions.erase(it);
    m_order.clear();
    for (const QString& name : names)
        ensureSeries(name);
    if (changed)
        Q_EMIT backendsChanged();
}

void TrafficHistory::sample(double seconds) {
    if (seconds <= 0)
        seconds = 1.0;
    QHash<QString, std::pair<quint64, quint64>> moved; // backend -> bytes in, out
    for (SessionCounters& s : m_sessions) {
        // A counter that went back belongs to a restarted session: all of it is new traffic.
        const quint64 in = s.bytesIn >= s.sampledIn ? s.bytesIn - s.sampledIn : s.bytesIn;
        const quint64 out = s.bytesOut >= s.sampledOut ? s.bytesOut - s.sampledOut : s.bytesOut;
        s.sampledIn = s.bytesIn;
        s.sampledOut = s.bytesOut;
        auto& sum = moved[s.backend];
        sum.first += in;
        sum.second += out;
    }
    double totalIn = 0;
    double totalOut = 0;
    for (const QString& backend : std::as_const(m_order)) {
        const auto sum = moved.value(backend);
        Series& series = m_series[backend];
        series.toLocal.push(float(double(sum.first) / seconds));
        series.toHub.push(float(double(sum.second) / seconds));
        totalIn += double(sum.first);
        totalOut += double(sum.second);
    }
    m_total.toLocal.push(float(totalIn / seconds));
    m_total.toHub.push(float(totalOut / seconds));
    Q_EMIT sampled();
}

QStringList TrafficHistory::backends() const {
    return m_order;
}

QList<double> TrafficHistory::rates(const QString& backend, Direction direction) const {
    const Series* series = seriesOf(backend);
    if (!series)
        return {};
    return (direction == Direction::ToLocal ? series->toLocal : series->toHub).ordered();
}

double TrafficHistory::currentRate(const QString& backend, Direction direction) const {
    const Series* series = seriesOf(backend);
    if (!series)
        return 0.0;
    return (direction == Direction::ToLocal ? series->toLocal : series->toHub).newest();
}

int TrafficHistory::sampleCount(const QString& backend) const {
    const Series* series = seriesOf(backend);
    return series ? series->toLocal.count : 0;
}

int TrafficHistory::openStreams(const QString& backend) const {
    int n = 0;
    for (const SessionCounters& s : m_sessions) {
        if (backend.isEmpty() || s.backend == backend)
            n += s.streams;
    }
    return n;
}

TrafficHistory::Series* TrafficHistory::seriesOf(const QString& backend) {
    if (backend.isEmpty())
        return &m_total;
    auto it = m_series.find(backend);
    return it == m_series.end() ? nullptr : &it.value();
}

const TrafficHistory::Series* TrafficHistory::seriesOf(const QString& backend) const {
    if (backend.isEmpty())
        return &m_total;
    auto it = m_series.constFind(backend);
    return it == m_series.cend() ? nullptr : &it.value();
}

TrafficHistory::Series& TrafficHistory::ensureSeries(const QString& backend) {
    auto it = m_series.find(backend);
    if (it == m_series.end()) {
        it = m_series.insert(backend, Series{});
        if (!m_order.contains(backend))
            m_order << backend;
        if (!m_backendsSet)
            Q_EMIT backendsChanged();
    } else if (!m_order.contains(backend)) {
        m_order << backend;
    }
    return it.value();
}

} // namespace nexustray::ui
