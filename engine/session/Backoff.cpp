#include "session/Backoff.h"

#include <QStringList>

#include <algorithm>

namespace nexustray {

FailureClass classifyFailure(const QString& error) {
    const QString e = error.toLower();
    if (e.contains(QLatin1String("rate limit")))
        return FailureClass::RateLimited;
    static const char* const permanent[] = {"unauthorized",
                                            "invalid token",
                                            "invalid credential",
                                            "authentication failed",
                                            "forbidden",
                                            "401",
                                            "403"};
    for (const char* word : permanent) {
        if (e.contains(QLatin1String(word)))
            return FailureClass::Permanent;
    }
    return FailureClass::Transient;
}

Backoff::Backoff(BackoffPolicy policy, quint32 seed)
    : m_policy(policy)
    , m_random(seed ? seed : QRandomGenerator::system()->generate()) {}

std::optional<int> Backoff::nextDelayMs(FailureClass failure) {
    switch (failure) {
    case FailureClass::RateLimited:
        return m_policy.rateLimitMs;
    case FailureClass::Permanent: {
        ++m_permanent;
        if (m_permanent >= m_policy.maxPermanentFailures)
            return std::nullopt;
        // The first permanent failure already waits one doubling (~10 s), as the Go client does.
        const int exponent = std::min(m_permanent, 16);
        return jittered(std::min<qint64>(qint64(m_policy.baseMs) << exponent, m_policy.maxMs));
    }
    case FailureClass::Transient:
        break;
    }
    ++m_transient;
    const int exponent = std::min(m_transient - 1, 16);
    return jittered(std::min<qint64>(qint64(m_policy.baseMs) << exponent, m_policy.maxMs));
}

void Backoff::reset() {
    m_transient = 0;
    m_permanent = 0;
}

int Backoff::jittered(int baseMs) {
    const double factor = 1.0 + m_policy.jitter * (2.0 * m_random.generateDouble() - 1.0);
    return std::min(int(baseMs * factor), m_policy.maxMs);
}

} // namespace nexustray
