#include "PrometheusText.h"

#include <cmath>

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
        m_text += QByteArray::number(value, 'g', 17);
    m_text += '\n';
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
