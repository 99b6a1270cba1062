#include "nexustray/TokenProvider.h"

#include "Logging.h"
#include "attestation/CachingTokenProvider.h"
#include "attestation/CommandTokenProvider.h"
#include "attestation/HmacSecret.h"
#include "attestation/HmacSigner.h"
#include "attestation/HmacTokenProvider.h"
#include "attestation/KeyringHmacTokenProvider.h"
#include "attestation/TpmTokenProvider.h"
#include "attestation/tpm/TpmAttestorPool.h"
#include "nexustray/Keyring.h"

namespace nexustray {

namespace {

template <typename T> QList<T> withoutDuplicates(const QList<T>& values) {
    QList<T> out;
    out.reserve(values.size());
    for (const T& v : values) {
        if (!out.contains(v))
            out.append(v);
    }
    return out;
}

} // namespace

void TokenProvider::cancel(quint64 requestId) {
    dropDelivery(requestId);
}

void TokenProvider::sessionAttemptFailed() {}

quint64 TokenProvider::nextRequestId() {
    return m_nextRequestId++;
}

void TokenProvider::deliverLater(quint64 id, const TokenResult& result) {
    m_pendingDeliveries.insert(id);
    // Queued with `this` as context: nothing runs once the provider is gone.
    QMetaObject::invokeMethod(
        this,
        [this, id, result] {
            if (m_pendingDeliveries.remove(id))
                Q_EMIT finished(id, result);
        },
        Qt::QueuedConnection);
}

bool TokenProvider::dropDelivery(quint64 id) {
    return m_pendingDeliveries.remove(id);
}

AttestationIdentity AttestationIdentity::fromBackend(const BackendConfig& backend) {
    AttestationIdentity id;
    id.backendName = backend.name;
    // The loader already normalises and de-duplicates; repeated here so hand-built configs
    // (library mode) produce the same claims.
    id.hostnames = withoutDuplicates(backend.hostnames);
    id.tcpPorts = withoutDuplicates(backend.tcpPorts);
    // UDP flows are relayed (relay/UdpFlow): the routes are claimed as configured (udp_routes,
    // NEXUS_UDP_ROUTES); the hub applies its own default and clamp to each timeout.
    id.udpRoutes = backend.udpRoutes;
    id.weight = backend.weight >= 1 ? backend.weight : 1;
    id.outboundAllowed = backend.attestation.outboundAllowed;
    id.allowedOutboundPorts = backend.attestation.allowedOutboundPorts;
    return id;
}

std::unique_ptr<TokenProvider> createTokenProvider(const BackendConfig& backend, QString* error) {
    const AttestationConfig& config = backend.attestation;
    std::unique_ptr<TokenProvider> provider;
    if (config.usesTpm()) {
        qCDebug(lcAttestation) << "backend" << backend.name << "uses the TPM with namek"
                               << config.tpm->namekUrl;
        // No handshake cache: every token carries a fresh quote (tpm-namek.md §2.3).
        return std::make_unique<attestation::TpmTokenProvider>(
            attestation::tpm::TpmAttestorPool::acquire(
                attestation::TpmTokenProvider::optionsFor(backend)));
    }
    if (config.usesCommand()) {
        provider = std::make_unique<attestation::CommandTokenProvider>(
            config, AttestationIdentity::fromBackend(backend));
    } else if (config.usesKeyring()) {
        provider = std::make_unique<attestation::KeyringHmacTokenProvider>(
            attestation::HmacClaimsInput::fromBackend(backend, QByteArray()), kKeyringTimeoutMs);
    } else {
        QByteArray key;
        QString keyError;
        if (!attestation::loadHmacKey(config, &key, &keyError)) {
            if (error)
                *error = keyError;
            return nullptr;
        }
        provider = std::make_unique<attestation::HmacTokenProvider>(
            attestation::HmacClaimsInput::fromBackend(backend, key));
    }
    qCDebug(lcAttestation) << "backend" << backend.name << "uses"
                           << (config.usesCommand()   ? "the attestation command"
                               : config.usesKeyring() ? "the built-in HMAC signer (keyring)"
                                                      : "the built-in HMAC signer");
    if (config.cacheHandshakeSeconds > 0) {
        provider = std::make_unique<attestation::CachingTokenProvider>(
            std::move(provider), config.cacheHandshakeSeconds);
    }
    return provider;
}

} // namespace nexustray

// Compiled here so that users of this file do not link every other module's moc code.
#include "nexustray/moc_TokenProvider.cpp"
