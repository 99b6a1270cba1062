// What the user can do about a session's failure, from its SessionErrorKind (set by the engine
// where the failure arises, so no error text is parsed here): one translated sentence for
// notifications, the tray menu and the status window.
#pragma once

#include <QCoreApplication>
#include <QString>

#include "nexustray/Snapshots.h"

namespace nexustray::ui {

class ErrorAdvice {
    Q_DECLARE_TR_FUNCTIONS(nexustray::ui::ErrorAdvice)
public:
    // "Check the secret or the attestation command of “web”.", ...; empty for None and Other.
    static QString forKind(nexustray::SessionErrorKind kind, const QString& backendName);
    // True for failures the user has to fix (a refusal, a suspended device, no TPM access, the
    // config, the clock) rather than a passing network problem.
    static bool needsUserAction(nexustray::SessionErrorKind kind);
};

} // namespace nexustray::ui
