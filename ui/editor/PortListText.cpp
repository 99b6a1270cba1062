// See PortListText.h.
#include "PortListText.h"

#include <QRegularExpression>

namespace nexustray::ui {

namespace {

QStringList itemsOf(const QString& text) {
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

// A decimal number in [min, max], or -1.
int numberIn(const QString& item, int min, int max) {
    bool ok = false;
    const int value = item.toInt(&ok);
    return ok && value >= min && value <= max ? value : -1;
}

} // namespace

QString PortListText::formatPortList(const QList<int>& ports) {
    QStringList items;
    for (int port : ports)
        items << QString::number(port);
    return items.join(QLatin1String(", "));
}

QList<int> PortListText::parsePortList(const QString& text, const QString& what,
                                       QStringList* problems) {
    QList<int> ports;
    for (const QString& item : itemsOf(text)) {
        const int port = numberIn(item, 1, 65535);
        if (port < 0)
            *problems << tr("%1: \"%2\" is not a port number (1-65535).").arg(what, item);
        else
            ports << port;
    }
    return ports;
}

QString PortListText::formatUdpRoutes(const QList<UdpRoute>& routes) {
    QStringList items;
    for (const UdpRoute& route : routes) {
        items << (route.flowIdleTimeoutSeconds
                      ? QStringLiteral("%1:%2").arg(route.port).arg(*route.flowIdleTimeoutSeconds)
                      : QString::number(route.port));
    }
    return items.join(QLatin1String(", "));
}

QList<UdpRoute> PortListText::parseUdpRoutes(const QString& text, const QString& what,
                                             QStringList* problems) {
    QList<UdpRoute> routes;
    for (const QString& item : itemsOf(text)) {
        const QStringList parts = item.split(QLatin1Char(':'));
        UdpRoute route;
        route.port = numberIn(parts.at(0), 1, 65535);
        int timeout = 0;
        if (parts.size() == 2)
            timeout = numberIn(parts.at(1), 0, 86400);
        if (parts.size() > 2 || route.port < 0 || timeout < 0) {
            *problems << tr("%1: \"%2\" is not a UDP route (port, or port:idle seconds).")
                             .arg(what, item);
            continue;
        }
        if (parts.size() == 2)
            route.flowIdleTimeoutSeconds = timeout;
        routes << route;
    }
    return routes;
}

} // namespace nexustray::ui
