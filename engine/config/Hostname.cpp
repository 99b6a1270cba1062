#include "config/Hostname.h"

#include <QHostAddress>
#include <QStringList>
#include <QUrl>

namespace nexustray::hostname {

namespace {

constexpr int kMaxLabel = 63;
constexpr int kMaxName = 253;

bool isLdhChar(QChar c) {
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-';
}

bool isStd3AsciiLabel(const QString& label) {
    for (QChar c : label) {
        if (!isLdhChar(c.toLower()))
            return false;
    }
    return true;
}

// UTS #46 CheckHyphens on the mapped label. Qt's toAce skips the "--" in positions 3-4 rule and
// accepts leading/trailing hyphens in non-ASCII labels, so it is checked here. ACE input labels
// ("xn--") are decoded and checked by Qt.
bool hyphensOk(const QString& label) {
    const QString mapped = label.normalized(QString::NormalizationForm_KC).toCaseFolded();
    if (mapped.startsWith(QLatin1String("xn--")))
        return true;
    if (mapped.startsWith(u'-') || mapped.endsWith(u'-'))
        return false;
    return !(mapped.size() >= 4 && mapped.at(2) == u'-' && mapped.at(3) == u'-');
}

bool isDnsLabel(const QString& label) {
    if (label.isEmpty() || label.size() > kMaxLabel)
        return false;
    if (label.startsWith(u'-') || label.endsWith(u'-'))
        return false;
    for (QChar c : label) {
        if (!isLdhChar(c))
            return false;
    }
    return true;
}

bool isDnsName(const QString& name, int minLabels) {
    const QStringList labels = name.split(u'.');
    if (labels.size() < minLabels)
        return false;
    for (const QString& label : labels) {
        if (!isDnsLabel(label))
            return false;
    }
    return true;
}

} // namespace

std::optional<QString> idnaToAscii(const QString& domain) {
    // UTS #46 maps the ideographic and full-width full stops to '.'; split on them up front so
    // that empty labels ("a..b", allowed without length checks) can be kept around Qt, which
    // refuses them.
    QString dotted = domain;
    for (char16_t stop : {u'\u3002', u'\uFF0E', u'\uFF61'})
        dotted.replace(QChar(stop), u'.');
    const QStringList labels = dotted.split(u'.');
    QStringList nonEmpty;
    for (const QString& label : labels) {
        if (label.isEmpty())
            continue;
        if (!hyphensOk(label))
            return std::nullopt;
        nonEmpty << label;
    }
    if (nonEmpty.isEmpty())
        return std::nullopt;

    const QByteArray ace = QUrl::toAce(nonEmpty.join(u'.'));
    if (ace.isEmpty())
        return std::nullopt;
    const QStringList converted = QString::fromLatin1(ace).split(u'.');
    if (converted.size() != nonEmpty.size())
        return std::nullopt;
    // Qt does not apply the STD3 rules ("_" passes), UTS #46 lookup with STD3 does.
    for (const QString& label : converted) {
        if (label.isEmpty() || !isStd3AsciiLabel(label))
            return std::nullopt;
    }

    QStringList out;
    out.reserve(labels.size());
    qsizetype next = 0;
    for (const QString& label : labels)
        out << (label.isEmpty() ? QString() : converted.at(next++));
    return out.join(u'.');
}

QString normalize(const QString& raw) {
    QString name = raw.trimmed();
    if (name.endsWith(u'.'))
        name.chop(1);
    if (name.isEmpty())
        return {};
    const std::optional<QString> ascii = idnaToAscii(name);
    return (ascii ? *ascii : name).toLower();
}

QString normalizePattern(const QString& raw) {
    const QString pattern = raw.trimmed();
    if (pattern.startsWith(QLatin1String("*."))) {
        const QString rest = normalize(pattern.mid(2));
        return rest.isEmpty() ? QString() : QStringLiteral("*.") + rest;
    }
    return normalize(pattern);
}

bool isValidHostname(const QString& normalized) {
    if (normalized.isEmpty() || normalized.size() > kMaxName)
        return false;
    if (isWildcard(normalized))
        return isDnsName(normalized.mid(2), 2); // the hub's rule: "*." + at least two labels
    return isDnsName(normalized, 1);
}

bool isWildcard(const QString& pattern) {
    return pattern.startsWith(QLatin1String("*."));
}

bool hasRouteKeyPrefix(const QString& name) {
    return name.startsWith(QLatin1String("tcp:")) || name.startsWith(QLatin1String("udp:"));
}

bool isRouteKey(const QString& name) {
    if (!hasRouteKeyPrefix(name) || name.size() == 4)
        return false;
    for (qsizetype i = 4; i < name.size(); ++i) {
        if (name.at(i) < u'0' || name.at(i) > u'9')
            return false;
    }
    return true;
}

bool wildcardMatches(const QString& pattern, const QString& host) {
    if (!isWildcard(pattern) || pattern.size() <= 2)
        return false;
    const QStringView suffix = QStringView(pattern).mid(1); // ".example.com"
    if (host.size() <= suffix.size() || !host.endsWith(suffix))
        return false;
    return !QStringView(host).left(host.size() - suffix.size()).contains(u'.');
}

bool isLoopbackHost(const QString& host) {
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
        host.endsWith(QLatin1String(".localhost"), Qt::CaseInsensitive))
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace nexustray::hostname
