#include "attestation/HmacTokenProvider.h"

#include <QDateTime>

#include "Logging.h"

namespace nexustray::attestation {

HmacTokenProvider::HmacTokenProvider(HmacClaimsInput input, QObject* parent)
    : HmacTokenProvider(
          std::move(input), [] { return QDateTime::currentSecsSinceEpoch(); }, parent) {}

HmacTokenProvider::HmacTokenProvider(HmacClaimsInput input, Clock clock, QObject* parent)
    : TokenProvider(parent)
    , m_input(std::move(input))
    , m_clock(std::move(clock)) {}

quint64 HmacTokenProvider::request(const TokenRequest& request) {
    const quint64 id = nextRequestId();
    // Signing is cheap, so it happens now (the clock is read at request time); only the
    // delivery is deferred to keep finished() asynchronous.
    const qint64 now = m_clock();
    TokenResult result;
    result.ok = true;
    result.token = QString::fromLatin1(signHs256Token(m_input, request.stage, request.nonce, now));
    result.expiry = QDateTime::fromSecsSinceEpoch(hs256Expiry(m_input, now)).toUTC();
    qCDebug(lcAttestation) << "signed HS256 token for backend" << m_input.identity.backendName
                           << "stage" << stageName(request.stage);
    deliverLater(id, result);
    return id;
}

} // namespace nexustray::attestation

// Compiled here so that users of this file do not link every other module's moc code.
#include "moc_HmacTokenProvider.cpp"
