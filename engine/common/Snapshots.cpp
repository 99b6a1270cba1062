#include "nexustray/Snapshots.h"

namespace nexustray {

QString sessionStateName(SessionState state) {
    switch (state) {
    case SessionState::Disabled:
        return QStringLiteral("disabled");
    case SessionState::Connecting:
        return QStringLiteral("connecting");
    case SessionState::Authenticating:
        return QStringLiteral("authenticating");
    case SessionState::Connected:
        return QStringLiteral("connected");
    case SessionState::Backoff:
        return QStringLiteral("backoff");
    case SessionState::Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

QString streamStateName(StreamState state) {
    switch (state) {
    case StreamState::Dialing:
        return QStringLiteral("dialing");
    case StreamState::Open:
        return QStringLiteral("open");
    case StreamState::Closing:
        return QStringLiteral("closing");
    case StreamState::Closed:
        return QStringLiteral("closed");
    }
    return QString();
}

} // namespace nexustray
