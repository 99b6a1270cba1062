#include "ErrorAdvice.h"

namespace nexustray::ui {

QString ErrorAdvice::forKind(SessionErrorKind kind, const QString& backendName) {
    switch (kind) {
    case SessionErrorKind::None:
        return QString();
    case SessionErrorKind::AuthenticationRefused:
        return tr("Check the secret or the attestation command of “%1”.").arg(backendName);
    case SessionErrorKind::ClockSkew:
        return tr("Check the system clock: the relay found the tokens of “%1” expired or not yet "
                  "valid.")
            .arg(backendName);
    case SessionErrorKind::Unreachable:
        return tr("Check the relay address of “%1” (name, port, TLS certificate) and the network.")
            .arg(backendName);
    case SessionErrorKind::ConnectionLost:
        return tr("The connection of “%1” was lost; it reconnects by itself.").arg(backendName);
    case SessionErrorKind::TpmNotAccessible:
        return tr("The TPM cannot be opened: add your user to the group “tss” and log in again.");
    case SessionErrorKind::DeviceSuspended:
        return tr("namek suspended or revoked this device: ask its administrator, then use "
                  "“Re-enroll” for “%1”.")
            .arg(backendName);
    case SessionErrorKind::Configuration:
        return tr("Check the configuration of “%1”.").arg(backendName);
    case SessionErrorKind::Other:
        return QString();
    }
    return QString();
}

bool ErrorAdvice::needsUserAction(SessionErrorKind kind) {
    switch (kind) {
    case SessionErrorKind::AuthenticationRefused:
    case SessionErrorKind::ClockSkew:
    case SessionErrorKind::TpmNotAccessible:
    case SessionErrorKind::DeviceSuspended:
    case SessionErrorKind::Configuration:
        return true;
    default:
        return false;
    }
}

} // namespace nexustray::ui
