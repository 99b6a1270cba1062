#include "MappedFiles.h"

#include <QFile>
#include <QFileInfo>

namespace nexustray::test {

QStringList mappedFiles(qint64 pid, const QString& containing) {
    const QString path =
        pid == 0 ? QStringLiteral("/proc/self/maps") : QStringLiteral("/proc/%1/maps").arg(pid);
    QFile maps(path);
    if (!maps.open(QIODevice::ReadOnly))
        return {QStringLiteral("(cannot read %1)").arg(path)};
    QStringList files;
    for (const QByteArray& line : maps.readAll().split('\n')) {
        const qsizetype slash = line.indexOf('/');
        if (slash < 0)
            continue;
        const QString file = QFileInfo(QString::fromLocal8Bit(line.mid(slash))).fileName();
        if (file.contains(containing) && !files.contains(file))
            files << file;
    }
    return files;
}

} // namespace nexustray::test
