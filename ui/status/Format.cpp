#include "Format.h"

#include <QCoreApplication>
#include <QLocale>

namespace nexustray::ui {

// Every string goes through QCoreApplication::translate with the literal context spelled out:
// lupdate extracts only such calls (a local tr() helper hid them, so they were never translated).

QString formatBytes(quint64 bytes) {
    if (bytes < 1024)
        return QCoreApplication::translate("nexustray::ui::Format", "%1 B").arg(bytes);
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
    return QCoreApplication::translate("nexustray::ui::Format", units[unit])
        .arg(QLocale().toString(value, 'f', value < 10 ? 1 : 0));
}

QString formatRate(double bytesPerSecond) {
    if (bytesPerSecond < 0.5)
        return QStringLiteral("—");
    return QCoreApplication::translate("nexustray::ui::Format", "%1/s")
        .arg(formatBytes(quint64(bytesPerSecond + 0.5)));
}

QString formatDuration(qint64 seconds) {
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        return QCoreApplication::translate("nexustray::ui::Format", "%1 s").arg(seconds);
    if (seconds < 3600)
        return QCoreApplication::translate("nexustray::ui::Format", "%1 min %2 s")
            .arg(seconds / 60)
            .arg(seconds % 60);
    if (seconds < 86400)
        return QCoreApplication::translate("nexustray::ui::Format", "%1 h %2 min")
            .arg(seconds / 3600)
            .arg((seconds % 3600) / 60);
    return QCoreApplication::translate("nexustray::ui::Format", "%1 d %2 h")
        .arg(seconds / 86400)
        .arg((seconds % 86400) / 3600);
}

} // namespace nexustray::ui
