// Token validation as the hub does it locally (attestation.md §3): compact JWS with an HMAC
// algorithm (HS256/384/512) signed with the shared secret, `iss` == "authorizer", `aud` containing
// "nexus", `exp`/`nbf` when present (no leeway), and strict claim types. Error texts follow the Go
// hub and golang-jwt ("token has invalid claims: token is expired") because clients log them and
// the 123-byte close-reason limit depends on their length.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace nexustray::hub {

struct TokenClaims {
    QString subject;
    QStringList hostnames; // raw, as in the token (normalised by the stage rules)
    bool hasHostnames = false;
    QList<int> tcpPorts; // raw order, duplicates kept
    struct UdpRoute {
        int port = 0;
        std::optional<qint64> flowIdleTimeoutSeconds;
    };
    QList<UdpRoute> udpRoutes;
    std::optional<qint64> weight;
    QString sessionNonce;
    qint64 handshakeMaxAgeSeconds = 0;
    qint64 reauthIntervalSeconds = 0;
    qint64 reauthGraceSeconds = 0;
    std::optional<qint64> maintenanceGraceCapSeconds;
    QString authorizerStatusUri;
    QString policyVersion;
    bool outboundAllowed = false;
    QList<int> allowedOutboundPorts;
    bool hasAllowedOutboundPorts = false;
    std::optional<double> iat; // Unix seconds
};

class JwtValidator {
public:
    explicit JwtValidator(QByteArray secret)
        : m_secret(std::move(secret)) {}

    // Validates `token` at `nowMs` (Unix milliseconds). On failure returns nullopt and sets *error
    // to golang-jwt's text (e.g. "token signature is invalid: signature is invalid"); the caller
    // prefixes it with the stage ("stage0 token validation failed: jwt validation failed: ").
    std::optional<TokenClaims> validate(QByteArrayView token, qint64 nowMs, QString* error) const;

private:
    QByteArray m_secret;
};

} // namespace nexustray::hub
