#include "attestation/HmacSecret.h"

#include <QFile>
#include <QFileInfo>

namespace nexustray::attestation {

bool loadHmacKey(const AttestationConfig& config, QByteArray* key, QString* error) {
    QString secret;
    const QString path = config.hmacSecretFile.trimmed();
    if (!path.isEmpty()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("read hmac secret file: %1: %2").arg(path, file.errorString());
            return false;
        }
        const QByteArray content = file.read(kMaxHmacSecretFileBytes + 1);
        if (file.error() != QFileDevice::NoError) {
            *error = QStringLiteral("read hmac secret file: %1: %2").arg(path, file.errorString());
            return false;
        }
        if (content.size() > kMaxHmacSecretFileBytes) {
            *error = QStringLiteral("read hmac secret file: %1: larger than %2 bytes")
                         .arg(path)
                         .arg(kMaxHmacSecretFileBytes);
            return false;
        }
        // QString::trimmed() uses QChar::isSpace(): ASCII white space plus Unicode spaces, like
        // Go's strings.TrimSpace.
        secret = QString::fromUtf8(content).trimmed();
    } else {
        secret = config.hmacSecret.trimmed();
    }
    if (secret.isEmpty()) {
        *error = QStringLiteral("hmac secret is required");
        return false;
    }
    *key = secret.toUtf8();
    return true;
}

} // namespace nexustray::attestation
