#include "TestTokens.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>

namespace nexustray::test {

namespace {
QByteArray b64(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}
} // namespace

QByteArray TestTokens::mint(const QByteArray& secret, const QJsonObject& claims,
                            const QByteArray& alg) {
    return mintRaw(secret, QJsonDocument(claims).toJson(QJsonDocument::Compact), alg);
}

QByteArray TestTokens::mintRaw(const QByteArray& secret, const QByteArray& payloadJson,
                               const QByteArray& alg, const QByteArray& headerJson) {
    const QByteArray header =
        headerJson.isEmpty() ? QByteArray(R"({"alg":")") + alg + R"(","typ":"JWT"})" : headerJson;
    const QByteArray signingInput = b64(header) + '.' + b64(payloadJson);
    QCryptographicHash::Algorithm hash = QCryptographicHash::Sha256;
    if (alg == "HS384") {
        hash = QCryptographicHash::Sha384;
    } else if (alg == "HS512") {
        hash = QCryptographicHash::Sha512;
    }
    return signingInput + '.' + b64(QMessageAuthenticationCode::hash(signingInput, secret, hash));
}

QJsonObject TestTokens::claims(const QString& sub, const QStringList& hostnames, int weight,
                               int ttlSeconds) {
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject c;
    if (!hostnames.isEmpty()) {
        c.insert(QStringLiteral("hostnames"), QJsonArray::fromStringList(hostnames));
    }
    c.insert(QStringLiteral("weight"), weight);
    c.insert(QStringLiteral("iss"), QStringLiteral("authorizer"));
    c.insert(QStringLiteral("sub"), sub);
    c.insert(QStringLiteral("aud"), QJsonArray{QStringLiteral("nexus")});
    c.insert(QStringLiteral("iat"), now);
    c.insert(QStringLiteral("exp"), now + ttlSeconds);
    return c;
}

QJsonObject TestTokens::withNonce(QJsonObject claims, const QString& nonce) {
    claims.insert(QStringLiteral("session_nonce"), nonce);
    return claims;
}

} // namespace nexustray::test
