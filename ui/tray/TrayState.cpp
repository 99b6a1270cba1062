#include "TrayState.h"

#include <QCoreApplication>

namespace nexustray::ui {

OverallState computeOverallState(const QList<SessionSnapshot>& sessions) {
    int active = 0;
    int connected = 0;
    bool failed = false;
    bool backoffWithError = false;
    for (const SessionSnapshot& s : sessions) {
        if (s.state == SessionState::Disabled)
            continue;
        ++active;
        connected += s.state == SessionState::Connected;
        failed |= s.state == SessionState::Failed;
        backoffWithError |= s.state == SessionState::Backoff && !s.lastError.isEmpty();
    }
    if (active == 0)
        return OverallState::Off;
    if (failed || (connected == 0 && backoffWithError))
        return OverallState::Error;
    if (connected == active)
        return OverallState::Connected;
    return OverallState::Connecting;
}

QString overallStateName(OverallState state) {
    switch (state) {
    case OverallState::Off:
        return QCoreApplication::translate("nexustray::ui::TrayState", "All tunnels off");
    case OverallState::Connected:
        return QCoreApplication::translate("nexustray::ui::TrayState", "All tunnels connected");
    case OverallState::Connecting:
        return QCoreApplication::translate("nexustray::ui::TrayState",
                                           "Some tunnels are connecting");
    case OverallState::Error:
        return QCoreApplication::translate("nexustray::ui::TrayState", "Tunnel error");
    }
    return {};
}

QString overallStateIconPath(OverallState state) {
    switch (state) {
    case OverallState::Off:
        return QStringLiteral(":/icons/state-off.svg");
    case OverallState::Connected:
        return QStringLiteral(":/icons/state-connected.svg");
    case OverallState::Connecting:
        return QStringLiteral(":/icons/state-connecting.svg");
    case OverallState::Error:
        return QStringLiteral(":/icons/state-error.svg");
    }
    return {};
}

QIcon overallStateIcon(OverallState state) {
    return QIcon(overallStateIconPath(state));
}

QString sessionStateText(SessionState state) {
    switch (state) {
    case SessionState::Disabled:
        return QCoreApplication::translate("nexustray::ui::TrayState", "off");
    case SessionState::Connecting:
        return QCoreApplication::translate("nexustray::ui::TrayState", "connecting");
    case SessionState::Authenticating:
        return QCoreApplication::translate("nexustray::ui::TrayState", "authenticating");
    case SessionState::Connected:
        return QCoreApplication::translate("nexustray::ui::TrayState", "connected");
    case SessionState::Backoff:
        return QCoreApplication::translate("nexustray::ui::TrayState", "waiting to reconnect");
    case SessionState::Failed:
        return QCoreApplication::translate("nexustray::ui::TrayState", "failed");
    }
    return {};
}

} // namespace nexustray::ui
