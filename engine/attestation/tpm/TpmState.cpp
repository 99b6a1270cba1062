#include "TpmState.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace nexustray::attestation::tpm {

namespace {
const QString kAkPub = QStringLiteral("ak_pub");
const QString kAkPriv = QStringLiteral("ak_priv");
const QString kIdentity = QStringLiteral("identity.json");

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

bool TpmState::ensureDir(QString* error) const {
    if (!QDir().mkpath(m_dir) ||
        !QFile::setPermissions(m_dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)) {
        *error = QStringLiteral("cannot create the TPM state directory %1").arg(m_dir);
        return false;
    }
    return true;
}

bool TpmState::write(const QString& name, const QByteArray& data, QString* error) const {
    QSaveFile f(QDir(m_dir).filePath(name));
    // 0600 before the content is written (the temporary file starts with the umask's mode).
    if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(QFile::ReadOwner | QFile::WriteOwner) ||
        f.write(data) != data.size() || !f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    return true;
}

AkBlobs TpmState::loadAk() const {
    const QDir d(m_dir);
    AkBlobs blobs{readFile(d.filePath(kAkPub)), readFile(d.filePath(kAkPriv))};
    return blobs.isEmpty() ? AkBlobs{} : blobs;
}

bool TpmState::saveAk(const AkBlobs& blobs, QString* error) const {
    return write(kAkPriv, blobs.priv, error) && write(kAkPub, blobs.pub, error);
}

std::optional<TpmIdentity> TpmState::loadIdentity() const {
    const QJsonObject o =
        QJsonDocument::fromJson(readFile(QDir(m_dir).filePath(kIdentity))).object();
    TpmIdentity id;
    id.namekUrl = o.value(QLatin1String("namek_url")).toString();
    id.deviceId = o.value(QLatin1String("device_id")).toString();
    id.hostname = o.value(QLatin1String("hostname")).toString();
    id.identityClass = o.value(QLatin1String("identity_class")).toString();
    id.ekFingerprint = o.value(QLatin1String("ek_fingerprint")).toString();
    for (const QJsonValue& url : o.value(QLatin1String("nexus_endpoints")).toArray())
        id.nexusEndpoints << url.toString();
    if (id.namekUrl.isEmpty() || id.deviceId.isEmpty() || id.ekFingerprint.isEmpty()) {
        return std::nullopt;
    }
    return id;
}

bool TpmState::saveIdentity(const TpmIdentity& identity, QString* error) const {
    const QJsonObject o{
        {QLatin1String("namek_url"), identity.namekUrl},
        {QLatin1String("device_id"), identity.deviceId},
        {QLatin1String("hostname"), identity.hostname},
        {QLatin1String("identity_class"), identity.identityClass},
        {QLatin1String("ek_fingerprint"), identity.ekFingerprint},
        {QLatin1String("nexus_endpoints"), QJsonArray::fromStringList(identity.nexusEndpoints)}};
    return write(kIdentity, QJsonDocument(o).toJson(QJsonDocument::Compact), error);
}

} // namespace nexustray::attestation::tpm
