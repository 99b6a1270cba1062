// The editor's one-line text forms of port lists: `tcpPorts` / `allowedOutboundPorts` as
// "22, 443" and `udpRoutes` as "53:30, 67" (port, or port:flowIdleTimeoutSeconds — the same item
// syntax as NEXUS_UDP_ROUTES, attestation.md §1). Parsing reports every bad item in words; the
// loader still checks the result again when the file is saved.
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include "nexustray/Config.h"

namespace nexustray::ui {

// Only static functions; a class for its translation context, "PortListText".
class PortListText {
    Q_DECLARE_TR_FUNCTIONS(PortListText)
public:
    static QString formatPortList(const QList<int>& ports);
    // Items separated by commas and/or spaces; each 1-65535. Bad items are left out and named in
    // `problems` (prefixed with `what`).
    static QList<int> parsePortList(const QString& text, const QString& what,
                                    QStringList* problems);

    static QString formatUdpRoutes(const QList<UdpRoute>& routes);
    // "53" keeps the timeout absent (hub default); "53:0" is a configured 0.
    static QList<UdpRoute> parseUdpRoutes(const QString& text, const QString& what,
                                          QStringList* problems);
};

} // namespace nexustray::ui
