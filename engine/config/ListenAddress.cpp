// See nexustray/ListenAddress.h.
#include "nexustray/ListenAddress.h"

namespace nexustray {

QString parseListenAddress(const QString& text, ListenAddress* out) {
    const QString trimmed = text.trimmed();
    QString host;
    QString port;
    if (trimmed.startsWith(u'[')) {
        const qsizetype close = trimmed.indexOf(u']');
        if (close < 0 || trimmed.mid(close + 1, 1) != QLatin1String(":"))
            return QStringLiteral("expected [IPv6]:port");
        host = trimmed.mid(1, close - 1);
        port = trimmed.mid(close + 2);
        if (!host.contains(u':'))
            return QStringLiteral("brackets are only for IPv6 addresses");
    } else {
        const qsizetype colon = trimmed.lastIndexOf(u':');
        if (colon < 0)
            return QStringLiteral("expected host:port");
        host = trimmed.left(colon);
        port = trimmed.mid(colon + 1);
        if (host.contains(u':'))
            return QStringLiteral("an IPv6 address must be in brackets, e.g. [::1]:1080");
    }
    bool ok = false;
    const uint number = port.toUInt(&ok);
    if (!ok || number > 65535 || port.startsWith(u'+'))
        return QStringLiteral("invalid port '%1'").arg(port);
    ListenAddress result;
    result.port = quint16(number);
    if (host.isEmpty())
        result.address = QHostAddress(QHostAddress::Any);
    else if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        result.address = QHostAddress(QHostAddress::LocalHost);
    else if (!result.address.setAddress(host) || !result.address.scopeId().isEmpty())
        return QStringLiteral("'%1' is not an IP address or localhost").arg(host);
    *out = result;
    return {};
}

} // namespace nexustray
