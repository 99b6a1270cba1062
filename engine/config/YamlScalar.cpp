#include "config/YamlScalar.h"

#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace nexustray::yamlscalar {

namespace {

std::optional<qint64> parseWithPrefix(QString digits) {
    bool negative = false;
    if (digits.startsWith(u'+') || digits.startsWith(u'-')) {
        negative = digits.startsWith(u'-');
        digits.remove(0, 1);
    }
    int base = 10;
    if (digits.size() > 2 && digits.at(0) == u'0') {
        const QChar marker = digits.at(1).toLower();
        if (marker == u'x' || marker == u'o' || marker == u'b') {
            base = marker == u'x' ? 16 : (marker == u'o' ? 8 : 2);
            digits.remove(0, 2);
        }
    }
    if (base == 10 && digits.size() > 1 && digits.at(0) == u'0')
        base = 8; // Go's strconv.ParseInt(s, 0, 64): a leading zero means octal
    if (digits.isEmpty() || digits.startsWith(u'+') || digits.startsWith(u'-'))
        return std::nullopt;
    bool ok = false;
    const qulonglong magnitude = digits.toULongLong(&ok, base);
    if (!ok)
        return std::nullopt;
    if (magnitude > static_cast<qulonglong>(std::numeric_limits<qint64>::max()))
        return std::nullopt;
    const auto value = static_cast<qint64>(magnitude);
    return negative ? -value : value;
}

} // namespace

std::optional<int> toInt(const QString& plain) {
    const QString text = QString(plain).remove(u'_');
    if (text.isEmpty())
        return std::nullopt;
    std::optional<qint64> value = parseWithPrefix(text);
    if (!value) {
        // The YAML float form; Go truncates it when the target is an integer.
        static const QRegularExpression floatForm(
            QStringLiteral("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"));
        if (!floatForm.match(text).hasMatch())
            return std::nullopt;
        bool ok = false;
        const double d = text.toDouble(&ok);
        if (!ok || !std::isfinite(d))
            return std::nullopt;
        const double truncated = std::trunc(d);
        if (truncated < static_cast<double>(std::numeric_limits<int>::min()) ||
            truncated > static_cast<double>(std::numeric_limits<int>::max()))
            return std::nullopt;
        return static_cast<int>(truncated);
    }
    if (*value < std::numeric_limits<int>::min() || *value > std::numeric_limits<int>::max())
        return std::nullopt;
    return static_cast<int>(*value);
}

std::optional<bool> toBool(const QString& plain) {
    static const QStringList truthy = {
        QStringLiteral("true"), QStringLiteral("True"), QStringLiteral("TRUE"),
        QStringLiteral("y"),    QStringLiteral("Y"),    QStringLiteral("yes"),
        QStringLiteral("Yes"),  QStringLiteral("YES"),  QStringLiteral("on"),
        QStringLiteral("On"),   QStringLiteral("ON")};
    static const QStringList falsy = {
        QStringLiteral("false"), QStringLiteral("False"), QStringLiteral("FALSE"),
        QStringLiteral("n"),     QStringLiteral("N"),     QStringLiteral("no"),
        QStringLiteral("No"),    QStringLiteral("NO"),    QStringLiteral("off"),
        QStringLiteral("Off"),   QStringLiteral("OFF")};
    if (truthy.contains(plain))
        return true;
    if (falsy.contains(plain))
        return false;
    return std::nullopt;
}

} // namespace nexustray::yamlscalar
