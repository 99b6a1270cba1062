#include "Format.h"

#include <QCoreApplication>
#include <QLocale>

namespace nexustray::ui {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("nexustray::ui::Format", text);
}
} // namespace

QString formatBytes(quint64 bytes) {
    if (bytes < 1024)
        return tr("%1 B").arg(bytes);
    const char* units[] = {QT_TRANSLATE_NOOP("nexustray::ui::Format", "%1 KiB"),
                           QT_TRANSLATE_NOOP("nexustray::ui::Format", "%1 MiB"),
                           QT_TRANSLATE_NOOP("nexustray::ui::Format", "%1 GiB"),
                           QT_TRANSLATE_NOOP("nexustray::ui::Format", "%1 TiB")};
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return tr(units[unit]).arg(QLocale().toString(value, 'f', value < 10 ? 1 : 0));
}

QString formatRate(double bytesPerSecond) {
    if (bytesPerSecond < 0.5)
        return QStringLiteral("—");
    return tr("%1/s").arg(formatBytes(quint64(bytesPerSecond + 0.5)));
}

QString formatDuration(qint64 seconds) {
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    if (seconds < 86400)
        return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    return tr("%1 d %2 h").arg(seconds / 86400).arg((seconds % 86400) / 3600);
}

} // namespace nexustray::ui
