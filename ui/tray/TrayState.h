// The overall state the tray icon shows, computed from the sessions of enabled backends.
#pragma once

#include <QIcon>
#include <QList>
#include <QString>

#include "nexustray/Snapshots.h"

namespace nexustray::ui {

enum class OverallState {
    Off,        // no enabled backend (or nothing configured)
    Connected,  // every session of every enabled backend is connected
    Connecting, // some session is connecting, authenticating or waiting to reconnect
    Error,      // a session gave up (e.g. attestation refused), or nothing is connected and a
                // session is backing off after an error (e.g. hub unreachable)
};

// Sessions in state Disabled are ignored (their backend is off).
OverallState computeOverallState(const QList<SessionSnapshot>& sessions);

QString overallStateName(OverallState state);     // translated: "All tunnels connected", ...
QString overallStateIconPath(OverallState state); // ":/icons/state-connected.svg", ...
QIcon overallStateIcon(OverallState state);
QString sessionStateText(SessionState state); // translated: "connected", "reconnecting", ...

} // namespace nexustray::ui
