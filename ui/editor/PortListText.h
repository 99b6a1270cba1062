// The editor's one-line text forms of port lists: `tcpPorts` / `allowedOutboundPorts` as
// "22, 443" and `udpRoutes` as "53:30, 67" (port, or port:flowIdleTimeoutSeconds — the same item
// syntax as NEXUS_UDP_ROUTES, attestation.md §1). Parsing reports every bad item in words; the
// loader still checks the result again when the file is saved.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "nexustray/Config.h"

namespace nexustray::ui {

QString formatPortList(const QList<int>& ports);
// Items separated by commas and/or spaces; each 1-65535. Bad items are left out and named in
// `problems` (prefixed with `what`).
QList<int> parsePortList(const QString& text, const QString& what, QStringList* problems);

QString formatUdpRoutes(const QList<UdpRoute>& routes);
// "53" keeps the timeout absent (hub default); "53:0" is a configured 0.
QList<UdpRoute> parseUdpRoutes(const QString& text, const QString& what, QStringList* problems);

} // namespace nexustray::ui
