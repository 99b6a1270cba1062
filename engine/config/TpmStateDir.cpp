// Where attestation.tpm keeps its state when stateDir is not set (the one place of that default).
#include <QDir>

#include "nexustray/Config.h"

namespace nexustray {

QString TpmAttestationConfig::defaultStateDir(const QString& backendName) {
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    // XDG: a relative value is invalid and must be ignored.
    if (base.isEmpty() || QDir::isRelativePath(base))
        base = QDir::homePath() + QStringLiteral("/.local/state");
    return base + QStringLiteral("/nexus-tray/tpm/") + backendName;
}

} // namespace nexustray
