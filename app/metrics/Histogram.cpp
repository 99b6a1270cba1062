#include "Histogram.h"

#include <algorithm>

namespace nexustray::app {

Histogram::Histogram(QList<double> upperBounds)
    : m_bounds(std::move(upperBounds))
    , m_counts(m_bounds.size() + 1, 0) {}

void Histogram::observe(double value) {
    // Prometheus buckets are "less than or equal": the first bound >= value.
    const auto it = std::lower_bound(m_bounds.cbegin(), m_bounds.cend(), value);
    ++m_counts[it - m_bounds.cbegin()];
    m_sum += value;
    ++m_count;
}

} // namespace nexustray::app
