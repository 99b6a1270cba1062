// Writing the Prometheus text exposition format 0.0.4: HELP/TYPE headers and samples with label
// values escaped (backslash, double quote, line feed), one metric family at a time; histograms
// as their _bucket (cumulative, le ending with +Inf), _sum and _count series.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace nexustray::app {

class Histogram;

class PrometheusText {
public:
    using Labels = QList<QPair<QString, QString>>;

    // Starts a family: "# HELP name help" and "# TYPE name type" (counter, gauge, histogram).
    void family(const char* name, const char* type, const char* help);
    void sample(const char* name, const Labels& labels, double value);
    // The series of one histogram of family `name` (declared with type "histogram").
    void histogram(const char* name, const Labels& labels, const Histogram& histogram);
    const QByteArray& text() const { return m_text; }

    static QString escapeLabelValue(const QString& value);

private:
    QByteArray m_text;
};

} // namespace nexustray::app
