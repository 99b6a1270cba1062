// See TpmPasswordFile.h.
#include "config/TpmPasswordFile.h"

#include <QFile>

namespace nexustray::config {

QString readTpmPasswordFile(const QString& path, QByteArray* password) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read: %1").arg(file.errorString());
    QByteArray bytes = file.read(kMaxTpmPasswordBytes + 3);
    while (bytes.endsWith('\n') || bytes.endsWith('\r'))
        bytes.chop(1);
    if (bytes.size() > kMaxTpmPasswordBytes)
        return QStringLiteral("longer than the TPM allows (%1 bytes)").arg(kMaxTpmPasswordBytes);
    *password = bytes;
    return {};
}

} // namespace nexustray::config
