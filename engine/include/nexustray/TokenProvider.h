// Token providers produce the attestation JWTs a session sends (shared/spec/attestation.md).
// The interface is asynchronous so that slow providers (a command, a TPM) never block a session.
#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

#include "nexustray/Config.h"
#include "nexustray/Snapshots.h"

namespace nexustray {

// AttestationStage and stageName() are in Snapshots.h (AttestationEvent reports them too).

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
    QString token;                   // trimmed, non-empty when ok
    std::optional<QDateTime> expiry; // when the provider knows it (JSON output, HMAC exp)
    QString error;                   // plain words, never contains the token
    // Failure hints for the session (ignored when ok):
    bool permanent = false; // no retry can help (e.g. "device suspended/revoked"): stop for good
    int retryAfterMs = 0;   // wait at least this long before the next attempt (e.g. Retry-After)
    // What the failure is about, for the session's SessionSnapshot::errorKind; None = a refused
    // attestation (AuthenticationRefused).
    SessionErrorKind errorKind = SessionErrorKind::None;
};

// A provider lives on the thread of the session that uses it and is called only there.
//
// Writing one: request() takes an id from nextRequestId(), starts the work and, when the result
// is known (at once or later), hands it to deliverLater(); the base emits finished() from the
// event loop unless the request was cancelled meanwhile. The default cancel() drops such a
// queued delivery; a provider with running work overrides cancel(), stops the work and calls
// TokenProvider::cancel() too. Emitting finished() directly is allowed as well, as long as the
// contract below holds.
class TokenProvider : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~TokenProvider() override = default;

    // Starts a request and returns its id. finished() is emitted exactly once per id, always
    // asynchronously (never from inside request()), unless the request is cancelled first.
    virtual quint64 request(const TokenRequest& request) = 0;
    // Abandons a request: finished() will not be emitted for it; a running child is killed.
    // The default drops a result queued by deliverLater().
    virtual void cancel(quint64 requestId);
    // The session's attempt failed (refused, dropped, no token): a provider that caches
    // something it read (e.g. the keyring secret) reads it afresh for the retry. Default: nothing.
    virtual void sessionAttemptFailed();

Q_SIGNALS:
    void finished(quint64 requestId, const nexustray::TokenResult& result);

protected:
    // Ids for request(): 1, 2, 3, ... per provider.
    quint64 nextRequestId();
    // Emits finished(id, result) from the event loop, never from inside the caller, unless
    // cancel(id) runs first. Safe to call from request() and from cancel().
    void deliverLater(quint64 id, const TokenResult& result);
    // True when a deliverLater() of `id` was still pending (it is now dropped).
    bool dropDelivery(quint64 id);

private:
    quint64 m_nextRequestId = 1;
    QSet<quint64> m_pendingDeliveries; // queued by deliverLater(), not emitted yet
};

// Library mode: builds the provider of one session (Client::setTokenProviderFactory). Return
// nullptr to use the built-in provider the config selects (createTokenProvider below).
using TokenProviderFactory =
    std::function<std::unique_ptr<TokenProvider>(const BackendConfig& backend)>;

// Builds the provider the config selects: the TPM (attestation.tpm; the attestor is shared by
// every provider with the same namek URL, TCTI and state directory), else the command if
// non-blank, else the HMAC signer with its key from the system keyring (hmacSecretKeyring: read
// at the first request, nexustray/Keyring.h), else the HMAC signer (reads hmacSecretFile now),
// wrapped in the handshake cache when cacheHandshakeSeconds > 0.
// Returns nullptr and sets *error ("read hmac secret file: ...", "hmac secret is required") on
// failure.
std::unique_ptr<TokenProvider> createTokenProvider(const BackendConfig& backend, QString* error);

} // namespace nexustray

Q_DECLARE_METATYPE(nexustray::TokenResult)
