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

QString sessionErrorKindName(SessionErrorKind kind) {
    switch (kind) {
    case SessionErrorKind::None:
        return QStringLiteral("none");
    case SessionErrorKind::AuthenticationRefused:
        return QStringLiteral("authentication-refused");
    case SessionErrorKind::ClockSkew:
        return QStringLiteral("clock-skew");
    case SessionErrorKind::Unreachable:
        return QStringLiteral("unreachable");
    case SessionErrorKind::ConnectionLost:
        return QStringLiteral("connection-lost");
    case SessionErrorKind::TpmNotAccessible:
        return QStringLiteral("tpm-not-accessible");
    case SessionErrorKind::DeviceSuspended:
        return QStringLiteral("device-suspended");
    case SessionErrorKind::Configuration:
        return QStringLiteral("configuration");
    case SessionErrorKind::Other:
        return QStringLiteral("other");
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

QString streamKindName(StreamKind kind) {
    switch (kind) {
    case StreamKind::Tcp:
        return QStringLiteral("tcp");
    case StreamKind::Udp:
        return QStringLiteral("udp");
    case StreamKind::Outbound:
        return QStringLiteral("outbound");
    }
    return QString();
}

QString stageName(AttestationStage stage) {
    switch (stage) {
    case AttestationStage::Handshake:
        return QStringLiteral("handshake");
    case AttestationStage::Attest:
        return QStringLiteral("attest");
    case AttestationStage::Reauth:
        return QStringLiteral("reauth");
    }
    return QString();
}

QString attestationResultName(AttestationResult result) {
    switch (result) {
    case AttestationResult::Ok:
        return QStringLiteral("ok");
    case AttestationResult::Failed:
        return QStringLiteral("failed");
    case AttestationResult::Rejected:
        return QStringLiteral("rejected");
    case AttestationResult::Lost:
        return QStringLiteral("lost");
    }
    return QString();
}

} // namespace nexustray
