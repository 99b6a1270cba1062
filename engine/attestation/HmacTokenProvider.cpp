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

TokenResult signHs256Result(const HmacClaimsInput& input, const TokenRequest& request,
                            qint64 nowUnixSeconds) {
    TokenResult result;
    result.ok = true;
    result.token =
        QString::fromLatin1(signHs256Token(input, request.stage, request.nonce, nowUnixSeconds));
    result.expiry = QDateTime::fromSecsSinceEpoch(hs256Expiry(input, nowUnixSeconds)).toUTC();
    qCDebug(lcAttestation) << "signed HS256 token for backend" << input.identity.backendName
                           << "stage" << stageName(request.stage);
    return result;
}

quint64 HmacTokenProvider::request(const TokenRequest& request) {
    const quint64 id = nextRequestId();
    // Signing is cheap, so it happens now (the clock is read at request time); only the
    // delivery is deferred to keep finished() asynchronous.
    deliverLater(id, signHs256Result(m_input, request, m_clock()));
    return id;
}

} // namespace nexustray::attestation

// Compiled here so that users of this file do not link every other module's moc code.
#include "moc_HmacTokenProvider.cpp"
