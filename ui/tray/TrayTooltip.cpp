#include "TrayTooltip.h"

#include <QCoreApplication>

#include "status/Format.h"
#include "status/TrafficHistory.h"

namespace nexustray::ui {

namespace {
QString rateText(double bytesPerSecond) {
    return bytesPerSecond < 0.5
               ? QCoreApplication::translate("nexustray::ui::Format", "%1/s").arg(formatBytes(0))
               : formatRate(bytesPerSecond);
}
} // namespace

QString trafficSummary(const TrafficHistory& traffic) {
    using D = TrafficHistory::Direction;
    const int streams = traffic.openStreams();
    return QCoreApplication::translate("nexustray::ui::TrayTooltip", "↓ %1 ↑ %2 · %n stream(s)",
                                       nullptr, streams)
        .arg(rateText(traffic.currentRate(QString(), D::ToLocal)),
             rateText(traffic.currentRate(QString(), D::ToHub)));
}

QString trayTooltip(const QString& title, const QStringList& backendLines,
                    const TrafficHistory* traffic) {
    QStringList lines{title};
    lines << backendLines;
    if (traffic)
        lines << trafficSummary(*traffic);
    return lines.join(QLatin1Char('\n'));
}

} // namespace nexustray::ui
