// Human-readable numbers for the tables: bytes, rates, durations (translated units).
#pragma once

#include <QString>
#include <QtGlobal>

namespace nexustray::ui {

QString formatBytes(quint64 bytes);        // "512 B", "1.5 KiB", "3.2 MiB"
QString formatRate(double bytesPerSecond); // "1.5 KiB/s", "—" when zero
QString formatDuration(qint64 seconds);    // "5 s", "3 min 4 s", "2 h 5 min", "3 d 4 h"

} // namespace nexustray::ui
