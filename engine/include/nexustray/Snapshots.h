// Plain value snapshots of sessions and streams, safe to pass across threads (queued signals).
#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

namespace nexustray {

enum class SessionState {
    Disabled,        // backend switched off / client stopped
    Connecting,      // dialling the relay, TLS, WebSocket upgrade
    Authenticating,  // stage 0 / challenge / stage 1
    Connected,       // authenticated, relaying
    Backoff,         // waiting before the next attempt (reconnectAt says when)
    Failed,          // gave up (permanent authentication failures, unusable config)
};
QString sessionStateName(SessionState state); // "connected", ...

struct SessionSnapshot {
    QString sessionId;    // "<backend>#<n>", n = 1-based index in nexusAddresses
    QString backendName;
    QString relayUrl;
    SessionState state = SessionState::Disabled;
    QDateTime stateSince;
    QString lastError;    // plain words, empty when none
    QStringList hostnames;
    int weight = 1;
    QDateTime reconnectAt; // valid while in Backoff
    int activeStreams = 0;
    quint64 bytesIn = 0;   // hub -> local, whole session
    quint64 bytesOut = 0;  // local -> hub
};

enum class StreamState { Dialing, Open, Closing, Closed };
QString streamStateName(StreamState state);

struct StreamSnapshot {
    QString sessionId;
    QUuid clientId;
    QString clientIp;
    QString hostname;
    int port = 0;
    QString target;        // "host:port" or "handler"
    bool isTls = false;
    StreamState state = StreamState::Dialing;
    quint64 bytesIn = 0;   // from the hub, written to the local side
    quint64 bytesOut = 0;  // read from the local side, sent to the hub
    QDateTime openedAt;
    QString closeReason;   // set when Closed
};

} // namespace nexustray

Q_DECLARE_METATYPE(nexustray::SessionSnapshot)
Q_DECLARE_METATYPE(nexustray::StreamSnapshot)
