// Plain value snapshots of sessions and streams, safe to pass across threads (queued signals).
#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

namespace nexustray {

enum class SessionState {
    Disabled,       // backend switched off / client stopped
    Connecting,     // dialling the relay, TLS, WebSocket upgrade
    Authenticating, // stage 0 / challenge / stage 1
    Connected,      // authenticated, relaying
    Backoff,        // waiting before the next attempt (reconnectAt says when)
    Failed,         // gave up (permanent authentication failures, unusable config)
};
QString sessionStateName(SessionState state); // "connected", ...

// What a session's lastError is about, set by the session where the failure arises (hub close
// code, dial, TLS, token provider), so that a UI can say what to do without parsing the text.
enum class SessionErrorKind {
    None,                  // no error
    AuthenticationRefused, // the hub refused the tokens, or the token provider failed (secret,
                           // attestation command)
    ClockSkew,             // token expired / not valid yet / too old: the clocks disagree
    Unreachable,           // DNS, connection refused, timeout, TLS, WebSocket upgrade
    ConnectionLost,        // a live connection ended (relay silent, closed, reset)
    TpmNotAccessible,      // the TPM device cannot be opened (e.g. the user is not in group tss)
    DeviceSuspended,       // namek: the device is suspended or revoked (re-enroll)
    Configuration,         // the session cannot start with these settings
    Other,
};
QString sessionErrorKindName(SessionErrorKind kind); // "authentication-refused", ...

struct SessionSnapshot {
    QString sessionId; // "<backend>#<n>", n = 1-based index in nexusAddresses
    QString backendName;
    QString relayUrl;
    SessionState state = SessionState::Disabled;
    QDateTime stateSince;
    QString lastError;                                   // plain words, empty when none
    SessionErrorKind errorKind = SessionErrorKind::None; // what lastError is about
    QStringList hostnames;
    int weight = 1;
    QDateTime reconnectAt; // valid while in Backoff
    int activeStreams = 0;
    quint64 bytesIn = 0;  // hub -> local, whole session
    quint64 bytesOut = 0; // local -> hub
};

enum class StreamState { Dialing, Open, Closing, Closed };
QString streamStateName(StreamState state);

// What a relayed stream carries (protocol.md §6, §8.3, §9).
enum class StreamKind {
    Tcp,      // the hub opened it with `connect` (transport tcp): a user's TCP connection
    Udp,      // the hub opened it with `connect` (transport udp): one user's UDP flow
    Outbound, // this client opened it with `outbound_connect` (library call or SOCKS5)
};
QString streamKindName(StreamKind kind); // "tcp", "udp", "outbound"

struct StreamSnapshot {
    QString sessionId;
    QUuid clientId;
    QString clientIp;
    QString hostname;
    int port = 0;
    QString target; // "host:port" or "handler"
    bool isTls = false;
    StreamState state = StreamState::Dialing;
    quint64 bytesIn = 0;  // from the hub, written to the local side
    quint64 bytesOut = 0; // read from the local side, sent to the hub
    QDateTime openedAt;
    QString closeReason; // set when Closed
    StreamKind kind = StreamKind::Tcp;
    // UDP flows only: datagrams relayed each way, and datagrams dropped (local socket not ready
    // and its buffer full, above a size limit, or refused by the local side).
    quint64 datagramsIn = 0;
    quint64 datagramsOut = 0;
    quint64 datagramsDropped = 0;
    // TCP streams this client dialled (target host:port): seconds from the hub's `connect` to
    // the local socket connected. -1 while dialling, when the dial failed, and for streams that
    // were not dialled (UDP, outbound, library-mode handlers).
    double dialSeconds = -1;
};

// The points at which a session asks its token provider for a token (attestation.md).
enum class AttestationStage {
    Handshake, // stage 0: the first message of every connection attempt
    Attest,    // stage 1: the answer to the hub's handshake_challenge
    Reauth,    // the answer to a reauth_challenge (protocol.md §3)
};
QString stageName(AttestationStage stage); // "handshake", "attest", "reauth"

// How one token request of a session ended (Client::attestationFinished).
enum class AttestationResult {
    Ok,       // sent and accepted: handshake -> the hub sent its challenge; attest -> the hub
              // carried on (sent something, or the connection outlived stableAfterMs); reauth ->
              // sent (the hub's success is silent and its refusal is a plain drop, §3)
    Failed,   // no token: the provider failed (command exit/timeout, secret, TPM) or its token
              // was unusable (empty, a reauth token above the message limit)
    Rejected, // the hub closed the connection with 1008 (policy violation) in answer to it
    Lost,     // no verdict: the dial failed, the connection ended without 1008 (the hub also
              // drops without a close frame when its error text is long), the challenge did not
              // come in time, or the session stopped
};
QString attestationResultName(AttestationResult result); // "ok", "failed", "rejected", "lost"

// One finished token request: exactly one per request the provider answered (a request
// cancelled before its answer, e.g. by stop(), reports nothing).
struct AttestationEvent {
    QString backendName;
    QString sessionId; // "<backend>#<n>", as in SessionSnapshot
    AttestationStage stage = AttestationStage::Handshake;
    AttestationResult result = AttestationResult::Ok;
    QString reason; // plain words for the failures (provider error, hub close reason); no secrets
};

// The TPM identity of a backend with attestation.tpm, as namek knows it (Client::checkIdentity).
struct BackendIdentity {
    QString backendName;
    QString deviceId;      // empty until enrolled
    QString hostname;      // the device hostname namek assigned
    QString identityClass; // namek's identity class
    QString status;        // "active", "suspended", "revoked"; empty when unknown
    QDateTime checkedAt;   // when namek was last asked (UTC); invalid = never
    QString error;         // why the last check or re-enrollment failed; empty when it worked
    bool checking = false; // a check or re-enrollment is running
};

} // namespace nexustray

Q_DECLARE_METATYPE(nexustray::SessionSnapshot)
Q_DECLARE_METATYPE(nexustray::BackendIdentity)
Q_DECLARE_METATYPE(nexustray::StreamSnapshot)
Q_DECLARE_METATYPE(nexustray::AttestationEvent)
