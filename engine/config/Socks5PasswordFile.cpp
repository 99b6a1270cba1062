// See Socks5PasswordFile.h.
#include "config/Socks5PasswordFile.h"

#include <QFile>
#include <QFileInfo>

namespace nexustray::config {

QString readSocks5PasswordFile(const QString& path, QByteArray* password) {
    if (QFileInfo(path).isDir())
        return QStringLiteral("is a directory");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read: %1").arg(file.errorString());
    QByteArray bytes = file.read(kMaxSocks5CredentialBytes + 3);
    if (bytes.endsWith('\n'))
        bytes.chop(bytes.endsWith("\r\n") ? 2 : 1);
    if (bytes.isEmpty())
        return QStringLiteral("is empty");
    if (bytes.size() > kMaxSocks5CredentialBytes)
        return QStringLiteral("longer than %1 bytes (RFC 1929)").arg(kMaxSocks5CredentialBytes);
    *password = bytes;
    return {};
}

} // namespace nexustray::config
