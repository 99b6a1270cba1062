// The TPM provider's local state (tpm-namek.md §6): the AK blobs and the enrolled identity in a
// directory of mode 0700, every file 0600 and written atomically (QSaveFile: temporary file in
// the same directory, fsync, rename).
#pragma once

#include "attestation/tpm/TpmDevice.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace nexustray::attestation::tpm {

struct TpmIdentity {
    QString namekUrl;
    QString deviceId;
    QString hostname;
    QString identityClass;
    QString ekFingerprint;
    QStringList nexusEndpoints; // the hub URLs namek gave at enrollment (§2.5)
};

class TpmState {
public:
    explicit TpmState(QString dir)
        : m_dir(std::move(dir)) {}

    QString dir() const { return m_dir; }
    // Creates the directory (and parents) and sets it to 0700.
    bool ensureDir(QString* error) const;

    AkBlobs loadAk() const; // empty when either file is missing
    bool saveAk(const AkBlobs& blobs, QString* error) const;

    std::optional<TpmIdentity> loadIdentity() const; // nullopt when missing or malformed
    bool saveIdentity(const TpmIdentity& identity, QString* error) const;

private:
    bool write(const QString& name, const QByteArray& data, QString* error) const;

    QString m_dir;
};

} // namespace nexustray::attestation::tpm
