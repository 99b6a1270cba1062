// Token provider backed by the built-in HS256 signer.
#pragma once

#include <functional>

#include "attestation/HmacSigner.h"
#include "nexustray/TokenProvider.h"

namespace nexustray::attestation {

// The signed token of one request at `nowUnixSeconds` (ok, token and exp); shared with the keyring
// variant (KeyringHmacTokenProvider).
TokenResult signHs256Result(const HmacClaimsInput& input, const TokenRequest& request,
                            qint64 nowUnixSeconds);

class HmacTokenProvider : public TokenProvider {
    Q_OBJECT
public:
    // Returns the current Unix time in seconds; replaceable for tests.
    using Clock = std::function<qint64()>;

    explicit HmacTokenProvider(HmacClaimsInput input, QObject* parent = nullptr);
    HmacTokenProvider(HmacClaimsInput input, Clock clock, QObject* parent = nullptr);

    quint64 request(const TokenRequest& request) override;

private:
    HmacClaimsInput m_input;
    Clock m_clock;
};

} // namespace nexustray::attestation
