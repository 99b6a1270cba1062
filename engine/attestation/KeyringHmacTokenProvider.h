// The built-in HS256 signer with its key in the system keyring (attestation.hmacSecretKeyring,
// issue 13). The first request reads the secret (nexustray/Keyring.h, asynchronous); it is then
// cached per backend for the lifetime of the process, shared by every session of the backend,
// until a session attempt fails (sessionAttemptFailed()): the retry reads it again, so a secret
// replaced with `nexus-tray --set-secret` is picked up after the hub refused the old one.
#pragma once

#include <QList>

#include "attestation/HmacSigner.h"
#include "nexustray/TokenProvider.h"

namespace nexustray::attestation {

class KeyringHmacTokenProvider : public TokenProvider {
    Q_OBJECT
public:
    // `input.key` is ignored (it comes from the keyring).
    explicit KeyringHmacTokenProvider(HmacClaimsInput input, int keyringTimeoutMs,
                                      QObject* parent = nullptr);

    quint64 request(const TokenRequest& request) override;
    void cancel(quint64 requestId) override;
    void sessionAttemptFailed() override;

    // The process-wide cache (tests): forget every backend's secret.
    static void clearCache();

private:
    struct Waiting {
        quint64 id = 0;
        TokenRequest request;
    };
    void onKeyRead(const QByteArray& key, const QString& error);
    TokenResult sign(const TokenRequest& request) const;

    HmacClaimsInput m_input;
    int m_timeoutMs = 0;
    bool m_reading = false;
    QList<Waiting> m_waiting; // requests that wait for the keyring
};

} // namespace nexustray::attestation
