#include "attestation/CachingTokenProvider.h"

#include "Logging.h"

namespace nexustray::attestation {

CachingTokenProvider::CachingTokenProvider(std::unique_ptr<TokenProvider> inner,
                                           int cacheHandshakeSeconds, QObject* parent)
    : CachingTokenProvider(
          std::move(inner), cacheHandshakeSeconds,
          [] { return QDateTime::currentMSecsSinceEpoch(); }, parent) {}

CachingTokenProvider::CachingTokenProvider(std::unique_ptr<TokenProvider> inner,
                                           int cacheHandshakeSeconds, Clock clock, QObject* parent)
    : TokenProvider(parent)
    , m_inner(std::move(inner))
    , m_cacheSeconds(cacheHandshakeSeconds)
    , m_clock(std::move(clock)) {
    connect(m_inner.get(), &TokenProvider::finished, this, &CachingTokenProvider::onInnerFinished);
}

CachingTokenProvider::~CachingTokenProvider() {
    // The inner provider may emit while being destroyed (it is not our QObject child).
    if (m_inner)
        m_inner->disconnect(this);
}

quint64 CachingTokenProvider::request(const TokenRequest& request) {
    const quint64 id = nextRequestId();
    const bool handshake = request.stage == AttestationStage::Handshake;
    if (handshake && m_cacheSeconds > 0 && m_entry) {
        if (m_clock() < m_entry->validUntilMs) {
            qCDebug(lcAttestation) << "using cached handshake token";
            deliverLater(id, m_entry->result);
            return id;
        }
        m_entry.reset();
    }
    const quint64 innerId = m_inner->request(request);
    m_forwarded[innerId] = Forwarded{id, handshake};
    return id;
}

void CachingTokenProvider::cancel(quint64 requestId) {
    if (dropDelivery(requestId))
        return;
    for (auto it = m_forwarded.begin(); it != m_forwarded.end(); ++it) {
        if (it->second.outerId == requestId) {
            const quint64 innerId = it->first;
            m_forwarded.erase(it);
            m_inner->cancel(innerId);
            return;
        }
    }
}

void CachingTokenProvider::sessionAttemptFailed() {
    m_inner->sessionAttemptFailed();
}

void CachingTokenProvider::invalidate() {
    m_entry.reset();
}

std::optional<qint64> CachingTokenProvider::cachedUntil() const {
    if (!m_entry)
        return std::nullopt;
    return m_entry->validUntilMs;
}

void CachingTokenProvider::onInnerFinished(quint64 innerId, const TokenResult& result) {
    const auto it = m_forwarded.find(innerId);
    if (it == m_forwarded.end())
        return;
    const Forwarded forwarded = it->second;
    m_forwarded.erase(it);

    // Only successful, non-empty handshake tokens are stored; failures never are.
    if (forwarded.handshake && m_cacheSeconds > 0 && result.ok &&
        !result.token.trimmed().isEmpty()) {
        qint64 validUntil = m_clock() + static_cast<qint64>(m_cacheSeconds) * 1000;
        if (result.expiry && result.expiry->isValid())
            validUntil = std::min(validUntil, result.expiry->toMSecsSinceEpoch());
        m_entry = Entry{result, validUntil};
    }
    Q_EMIT finished(forwarded.outerId, result);
}

} // namespace nexustray::attestation

// Compiled here so that users of this file do not link every other module's moc code.
#include "moc_CachingTokenProvider.cpp"
