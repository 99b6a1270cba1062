// Handshake-token cache (attestation spec §1.4): wraps another provider and answers `handshake`
// requests from the last successful handshake token while it is valid. `attest` and `reauth`
// always go to the wrapped provider. One instance belongs to one session (one backend).
#pragma once

#include <QDateTime>

#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "nexustray/TokenProvider.h"

namespace nexustray::attestation {

class CachingTokenProvider : public TokenProvider {
    Q_OBJECT
public:
    // Returns "now" in milliseconds since the Unix epoch; replaceable for tests.
    using Clock = std::function<qint64()>;

    CachingTokenProvider(std::unique_ptr<TokenProvider> inner, int cacheHandshakeSeconds,
                         QObject* parent = nullptr);
    CachingTokenProvider(std::unique_ptr<TokenProvider> inner, int cacheHandshakeSeconds,
                         Clock clock, QObject* parent = nullptr);
    ~CachingTokenProvider() override;

    quint64 request(const TokenRequest& request) override;
    void cancel(quint64 requestId) override;
    void sessionAttemptFailed() override; // forwarded to the wrapped provider

    TokenProvider* inner() const { return m_inner.get(); }
    // Drops the cached token (e.g. after the hub refused it).
    void invalidate();
    // The instant (ms since epoch) after which the cached token is no longer used; nullopt = empty.
    std::optional<qint64> cachedUntil() const;

private:
    struct Entry {
        TokenResult result;
        qint64 validUntilMs = 0; // valid while now < validUntilMs
    };

    void onInnerFinished(quint64 innerId, const TokenResult& result);

    std::unique_ptr<TokenProvider> m_inner;
    int m_cacheSeconds = 0;
    Clock m_clock;
    std::optional<Entry> m_entry;
    struct Forwarded {
        quint64 outerId = 0;
        bool handshake = false;
    };
    std::map<quint64, Forwarded> m_forwarded; // inner id -> outer request
};

} // namespace nexustray::attestation
