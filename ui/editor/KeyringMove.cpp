#include "KeyringMove.h"

#include <QFile>

#include "nexustray/Keyring.h"

namespace nexustray::ui {

namespace {
// A key is a short string (the engine refuses larger secret files too).
constexpr qint64 kMaxSecretBytes = 1024 * 1024;
} // namespace

void KeyringMove::fail(const QString& message) {
    QMetaObject::invokeMethod(
        this, [this, message] { Q_EMIT finished(false, message); }, Qt::QueuedConnection);
}

void KeyringMove::start(const QString& backend, const QString& inlineSecret,
                        const QString& secretFile) {
    if (m_running)
        return;
    const QString name = backend.trimmed();
    if (name.isEmpty()) {
        fail(tr("Name the backend first: the keyring entry is stored under its name."));
        return;
    }
    QString secret = inlineSecret.trimmed();
    if (secret.isEmpty() && !secretFile.trimmed().isEmpty()) {
        QFile file(secretFile.trimmed());
        if (!file.open(QIODevice::ReadOnly)) {
            fail(tr("Cannot read the secret file %1: %2").arg(file.fileName(), file.errorString()));
            return;
        }
        secret = QString::fromUtf8(file.read(kMaxSecretBytes)).trimmed();
    }
    if (secret.isEmpty()) {
        fail(tr("There is no secret to store: enter one (or a secret file) first."));
        return;
    }
    m_running = true;
    writeKeyringSecret(name, secret.toUtf8(), this, [this, name](const KeyringResult& result) {
        m_running = false;
        if (result.ok)
            Q_EMIT finished(true, tr("The secret of backend '%1' is in the system keyring "
                                     "(service %2, key %1); save to remove it from the file.")
                                      .arg(name, keyringService()));
        else
            Q_EMIT finished(
                false,
                tr("Could not store the secret in the system keyring: %1").arg(result.error));
    });
}

} // namespace nexustray::ui
