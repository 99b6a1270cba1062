#include "attestation/KeyringHmacTokenProvider.h"

#include <QDateTime>
#include <QHash>
#include <QMutex>

#include <optional>

#include "Logging.h"
#include "attestation/HmacTokenProvider.h"
#include "nexustray/Keyring.h"

namespace nexustray::attestation {

namespace {

// Backend name -> secret read from the keyring; shared by the sessions of every thread.
QMutex g_cacheMutex;
QHash<QString, QByteArray> g_cache;

std::optional<QByteArray> cachedKey(const QString& backend) {
    QMutexLocker lock(&g_cacheMutex);
    const auto it = g_cache.constFind(backend);
    if (it == g_cache.constEnd())
        return std::nullopt;
    return *it;
}

} // namespace

KeyringHmacTokenProvider::KeyringHmacTokenProvider(HmacClaimsInput input, int keyringTimeoutMs,
                                                   QObject* parent)
    : TokenProvider(parent)
    , m_input(std::move(input))
    , m_timeoutMs(keyringTimeoutMs) {
    m_input.key.clear();
}

void KeyringHmacTokenProvider::clearCache() {
    QMutexLocker lock(&g_cacheMutex);
    g_cache.clear();
}

TokenResult KeyringHmacTokenProvider::sign(const TokenRequest& request) const {
    return signHs256Result(m_input, request, QDateTime::currentSecsSinceEpoch());
}

quint64 KeyringHmacTokenProvider::request(const TokenRequest& request) {
    const quint64 id = nextRequestId();
    const QString backend = m_input.identity.backendName;
    if (m_input.key.isEmpty() && !m_reading) {
        if (const std::optional<QByteArray> key = cachedKey(backend))
            m_input.key = *key;
    }
    if (!m_input.key.isEmpty()) {
        deliverLater(id, sign(request));
        return id;
    }
    m_waiting.append({id, request});
    if (m_reading)
        return id;
    m_reading = true;
    qCDebug(lcAttestation) << "reading the HMAC secret of backend" << backend
                           << "from the system keyring";
    readKeyringSecret(
        backend, this,
        [this](const KeyringResult& result) { onKeyRead(result.secret, result.error); },
        m_timeoutMs);
    return id;
}

void KeyringHmacTokenProvider::onKeyRead(const QByteArray& key, const QString& error) {
    m_reading = false;
    if (!key.isEmpty()) {
        // Trimmed like hmacSecret (attestation spec §2.1).
        const QByteArray trimmed = QString::fromUtf8(key).trimmed().toUtf8();
        QMutexLocker lock(&g_cacheMutex);
        g_cache.insert(m_input.identity.backendName, trimmed);
        m_input.key = trimmed;
    }
    TokenResult failure;
    failure.error = error.isEmpty() && m_input.key.isEmpty()
                        ? QStringLiteral("backend '%1': the secret in the system keyring is blank")
                              .arg(m_input.identity.backendName)
                        : error;
    const QList<Waiting> waiting = std::exchange(m_waiting, {});
    for (const Waiting& w : waiting) {
        // Called from the event loop already: finished() is asynchronous to request().
        Q_EMIT finished(w.id, m_input.key.isEmpty() ? failure : sign(w.request));
    }
}

void KeyringHmacTokenProvider::cancel(quint64 requestId) {
    m_waiting.removeIf([requestId](const Waiting& w) { return w.id == requestId; });
    TokenProvider::cancel(requestId);
}

void KeyringHmacTokenProvider::sessionAttemptFailed() {
    if (m_reading)
        return; // the read under way is fresh anyway
    m_input.key.clear();
    QMutexLocker lock(&g_cacheMutex);
    g_cache.remove(m_input.identity.backendName);
}

} // namespace nexustray::attestation

// Compiled here so that users of this file do not link every other module's moc code.
#include "moc_KeyringHmacTokenProvider.cpp"
