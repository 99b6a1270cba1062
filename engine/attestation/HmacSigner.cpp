#include "attestation/HmacSigner.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

namespace nexustray::attestation {

namespace {

// Header bytes fixed by the spec; its encoding is eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.
const QByteArray kHeader = QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})");

void appendUtf8(QByteArray& out, char32_t cp) {
    if (cp < 0x80) {
        out.append(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.append(static_cast<char>(0xC0 | (cp >> 6)));
        out.append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(static_cast<char>(0xE0 | (cp >> 12)));
        out.append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.append(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.append(static_cast<char>(0xF0 | (cp >> 18)));
        out.append(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.append(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

void appendUnicodeEscape(QByteArray& out, char32_t cp) {
    static const char hex[] = "0123456789abcdef";
    out.append("\\u");
    for (int shift = 12; shift >= 0; shift -= 4)
        out.append(hex[(cp >> shift) & 0xF]);
}

// Claims are written by hand: QJsonObject would sort the keys and change the token's bytes.
class PayloadWriter {
public:
    PayloadWriter() { m_out.append('{'); }

    void intField(const char* key, qint64 value) {
        this->key(key);
        m_out.append(QByteArray::number(value));
    }
    void stringField(const char* key, const QString& value) {
        this->key(key);
        m_out.append(goJsonString(value));
    }
    void boolField(const char* key, bool value) {
        this->key(key);
        m_out.append(value ? "true" : "false");
    }
    void intArrayField(const char* key, const QList<int>& values) {
        this->key(key);
        m_out.append('[');
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (i > 0)
                m_out.append(',');
            m_out.append(QByteArray::number(values.at(i)));
        }
        m_out.append(']');
    }
    void stringArrayField(const char* key, const QStringList& values) {
        this->key(key);
        m_out.append('[');
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (i > 0)
                m_out.append(',');
            m_out.append(goJsonString(values.at(i)));
        }
        m_out.append(']');
    }
    void udpRoutesField(const char* key, const QList<UdpRoute>& routes) {
        this->key(key);
        m_out.append('[');
        for (qsizetype i = 0; i < routes.size(); ++i) {
            if (i > 0)
                m_out.append(',');
            const UdpRoute& route = routes.at(i);
            m_out.append("{\"port\":").append(QByteArray::number(route.port));
            if (route.flowIdleTimeoutSeconds) {
                m_out.append(",\"flow_idle_timeout_seconds\":")
                    .append(QByteArray::number(*route.flowIdleTimeoutSeconds));
            }
            m_out.append('}');
        }
        m_out.append(']');
    }

    QByteArray finish() {
        m_out.append('}');
        return m_out;
    }

private:
    void key(const char* name) {
        if (!m_first)
            m_out.append(',');
        m_first = false;
        m_out.append('"').append(name).append("\":");
    }

    QByteArray m_out;
    bool m_first = true;
};

} // namespace

HmacClaimsInput HmacClaimsInput::fromBackend(const BackendConfig& backend, const QByteArray& key) {
    const AttestationConfig& a = backend.attestation;
    HmacClaimsInput input;
    input.key = key;
    input.identity = AttestationIdentity::fromBackend(backend);
    input.tokenTTLSeconds = a.tokenTTLSeconds;
    input.handshakeMaxAgeSeconds = a.handshakeMaxAgeSeconds;
    input.reauthIntervalSeconds = a.reauthIntervalSeconds;
    input.reauthGraceSeconds = a.reauthGraceSeconds;
    input.maintenanceGraceCapSeconds = a.maintenanceGraceCapSeconds;
    input.authorizerStatusUri = a.authorizerStatusUri;
    input.policyVersion = a.policyVersion;
    return input;
}

QByteArray goJsonString(const QString& value) {
    QByteArray out;
    out.reserve(value.size() + 2);
    out.append('"');
    const auto ucs4 = value.toUcs4(); // lone surrogates become U+FFFD
    for (const char32_t cp : ucs4) {
        switch (cp) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        case '<':
        case '>':
        case '&':
        case 0x2028:
        case 0x2029:
            appendUnicodeEscape(out, cp);
            break;
        default:
            if (cp < 0x20)
                appendUnicodeEscape(out, cp);
            else if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                appendUtf8(out, 0xFFFD);
            else
                appendUtf8(out, cp);
        }
    }
    out.append('"');
    return out;
}

QByteArray base64Url(const QByteArray& data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

qint64 hs256Expiry(const HmacClaimsInput& input, qint64 nowUnixSeconds) {
    const int ttl =
        input.tokenTTLSeconds > 0 ? input.tokenTTLSeconds : AttestationConfig().tokenTTLSeconds;
    return nowUnixSeconds + ttl;
}

QByteArray buildHs256Payload(const HmacClaimsInput& input, AttestationStage stage,
                             const QString& nonce, qint64 nowUnixSeconds) {
    const AttestationIdentity& id = input.identity;
    PayloadWriter w;
    if (!id.hostnames.isEmpty())
        w.stringArrayField("hostnames", id.hostnames);
    if (!id.tcpPorts.isEmpty())
        w.intArrayField("tcp_ports", id.tcpPorts);
    if (!id.udpRoutes.isEmpty())
        w.udpRoutesField("udp_routes", id.udpRoutes);
    w.intField("weight", id.weight);
    if (stage != AttestationStage::Handshake && !nonce.isEmpty())
        w.stringField("session_nonce", nonce);
    if (stage == AttestationStage::Handshake && input.handshakeMaxAgeSeconds > 0)
        w.intField("handshake_max_age_seconds", input.handshakeMaxAgeSeconds);
    if (input.reauthIntervalSeconds > 0)
        w.intField("reauth_interval_seconds", input.reauthIntervalSeconds);
    if (input.reauthGraceSeconds > 0)
        w.intField("reauth_grace_seconds", input.reauthGraceSeconds);
    if (input.maintenanceGraceCapSeconds > 0)
        w.intField("maintenance_grace_cap_seconds", input.maintenanceGraceCapSeconds);
    if (!input.authorizerStatusUri.isEmpty())
        w.stringField("authorizer_status_uri", input.authorizerStatusUri);
    if (!input.policyVersion.isEmpty())
        w.stringField("policy_version", input.policyVersion);
    // Never written as false: a hub without outbound support must not see the claim at all.
    if (id.outboundAllowed) {
        w.boolField("outbound_allowed", true);
        if (!id.allowedOutboundPorts.isEmpty())
            w.intArrayField("allowed_outbound_ports", id.allowedOutboundPorts);
    }
    w.stringField("iss", QStringLiteral("authorizer"));
    w.stringField("sub", id.backendName);
    w.stringArrayField("aud", {QStringLiteral("nexus")});
    w.intField("exp", hs256Expiry(input, nowUnixSeconds));
    w.intField("iat", nowUnixSeconds);
    return w.finish();
}

QByteArray signHs256Token(const HmacClaimsInput& input, AttestationStage stage,
                          const QString& nonce, qint64 nowUnixSeconds) {
    QByteArray signingInput = base64Url(kHeader);
    signingInput.append('.');
    signingInput.append(base64Url(buildHs256Payload(input, stage, nonce, nowUnixSeconds)));
    const QByteArray signature =
        QMessageAuthenticationCode::hash(signingInput, input.key, QCryptographicHash::Sha256);
    return signingInput + '.' + base64Url(signature);
}

} // namespace nexustray::attestation
