#include "SwitchableTokenProvider.h"

#include "TestTokens.h"

namespace nexustray::test {

SwitchableTokenProvider::SwitchableTokenProvider(BackendConfig backend, QByteArray secret,
                                                 const TokenMode* mode, QString failure,
                                                 SessionErrorKind failureKind)
    : m_backend(std::move(backend))
    , m_secret(std::move(secret))
    , m_mode(mode)
    , m_failure(std::move(failure))
    , m_failureKind(failureKind) {}

quint64 SwitchableTokenProvider::request(const TokenRequest& request) {
    TokenResult result;
    const TokenMode::Value mode = m_mode->get();
    if (mode == TokenMode::PermanentFailure) {
        result.error = m_failure;
        result.permanent = true;
        result.errorKind = m_failureKind;
    } else {
        QJsonObject claims = TestTokens::claims(m_backend.name, m_backend.hostnames, 1,
                                                mode == TokenMode::Expired ? -120 : 60);
        if (!request.nonce.isEmpty())
            claims = TestTokens::withNonce(claims, request.nonce);
        result.ok = true;
        result.token = QString::fromLatin1(TestTokens::mint(
            mode == TokenMode::WrongSecret ? QByteArray("not-the-hub-secret") : m_secret, claims));
    }
    const quint64 id = nextRequestId();
    deliverLater(id, result);
    return id;
}

} // namespace nexustray::test
