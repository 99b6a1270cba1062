#include "PrometheusText.h"

#include <QLocale>

#include <cmath>

#include "Histogram.h"

namespace nexustray::app {

void PrometheusText::family(const char* name, const char* type, const char* help) {
    m_text += QByteArray("# HELP ") + name + ' ' + help + '\n';
    m_text += QByteArray("# TYPE ") + name + ' ' + type + '\n';
}

void PrometheusText::sample(const char* name, const Labels& labels, double value) {
    m_text += name;
    if (!labels.isEmpty()) {
        m_text += '{';
        for (qsizetype i = 0; i < labels.size(); ++i) {
            if (i > 0)
                m_text += ',';
            m_text += labels.at(i).first.toUtf8() + "=\"" +
                      escapeLabelValue(labels.at(i).second).toUtf8() + '"';
        }
        m_text += '}';
    }
    m_text += ' ';
    if (std::isinf(value))
        m_text += value > 0 ? "+Inf" : "-Inf";
    else if (value == std::floor(value) && std::fabs(value) < 1e15)
        m_text += QByteArray::number(qint64(value));
    else
        m_text += QString::number(value, 'g', QLocale::FloatingPointShortest).toLatin1();
    m_text += '\n';
}

void PrometheusText::histogram(const char* name, const Labels& labels, const Histogram& h) {
    const QByteArray base(name);
    const QByteArray bucket = base + "_bucket";
    Labels withLe = labels;
    withLe.append({QStringLiteral("le"), QString()});
    quint64 cumulative = 0;
    for (qsizetype i = 0; i < h.bucketCounts().size(); ++i) {
        cumulative += h.bucketCounts().at(i);
        // "0.0005", "1", "+Inf": the shortest form that reads back as the bound.
        withLe.last().second =
            i < h.upperBounds().size()
                ? QString::number(h.upperBounds().at(i), 'f', QLocale::FloatingPointShortest)
                : QStringLiteral("+Inf");
        sample(bucket.constData(), withLe, double(cumulative));
    }
    sample((base + "_sum").constData(), labels, h.sum());
    sample((base + "_count").constData(), labels, double(h.count()));
}

QString PrometheusText::escapeLabelValue(const QString& value) {
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        if (c == QLatin1Char('\\'))
            out += QLatin1String("\\\\");
        else if (c == QLatin1Char('"'))
            out += QLatin1String("\\\"");
        else if (c == QLatin1Char('\n'))
            out += QLatin1String("\\n");
        else
            out += c;
    }
    return out;
}

} // namespace nexustray::app
