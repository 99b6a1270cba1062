// A Prometheus histogram's state: fixed upper bounds, a count per bucket, the sum and the count of
// observations. PrometheusText::histogram() writes it (cumulative buckets, +Inf, _sum, _count).
#pragma once

#include <QList>

namespace nexustray::app {

class Histogram {
public:
    // `upperBounds` ascending, without +Inf (every histogram has it).
    explicit Histogram(QList<double> upperBounds = {});

    void observe(double value);

    const QList<double>& upperBounds() const { return m_bounds; }
    // Observations per bucket, not cumulative; one more than upperBounds(): the last is +Inf's.
    const QList<quint64>& bucketCounts() const { return m_counts; }
    double sum() const { return m_sum; }
    quint64 count() const { return m_count; }

private:
    QList<double> m_bounds;
    QList<quint64> m_counts;
    double m_sum = 0;
    quint64 m_count = 0;
};

} // namespace nexustray::app
