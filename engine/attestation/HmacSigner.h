// The built-in HS256 signer (attestation spec §2): pure functions with an explicit clock so the
// worked examples of the spec can be reproduced byte for byte.
#pragma once

#include <QByteArray>
#include <QString>

#include "nexustray/Config.h"
#include "nexustray/TokenProvider.h"

namespace nexustray::attestation {

// Everything that shapes a signed token, captured when the session is built.
struct HmacClaimsInput {
    QByteArray key; // UTF-8 bytes of the trimmed secret, used as is
    AttestationIdentity identity;
    int tokenTTLSeconds = AttestationConfig().tokenTTLSeconds; // <= 0 means this default
    int handshakeMaxAgeSeconds = 0;
    int reauthIntervalSeconds = 0;
    int reauthGraceSeconds = 0;
    int maintenanceGraceCapSeconds = 0;
    QString authorizerStatusUri;
    QString policyVersion;

    static HmacClaimsInput fromBackend(const BackendConfig& backend, const QByteArray& key);
};

// Compact JSON payload with the claims in the fixed order of spec §2.2 and Go's string escaping.
QByteArray buildHs256Payload(const HmacClaimsInput& input, AttestationStage stage,
                             const QString& nonce, qint64 nowUnixSeconds);

// Complete JWS compact token: B64(header).B64(payload).B64(HMAC-SHA256).
QByteArray signHs256Token(const HmacClaimsInput& input, AttestationStage stage,
                          const QString& nonce, qint64 nowUnixSeconds);

// The token's exp for a signing time (iat + TTL, TTL defaulted).
qint64 hs256Expiry(const HmacClaimsInput& input, qint64 nowUnixSeconds);

// A JSON string literal (with quotes) escaped like Go's encoding/json: <, >, & and U+2028/2029 as
// \uXXXX, control characters escaped, '/' and other non-ASCII left raw (UTF-8).
QByteArray goJsonString(const QString& value);

// base64url without padding.
QByteArray base64Url(const QByteArray& data);

} // namespace nexustray::attestation
