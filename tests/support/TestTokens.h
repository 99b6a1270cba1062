// HS256/384/512 test tokens for the hub emulator and session tests (attestation.md §2.2).
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace nexustray::test {

struct TestTokens {
    // Compact JWS: header {"alg":<alg>,"typ":"JWT"}, payload = compact JSON of `claims`
    // (QJsonDocument order, i.e. sorted keys), signature HMAC with `secret`. alg: HS256, HS384,
    // HS512 (anything else is signed with SHA-256 but keeps the given alg name, to test refusal).
    static QByteArray mint(const QByteArray& secret, const QJsonObject& claims,
                           const QByteArray& alg = "HS256");
    // Same with the payload bytes verbatim (e.g. `"weight":2.0`, which QJsonObject cannot write)
    // and an optional verbatim header.
    static QByteArray mintRaw(const QByteArray& secret, const QByteArray& payloadJson,
                              const QByteArray& alg = "HS256", const QByteArray& headerJson = {});

    // Typical valid claims: iss "authorizer", aud ["nexus"], sub, hostnames (if any), weight,
    // iat = now, exp = now + ttlSeconds.
    static QJsonObject claims(const QString& sub, const QStringList& hostnames, int weight = 1,
                              int ttlSeconds = 60);
    // `claims` plus "session_nonce".
    static QJsonObject withNonce(QJsonObject claims, const QString& nonce);
};

} // namespace nexustray::test
