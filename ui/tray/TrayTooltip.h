// The tray icon's tooltip: the overall state, one line per backend, and the current traffic
// (total to-local / to-hub rates and open streams, from the shared TrafficHistory).
#pragma once

#include <QString>
#include <QStringList>

namespace nexustray::ui {

class TrafficHistory;

// "<title>\n<backend lines>\n↓ 1.2 MiB/s ↑ 35 KiB/s · 4 streams" (the traffic line only with a
// history).
QString trayTooltip(const QString& title, const QStringList& backendLines,
                    const TrafficHistory* traffic);
// The traffic line alone: "↓ 1.2 MiB/s ↑ 35 KiB/s · 4 streams".
QString trafficSummary(const TrafficHistory& traffic);

} // namespace nexustray::ui
