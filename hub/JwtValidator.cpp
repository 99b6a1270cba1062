#include "hub/JwtValidator.h"

#include "protocol/StrictJson.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

#include <climits>

namespace nexustray::hub {

namespace {

using protocol::json::Value;

// Go's base64.RawURLEncoding: no padding, '-' and '_'; it skips CR and LF, which is why the hub
// tolerates a trailing newline after the signature.
std::optional<QByteArray> decodeSegment(QByteArrayView segment) {
    QByteArray clean;
    clean.reserve(segment.size());
    for (char c : segment) {
        if (c == '\r' || c == '\n') {
            continue;
        }
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) {
            return std::nullopt;
        }
        clean.append(c);
    }
    if (clean.size() % 4 == 1) {
        return std::nullopt;
    }
    auto result = QByteArray::fromBase64Encoding(
        clean, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                   QByteArray::AbortOnBase64DecodingErrors);
    if (!result) {
        return std::nullopt;
    }
    return *result;
}

bool constantTimeEquals(const QByteArray& a, const QByteArray& b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

QString typeError(const char* claim, const char* goType) {
    return QStringLiteral("json: cannot unmarshal into Go struct field %1 of type %2")
        .arg(QLatin1String(claim), QLatin1String(goType));
}

// Decodes the claims object with the types of the hub's claim struct. Null leaves the zero value.
bool decodeClaims(const Value& root, TokenClaims* out, std::optional<double>* exp,
                  std::optional<double>* nbf, QString* iss, QStringList* aud, QString* error) {
    if (!root.isObject()) {
        *error = QStringLiteral("json: cannot unmarshal non-object into Go value of type claims");
        return false;
    }
    auto str = [&](const char* name, QString* target) {
        const Value* v = root.find(QLatin1String(name));
        if (!v || v->isNull()) {
            return true;
        }
        if (!v->isString()) {
            *error = typeError(name, "string");
            return false;
        }
        *target = v->string;
        return true;
    };
    auto integer = [&](const char* name, auto setter) {
        const Value* v = root.find(QLatin1String(name));
        if (!v || v->isNull()) {
            return true;
        }
        const auto n = v->toInteger();
        if (!n) {
            *error = typeError(name, "int");
            return false;
        }
        setter(*n);
        return true;
    };
    auto intArray = [&](const char* name, QList<int>* target, bool* present) {
        const Value* v = root.find(QLatin1String(name));
        if (!v || v->isNull()) {
            return true;
        }
        if (!v->isArray()) {
            *error = typeError(name, "[]int");
            return false;
        }
        for (const Value& e : v->array) {
            const auto n = e.toInteger();
            if (!n || *n < INT_MIN || *n > INT_MAX) {
                *error = typeError(name, "int");
                return false;
            }
            target->append(static_cast<int>(*n));
        }
        if (present) {
            *present = true;
        }
        return true;
    };
    auto numericDate = [&](const char* name, std::optional<double>* target) {
        const Value* v = root.find(QLatin1String(name));
        if (!v || v->isNull()) {
            return true;
        }
        const auto d = v->toDouble();
        if (!d) {
            *error = typeError(name, "jwt.NumericDate");
            return false;
        }
        *target = *d;
        return true;
    };

    if (!str("iss", iss) || !str("sub", &out->subject)) {
        return false;
    }
    if (const Value* a = root.find(QLatin1String("aud")); a && !a->isNull()) {
        if (a->isString()) {
            aud->append(a->string);
        } else if (a->isArray()) {
            for (const Value& e : a->array) {
                if (!e.isString()) {
                    *error = QStringLiteral("invalid type for claim: aud");
                    return false;
                }
                aud->append(e.string);
            }
        } else {
            *error = QStringLiteral("invalid type for claim: aud");
            return false;
        }
    }
    if (!numericDate("exp", exp) || !numericDate("nbf", nbf) || !numericDate("iat", &out->iat)) {
        return false;
    }
    if (const Value* h = root.find(QLatin1String("hostnames")); h && !h->isNull()) {
        if (!h->isArray()) {
            *error = typeError("hostnames", "[]string");
            return false;
        }
        for (const Value& e : h->array) {
            if (!e.isString()) {
                *error = typeError("hostnames", "string");
                return false;
            }
            out->hostnames.append(e.string);
        }
        out->hasHostnames = true;
    }
    if (!intArray("tcp_ports", &out->tcpPorts, nullptr)) {
        return false;
    }
    if (const Value* u = root.find(QLatin1String("udp_routes")); u && !u->isNull()) {
        if (!u->isArray()) {
            *error = typeError("udp_routes", "[]udpRoute");
            return false;
        }
        for (const Value& e : u->array) {
            if (!e.isObject()) {
                *error = typeError("udp_routes", "udpRoute");
                return false;
            }
            TokenClaims::UdpRoute route;
            if (const Value* p = e.find(QLatin1String("port")); p && !p->isNull()) {
                const auto n = p->toInteger();
                if (!n || *n < INT_MIN || *n > INT_MAX) {
                    *error = typeError("udp_routes.port", "int");
                    return false;
                }
                route.port = static_cast<int>(*n);
            }
            if (const Value* t = e.find(QLatin1String("flow_idle_timeout_seconds"));
                t && !t->isNull()) {
                const auto n = t->toInteger();
                if (!n) {
                    *error = typeError("udp_routes.flow_idle_timeout_seconds", "int");
                    return false;
                }
                route.flowIdleTimeoutSeconds = *n;
            }
            out->udpRoutes.append(route);
        }
    }
    bool ok =
        integer("weight", [&](qint64 v) { out->weight = v; }) &&
        str("session_nonce", &out->sessionNonce) &&
        integer("handshake_max_age_seconds", [&](qint64 v) { out->handshakeMaxAgeSeconds = v; }) &&
        integer("reauth_interval_seconds", [&](qint64 v) { out->reauthIntervalSeconds = v; }) &&
        integer("reauth_grace_seconds", [&](qint64 v) { out->reauthGraceSeconds = v; }) &&
        integer("maintenance_grace_cap_seconds",
                [&](qint64 v) { out->maintenanceGraceCapSeconds = v; }) &&
        str("authorizer_status_uri", &out->authorizerStatusUri) &&
        str("policy_version", &out->policyVersion);
    if (!ok) {
        return false;
    }
    if (const Value* o = root.find(QLatin1String("outbound_allowed")); o && !o->isNull()) {
        if (o->kind != Value::Kind::Bool) {
            *error = typeError("outbound_allowed", "bool");
            return false;
        }
        out->outboundAllowed = o->boolean;
    }
    if (!intArray("allowed_outbound_ports", &out->allowedOutboundPorts,
                  &out->hasAllowedOutboundPorts)) {
        return false;
    }
    QString quote;
    return str("issued_at_quote", &quote);
}

} // namespace

std::optional<TokenClaims> JwtValidator::validate(QByteArrayView token, qint64 nowMs,
                                                  QString* error) const {
    auto fail = [&](const QString& text) {
        if (error) {
            *error = text;
        }
        return std::nullopt;
    };
    const QList<QByteArrayView> parts = [&] {
        QList<QByteArrayView> out;
        qsizetype start = 0;
        for (qsizetype i = 0; i <= token.size(); ++i) {
            if (i == token.size() || token[i] == '.') {
                out.append(token.sliced(start, i - start));
                start = i + 1;
            }
        }
        return out;
    }();
    if (parts.size() != 3) {
        return fail(QStringLiteral("token is malformed: token contains an invalid number of "
                                   "segments"));
    }
    const auto headerBytes = decodeSegment(parts[0]);
    if (!headerBytes) {
        return fail(QStringLiteral("token is malformed: could not base64 decode header"));
    }
    const auto header = protocol::json::parse(*headerBytes);
    if (!header || !header->isObject()) {
        return fail(QStringLiteral("token is malformed: could not JSON decode header"));
    }
    const auto claimBytes = decodeSegment(parts[1]);
    if (!claimBytes) {
        return fail(QStringLiteral("token is malformed: could not base64 decode claim"));
    }
    const auto claimsJson = protocol::json::parse(*claimBytes);
    if (!claimsJson) {
        return fail(QStringLiteral("token is malformed: could not JSON decode claim: invalid "
                                   "JSON"));
    }
    TokenClaims claims;
    std::optional<double> exp;
    std::optional<double> nbf;
    QString iss;
    QStringList aud;
    QString decodeError;
    if (!decodeClaims(*claimsJson, &claims, &exp, &nbf, &iss, &aud, &decodeError)) {
        return fail(QStringLiteral("token is malformed: could not JSON decode claim: ") +
                    decodeError);
    }

    const Value* algValue = header->find(QLatin1String("alg"));
    const QString alg = algValue && algValue->isString() ? algValue->string : QString();
    QCryptographicHash::Algorithm hash;
    if (alg == QLatin1String("HS256")) {
        hash = QCryptographicHash::Sha256;
    } else if (alg == QLatin1String("HS384")) {
        hash = QCryptographicHash::Sha384;
    } else if (alg == QLatin1String("HS512")) {
        hash = QCryptographicHash::Sha512;
    } else {
        return fail(QStringLiteral("token is unverifiable: error while executing keyfunc: "
                                   "unexpected signing method: %1")
                        .arg(alg.left(32)));
    }
    const auto signature = decodeSegment(parts[2]);
    if (!signature) {
        return fail(QStringLiteral("token is malformed: could not base64 decode signature"));
    }
    const QByteArrayView signingInput = token.first(parts[0].size() + 1 + parts[1].size());
    const QByteArray expected =
        QMessageAuthenticationCode::hash(signingInput.toByteArray(), m_secret, hash);
    if (!constantTimeEquals(expected, *signature)) {
        return fail(QStringLiteral("token signature is invalid: signature is invalid"));
    }

    // golang-jwt v5 validator order: exp, nbf, aud, iss; all failures joined.
    const double now = static_cast<double>(nowMs) / 1000.0;
    QStringList problems;
    if (exp && !(now < *exp)) {
        problems << QStringLiteral("token is expired");
    }
    if (nbf && now < *nbf) {
        problems << QStringLiteral("token is not valid yet");
    }
    if (aud.isEmpty()) {
        problems << QStringLiteral("token is missing required claim: aud claim is required");
    } else if (!aud.contains(QStringLiteral("nexus"))) {
        problems << QStringLiteral("token has invalid audience");
    }
    if (iss.isEmpty()) {
        problems << QStringLiteral("token is missing required claim: iss claim is required");
    } else if (iss != QLatin1String("authorizer")) {
        problems << QStringLiteral("token has invalid issuer");
    }
    if (!problems.isEmpty()) {
        return fail(QStringLiteral("token has invalid claims: ") +
                    problems.join(QStringLiteral(", ")));
    }
    return claims;
}

} // namespace nexustray::hub
