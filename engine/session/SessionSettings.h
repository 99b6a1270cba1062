// Everything one session needs, copied into it when it is built (sessions share nothing mutable).
#pragma once

#include <QString>

#include "nexustray/Config.h"
#include "nexustray/ConnectRequest.h"
#include "nexustray/TokenProvider.h"
#include "session/Backoff.h"

namespace nexustray {

struct SessionTimings {
    int challengeTimeoutMs = 15000;  // wait for handshake_challenge (Go: 15 s)
    int keepaliveIntervalMs = 5000;  // our WebSocket pings
    int keepaliveDeadlineMs = 15000; // nothing received for this long: the relay is gone
    int stableAfterMs = 5000;        // a session that lives this long counts as established
    int healthCheckIntervalMs = 5000;
    int snapshotIntervalMs = 250; // stream snapshots are throttled to this
    int shutdownTimeoutMs = 3000; // bound for a graceful stop
    int dialTimeoutMs = 10000;
    int drainTimeoutMs = 30000;
    int outboundTimeoutMs = 15000; // wait for `outbound_result` (protocol.md §9.3)
};

struct SessionSettings {
    QString sessionId; // "<backend>#<index>"
    BackendConfig backend;
    QString relayUrl;
    ConnectHandler connectHandler;
    TokenProviderFactory tokenProviderFactory; // library mode; empty or nullptr = built-in
    BackoffPolicy backoff;
    SessionTimings timings;
};

} // namespace nexustray
