// Token provider for attestation.tpm (issue 12, tpm-namek.md): hands each request of a session
// to the TpmAttestor its (namek URL, TCTI, state directory) shares (TpmAttestorPool) and maps the
// attestor's §2.8 reactions to what the session understands: Suspended stops retrying
// (TokenResult::permanent), RetryAfter and Backoff set the least wait (TokenResult::retryAfterMs).
#pragma once

#include "attestation/tpm/TpmAttestor.h"
#include "nexustray/TokenProvider.h"

#include <QSet>

#include <memory>

namespace nexustray::attestation {

class TpmTokenProvider : public TokenProvider {
    Q_OBJECT
public:
    explicit TpmTokenProvider(std::shared_ptr<tpm::TpmAttestor> attestor,
                              QObject* parent = nullptr);
    ~TpmTokenProvider() override;

    quint64 request(const TokenRequest& request) override;
    void cancel(quint64 requestId) override;

    // The session's view of an attestor result.
    static TokenResult toTokenResult(const tpm::TpmTokenResult& result);
    // The attestor options of a backend with attestation.tpm (the state directory defaulted).
    static tpm::TpmAttestorOptions optionsFor(const BackendConfig& backend);

private:
    std::shared_ptr<tpm::TpmAttestor> m_attestor;
    tpm::TpmReceiverPtr m_rx;
    QSet<quint64> m_running; // asked of the attestor, not answered or cancelled yet
};

} // namespace nexustray::attestation
