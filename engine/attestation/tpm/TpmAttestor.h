// Tokens from namek with a TPM (tpm-namek.md): first-start enrollment (§2.4-2.5), reuse of the
// saved AK, re-enrollment when the TPM was swapped (AK does not load, EK fingerprint differs) or
// the state was lost (same EK => same device id), and one token per request, each with a fresh
// nonce and quote (§2.3), reacting to namek's answers as §2.8 recommends. One attestor per
// backend, shared by all its sessions; concurrent requests are fine (the TPM serialises quotes).
#pragma once

#include "attestation/tpm/TpmDevice.h"
#include "attestation/tpm/TpmState.h"

#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace nexustray::attestation::tpm {

class NamekClient;
struct DeviceAuth;
struct NamekReply;

struct TpmAttestorOptions {
    QUrl namekUrl;  // https
    QString caFile; // optional, trusted in addition to the system store
    QString tcti = QStringLiteral("device:/dev/tpmrm0");
    QString stateDir;
    // Hierarchy passwords (§4), empty = none; authError: why they could not be read.
    QByteArray ownerAuth;
    QByteArray endorsementAuth;
    QString authError;
    int requestTimeoutMs = 10000; // per HTTP request (inactivity)
    // false: never enroll nor replace the saved AK; without a usable enrollment, requests fail
    // with "not enrolled" (nexus-tray --tpm-status looks without changing anything).
    bool mayEnroll = true;
};

// How the caller should react to a failure (§2.8).
enum class TpmFailure {
    None,
    RetryAfter, // 429: wait retryAfterMs (namek's Retry-After)
    Backoff,   // 5xx, network, timeout, TPM error, repeated 401: wait retryAfterMs (1 s doubling to
               // 60 s, jitter)
    Suspended, // 403 / 409: device suspended or revoked; no automatic retries until reenroll()
    ClientBug, // 400: do not repeat the same request
};

struct TpmTokenResult {
    QByteArray token; // the JWT, forwarded unopened
    TpmFailure failure = TpmFailure::None;
    QString message; // never contains a nonce, quote, secret or token
    int retryAfterMs = 0;
    bool tpmNotAccessible = false; // the TPM device could not be opened (e.g. not in group tss)
    bool ok() const { return failure == TpmFailure::None; }
};

// The device as namek sees it (GET /api/v1/devices/me, §2.6): the tray's "Check identity".
struct TpmDeviceStatus {
    bool ok = false;
    QString message; // why it failed (namek's error text or a local reason)
    QString deviceId;
    QString hostname;
    QString status; // active / suspended / revoked
    QString identityClass;
    QStringList nexusEndpoints;
};

class TpmAttestor : public QObject {
    Q_OBJECT
public:
    explicit TpmAttestor(TpmAttestorOptions options, QObject* parent = nullptr);
    ~TpmAttestor() override;

    // Non-empty when the options cannot work (non-https URL, unreadable CA file).
    QString configError() const;

    using TokenDone = std::function<void(const TpmTokenResult&)>;
    // stage: 0 handshake (sessionNonce ""), 1 attest, 2 reauth (the hub's challenge verbatim).
    // `done` is always called later, on this object's thread, unless the attestor is destroyed.
    void requestToken(int stage, const QString& sessionNonce, TokenDone done);

    // Asks namek about this device (nonce + quote + GET /api/v1/devices/me). Opens the TPM and
    // loads the AK first when needed (enrolling if the options allow); no §2.8 reactions, the
    // answer is only reported.
    void checkIdentity(std::function<void(const TpmDeviceStatus&)> done);

    // Forget a suspension and enroll again at the next request (the UI's "Re-enroll").
    void reenroll();

    std::optional<TpmIdentity> identity() const { return m_identity; }
    int enrollments() const { return m_enrollments; } // completed by this object
    bool isSuspended() const { return m_phase == Phase::Suspended; }

signals:
    void identityChanged();

private:
    enum class Phase { Idle, Preparing, Ready, Suspended };
    static constexpr int kIdentityCheck = -1; // Request::stage of a waiting checkIdentity()
    struct Request {
        int stage = 0;
        QString sessionNonce;
        TokenDone done;
        int unauthorized = 0; // 401 answers so far
        bool reenrolled = false;
    };

    void prepare();
    void loadAk(bool fromSaved);
    void readEk();
    void enroll();
    bool enrollmentReusable() const; // the saved AK and identity fit this namek and EK
    void enrolled(const NamekReply& reply);
    void ready();
    void failWaiting(const TpmTokenResult& result);
    void failPreparation(const TpmTokenResult& result);
    using Authorized = std::function<void(const TpmTokenResult& failure, const DeviceAuth& auth)>;
    void authorize(Authorized next); // a fresh nonce and its quote, as §2.2 headers
    void start(Request request);
    void onToken(Request request, const NamekReply& reply);
    void suspend(const QString& why);
    void forgetTpmSession();
    void finish(const Request& request, const TpmTokenResult& result);
    TpmTokenResult classify(const NamekReply& reply, const QString& what);
    TpmTokenResult tpmFailure(const TpmError& error);
    int nextBackoffMs();

    TpmAttestorOptions m_options;
    std::shared_ptr<TpmDevice> m_device;
    TpmReceiverPtr m_rx;
    NamekClient* m_namek;
    TpmState m_state;
    Phase m_phase = Phase::Idle;
    QList<Request> m_waiting;
    bool m_opened = false;
    bool m_akLoaded = false;
    bool m_akFromSaved = false;
    bool m_forceEnroll = false;
    quint32 m_ak = 0;
    int m_akGeneration = 0; // TpmDevice::generation() the AK was loaded in
    AkBlobs m_blobs;
    std::optional<EkResult> m_ek;
    std::optional<TpmIdentity> m_identity;
    QString m_suspendedWhy;
    int m_enrollments = 0;
    int m_backoffMs = 0;
};

} // namespace nexustray::attestation::tpm
