// Token providers produce the attestation JWTs a session sends (shared/spec/attestation.md).
// The interface is asynchronous so that slow providers (a command, a TPM) never block a session.
#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

#include "nexustray/Config.h"

namespace nexustray {

enum class AttestationStage { Handshake, Attest, Reauth };
QString stageName(AttestationStage stage); // "handshake", "attest", "reauth"

// What every request tells the provider about the backend (captured when the session is built).
struct AttestationIdentity {
    QString backendName;
    QStringList hostnames;
    QList<int> tcpPorts;
    QList<UdpRoute> udpRoutes;
    int weight = 1;
    bool outboundAllowed = false;
    QList<int> allowedOutboundPorts;

    static AttestationIdentity fromBackend(const BackendConfig& backend);
};

struct TokenRequest {
    AttestationStage stage = AttestationStage::Handshake;
    QString nonce; // empty for the handshake stage
};

struct TokenResult {
    bool ok = false;
    QString token;                    // trimmed, non-empty when ok
    std::optional<QDateTime> expiry;  // when the provider knows it (JSON output, HMAC exp)
    QString error;                    // plain words, never contains the token
};

class TokenProvider : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~TokenProvider() override = default;

    // Starts a request and returns its id. finished() is emitted exactly once per id, always
    // asynchronously (never from inside request()), unless the request is cancelled first.
    virtual quint64 request(const TokenRequest& request) = 0;
    // Abandons a request: finished() will not be emitted for it; a running child is killed.
    virtual void cancel(quint64 requestId) = 0;

Q_SIGNALS:
    void finished(quint64 requestId, const nexustray::TokenResult& result);
};

// Builds the provider the config selects: command if non-blank, else the HMAC signer (reads
// hmacSecretFile now), wrapped in the handshake cache when cacheHandshakeSeconds > 0.
// Returns nullptr and sets *error ("read hmac secret file: ...", "hmac secret is required") on failure.
std::unique_ptr<TokenProvider> createTokenProvider(const BackendConfig& backend, QString* error);

} // namespace nexustray

Q_DECLARE_METATYPE(nexustray::TokenResult)
