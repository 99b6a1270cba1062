// The TPM identities of the attestation.tpm backends (Client::backendIdentityChanged) as lines
// above the sessions table: device hostname, identity class, namek's status and when it was last
// checked, or why the check failed. Hidden while no tpm backend is known.
#pragma once

#include <QLabel>
#include <QMap>

#include "nexustray/Snapshots.h"

namespace nexustray::ui {

class IdentityPanel : public QLabel {
    Q_OBJECT
public:
    explicit IdentityPanel(QWidget* parent = nullptr);

    void setIdentity(const nexustray::BackendIdentity& identity);
    // Forget backends that are no longer tpm backends of the config.
    void retainBackends(const QStringList& backendNames);

    // "host.example (identity class unverified, active, checked 10:21)" (no backend name).
    static QString summary(const nexustray::BackendIdentity& identity);

private:
    void refresh();

    QMap<QString, nexustray::BackendIdentity> m_identities; // by backend name
};

} // namespace nexustray::ui
