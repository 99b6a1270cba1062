#include "attestation/TpmTokenProvider.h"

#include "Logging.h"
#include "config/TpmPasswordFile.h"

#include <tuple>

namespace nexustray::attestation {

using tpm::TpmFailure;
using tpm::TpmTokenResult;

TpmTokenProvider::TpmTokenProvider(std::shared_ptr<tpm::TpmAttestor> attestor, QObject* parent)
    : TokenProvider(parent)
    , m_attestor(std::move(attestor))
    , m_rx(std::make_shared<tpm::TpmReceiver>(this)) {}

TpmTokenProvider::~TpmTokenProvider() {
    m_rx->detach(); // answers still on their way from the attestor's thread vanish
}

quint64 TpmTokenProvider::request(const TokenRequest& request) {
    const quint64 id = nextRequestId();
    m_running.insert(id);
    const int stage = request.stage == AttestationStage::Handshake ? 0
                      : request.stage == AttestationStage::Attest  ? 1
                                                                   : 2;
    tpm::TpmAttestor* attestor = m_attestor.get();
    const tpm::TpmReceiverPtr rx = m_rx;
    // The attestor lives on its own thread and is only called there; its answer comes back here
    // through the receiver (dropped once this provider is gone).
    QMetaObject::invokeMethod(
        attestor,
        [attestor, rx, stage, nonce = request.nonce, id, self = this] {
            attestor->requestToken(stage, nonce, [rx, id, self](const TpmTokenResult& result) {
                rx->deliver([self, id, result] {
                    if (self->m_running.remove(id))
                        Q_EMIT self->finished(id, toTokenResult(result));
                });
            });
        },
        Qt::QueuedConnection);
    return id;
}

void TpmTokenProvider::cancel(quint64 requestId) {
    // The attestor cannot be interrupted (the TPM and namek finish their part); its answer is
    // simply not reported.
    m_running.remove(requestId);
    TokenProvider::cancel(requestId);
}

TokenResult TpmTokenProvider::toTokenResult(const TpmTokenResult& result) {
    TokenResult out;
    switch (result.failure) {
    case TpmFailure::None:
        out.ok = true;
        out.token = QString::fromLatin1(result.token).trimmed();
        return out;
    case TpmFailure::Suspended:
        // "device suspended/revoked (...)": no retry can help until the device is re-enrolled.
        out.permanent = true;
        out.errorKind = SessionErrorKind::DeviceSuspended;
        break;
    case TpmFailure::RetryAfter:
    case TpmFailure::Backoff:
        out.retryAfterMs = result.retryAfterMs;
        break;
    case TpmFailure::ClientBug:
        break;
    }
    if (result.tpmNotAccessible)
        out.errorKind = SessionErrorKind::TpmNotAccessible;
    out.error = result.message; // never holds a nonce, quote, secret or token
    return out;
}

tpm::TpmAttestorOptions TpmTokenProvider::optionsFor(const BackendConfig& backend) {
    const TpmAttestationConfig& config = *backend.attestation.tpm;
    tpm::TpmAttestorOptions options;
    options.namekUrl = QUrl(config.namekUrl);
    options.caFile = config.caFile;
    options.tcti = config.tcti;
    options.stateDir = config.effectiveStateDir(backend.name);
    for (const auto& [key, path, auth] :
         {std::tuple{"ownerPasswordFile", &config.ownerPasswordFile, &options.ownerAuth},
          std::tuple{"endorsementPasswordFile", &config.endorsementPasswordFile,
                     &options.endorsementAuth}}) {
        const QString problem =
            path->isEmpty() ? QString() : config::readTpmPasswordFile(*path, auth);
        if (!problem.isEmpty() && options.authError.isEmpty())
            options.authError = QStringLiteral("attestation.tpm.%1 \"%2\": %3")
                                    .arg(QLatin1String(key), *path, problem);
    }
    return options;
}

} // namespace nexustray::attestation

// Compiled here so that users of this file do not link every other module's moc code.
#include "moc_TpmTokenProvider.cpp"
