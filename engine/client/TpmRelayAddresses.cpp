#include "client/TpmRelayAddresses.h"

#include "attestation/TpmTokenProvider.h"
#include "attestation/tpm/TpmAttestorPool.h"

namespace nexustray {

using namespace attestation::tpm;

TpmRelayAddresses::TpmRelayAddresses(const BackendConfig& backend, QObject* context,
                                     std::function<void(const RelayAddresses&)> done)
    : m_rx(std::make_shared<TpmReceiver>(context)) {
    const TpmAttestorOptions options = attestation::TpmTokenProvider::optionsFor(backend);
    const std::optional<TpmIdentity> saved = TpmState(options.stateDir).loadIdentity();
    if (saved && saved->namekUrl == options.namekUrl.toString() &&
        !saved->nexusEndpoints.isEmpty()) {
        RelayAddresses out;
        out.urls = saved->nexusEndpoints;
        m_rx->deliver([done, out] { done(out); });
        return;
    }
    m_attestor = TpmAttestorPool::acquire(options);
    TpmAttestor* attestor = m_attestor.get();
    const std::shared_ptr<TpmReceiver> rx = m_rx;
    QMetaObject::invokeMethod(
        attestor,
        [attestor, rx, done] {
            attestor->requestToken(0, QString(), [attestor, rx, done](const TpmTokenResult& r) {
                RelayAddresses out;
                if (r.ok() && attestor->identity())
                    out.urls = attestor->identity()->nexusEndpoints;
                if (out.urls.isEmpty()) {
                    out.error =
                        r.ok() ? QStringLiteral("namek gave no nexus_endpoints") : r.message;
                    out.permanent = r.failure == TpmFailure::Suspended;
                    out.retryAfterMs = r.retryAfterMs;
                    out.errorKind = r.failure == TpmFailure::Suspended
                                        ? SessionErrorKind::DeviceSuspended
                                    : r.tpmNotAccessible ? SessionErrorKind::TpmNotAccessible
                                                         : SessionErrorKind::Other;
                }
                rx->deliver([done, out] { done(out); });
            });
        },
        Qt::QueuedConnection);
}

TpmRelayAddresses::~TpmRelayAddresses() {
    m_rx->detach();
}

} // namespace nexustray
