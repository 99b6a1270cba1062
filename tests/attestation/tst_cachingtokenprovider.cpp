// The handshake cache (attestation spec §1.4) with a scripted inner provider and an injected
// clock: hits, misses, expiry by cacheHandshakeSeconds and by the token's own expiry, failures
// never stored, attest/reauth never cached, cancellation.
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include "attestation/CachingTokenProvider.h"
#include "attestation/HmacTokenProvider.h"

using namespace nexustray;
using namespace nexustray::attestation;

namespace {

// Answers every request asynchronously with the next scripted result and records requests.
class FakeProvider : public TokenProvider {
    Q_OBJECT
public:
    QList<TokenRequest> requests;
    QList<quint64> cancelled;
    QList<TokenResult> script; // consumed in order; when empty, "tok-<n>" is answered

    quint64 request(const TokenRequest& request) override {
        requests.append(request);
        const quint64 id = ++m_nextId;
        TokenResult result;
        if (!script.isEmpty()) {
            result = script.takeFirst();
        } else {
            result.ok = true;
            result.token = QStringLiteral("tok-%1").arg(id);
        }
        QMetaObject::invokeMethod(
            this,
            [this, id, result] {
                if (!cancelled.contains(id))
                    Q_EMIT finished(id, result);
            },
            Qt::QueuedConnection);
        return id;
    }
    void cancel(quint64 requestId) override { cancelled.append(requestId); }

private:
    quint64 m_nextId = 100;
};

TokenResult ok(const QString& token, std::optional<qint64> expiryMs = std::nullopt) {
    TokenResult r;
    r.ok = true;
    r.token = token;
    if (expiryMs)
        r.expiry = QDateTime::fromMSecsSinceEpoch(*expiryMs, QTimeZone::utc());
    return r;
}

TokenResult failed(const QString& error) {
    TokenResult r;
    r.error = error;
    return r;
}

constexpr qint64 kStart = 1767225600000; // ms

} // namespace

class TestCachingTokenProvider : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void hitWithinCacheSeconds();
    void missAfterCacheSeconds();
    void tokenExpiryShortensValidity();
    void laterExpiryDoesNotExtendValidity();
    void failuresNeverStored_data();
    void failuresNeverStored();
    void attestAndReauthNeverCached();
    void hitsAreAsynchronousAndCancellable();
    void cancelForwardsToInner();
    void zeroSecondsDisablesCache();
    void invalidate();
    void wrapsHmacSigner();
    void factoryWrapsWhenConfigured();

private:
    TokenResult fetch(TokenProvider& provider, AttestationStage stage,
                      const QString& nonce = QString());

    FakeProvider* m_inner = nullptr; // owned by m_cache
    std::unique_ptr<CachingTokenProvider> m_cache;
    qint64 m_now = kStart;
};

void TestCachingTokenProvider::init() {
    m_now = kStart;
    auto inner = std::make_unique<FakeProvider>();
    m_inner = inner.get();
    m_cache =
        std::make_unique<CachingTokenProvider>(std::move(inner), 60, [this] { return m_now; });
}

void TestCachingTokenProvider::cleanup() {
    m_cache.reset();
    m_inner = nullptr;
}

TokenResult TestCachingTokenProvider::fetch(TokenProvider& provider, AttestationStage stage,
                                            const QString& nonce) {
    QSignalSpy spy(&provider, &TokenProvider::finished);
    const quint64 id = provider.request({stage, nonce});
    if (spy.count() != 0) // must never be synchronous
        return failed(QStringLiteral("synchronous finished()"));
    if (!spy.wait(5000) || spy.count() != 1 || spy.at(0).at(0).value<quint64>() != id)
        return failed(QStringLiteral("no finished() for the request"));
    return spy.at(0).at(1).value<TokenResult>();
}

void TestCachingTokenProvider::hitWithinCacheSeconds() {
    m_inner->script = {ok(QStringLiteral("first"))};
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("first"));
    QCOMPARE(m_inner->requests.size(), 1);
    QCOMPARE(m_cache->cachedUntil(), std::optional<qint64>(kStart + 60000));

    m_now = kStart + 59999;
    const TokenResult hit = fetch(*m_cache, AttestationStage::Handshake);
    QVERIFY(hit.ok);
    QCOMPARE(hit.token, QStringLiteral("first"));
    QCOMPARE(m_inner->requests.size(), 1);
}

void TestCachingTokenProvider::missAfterCacheSeconds() {
    m_inner->script = {ok(QStringLiteral("first")), ok(QStringLiteral("second"))};
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("first"));
    m_now = kStart + 60000; // the validity instant itself already misses
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("second"));
    QCOMPARE(m_inner->requests.size(), 2);
    // The new token is cached from its own store time.
    QCOMPARE(m_cache->cachedUntil(), std::optional<qint64>(kStart + 120000));
    m_now = kStart + 119000;
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("second"));
    QCOMPARE(m_inner->requests.size(), 2);
}

void TestCachingTokenProvider::tokenExpiryShortensValidity() {
    m_inner->script = {ok(QStringLiteral("short"), kStart + 10000), ok(QStringLiteral("next"))};
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("short"));
    QCOMPARE(m_cache->cachedUntil(), std::optional<qint64>(kStart + 10000));
    m_now = kStart + 9999;
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("short"));
    m_now = kStart + 10000;
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("next"));
    QCOMPARE(m_inner->requests.size(), 2);
}

void TestCachingTokenProvider::laterExpiryDoesNotExtendValidity() {
    // Current-client rule: the earlier of store+cacheSeconds and expiry (the seed used expiry).
    m_inner->script = {ok(QStringLiteral("long"), kStart + 3600000), ok(QStringLiteral("next"))};
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("long"));
    QCOMPARE(m_cache->cachedUntil(), std::optional<qint64>(kStart + 60000));
    m_now = kStart + 61000;
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("next"));
}

void TestCachingTokenProvider::failuresNeverStored_data() {
    QTest::addColumn<bool>("emptyToken");
    QTest::newRow("error") << false;
    QTest::newRow("ok but empty token") << true;
}

void TestCachingTokenProvider::failuresNeverStored() {
    QFETCH(bool, emptyToken);
    TokenResult bad = emptyToken ? ok(QStringLiteral("  ")) : failed(QStringLiteral("boom"));
    m_inner->script = {bad, ok(QStringLiteral("good"))};
    const TokenResult first = fetch(*m_cache, AttestationStage::Handshake);
    QCOMPARE(first.ok, bad.ok);
    QCOMPARE(first.error, bad.error); // passed through unchanged
    QVERIFY(!m_cache->cachedUntil());
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("good"));
    QCOMPARE(m_inner->requests.size(), 2);
}

void TestCachingTokenProvider::attestAndReauthNeverCached() {
    QCOMPARE(fetch(*m_cache, AttestationStage::Attest, QStringLiteral("n1")).token,
             QStringLiteral("tok-101"));
    QCOMPARE(fetch(*m_cache, AttestationStage::Attest, QStringLiteral("n1")).token,
             QStringLiteral("tok-102"));
    QCOMPARE(fetch(*m_cache, AttestationStage::Reauth, QStringLiteral("n2")).token,
             QStringLiteral("tok-103"));
    QCOMPARE(fetch(*m_cache, AttestationStage::Reauth, QStringLiteral("n2")).token,
             QStringLiteral("tok-104"));
    QVERIFY(!m_cache->cachedUntil()); // no attest/reauth token was stored
    QCOMPARE(m_inner->requests.size(), 4);
    QCOMPARE(m_inner->requests.at(0).nonce, QStringLiteral("n1"));
    QCOMPARE(m_inner->requests.at(2).stage, AttestationStage::Reauth);

    // A cached handshake token does not answer the other stages either.
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("tok-105"));
    QCOMPARE(fetch(*m_cache, AttestationStage::Attest, QStringLiteral("n3")).token,
             QStringLiteral("tok-106"));
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("tok-105"));
    QCOMPARE(m_inner->requests.size(), 6);
}

void TestCachingTokenProvider::hitsAreAsynchronousAndCancellable() {
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("tok-101"));
    QSignalSpy spy(m_cache.get(), &TokenProvider::finished);
    const quint64 a = m_cache->request({AttestationStage::Handshake, QString()});
    const quint64 b = m_cache->request({AttestationStage::Handshake, QString()});
    QVERIFY(a != b);
    QCOMPARE(spy.count(), 0);
    m_cache->cancel(a);
    QVERIFY(spy.wait(5000));
    QCoreApplication::processEvents();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<quint64>(), b);
    QCOMPARE(m_inner->requests.size(), 1);
}

void TestCachingTokenProvider::cancelForwardsToInner() {
    QSignalSpy spy(m_cache.get(), &TokenProvider::finished);
    const quint64 id = m_cache->request({AttestationStage::Attest, QStringLiteral("n")});
    m_cache->cancel(id);
    QCOMPARE(m_inner->cancelled, QList<quint64>{101});
    QVERIFY(!spy.wait(200));
    // A cancelled handshake is not stored either.
    const quint64 hs = m_cache->request({AttestationStage::Handshake, QString()});
    m_cache->cancel(hs);
    QVERIFY(!spy.wait(200));
    QVERIFY(!m_cache->cachedUntil());
}

void TestCachingTokenProvider::zeroSecondsDisablesCache() {
    auto inner = std::make_unique<FakeProvider>();
    FakeProvider* raw = inner.get();
    CachingTokenProvider cache(std::move(inner), 0, [this] { return m_now; });
    QCOMPARE(fetch(cache, AttestationStage::Handshake).token, QStringLiteral("tok-101"));
    QCOMPARE(fetch(cache, AttestationStage::Handshake).token, QStringLiteral("tok-102"));
    QCOMPARE(raw->requests.size(), 2);
}

void TestCachingTokenProvider::invalidate() {
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("tok-101"));
    m_cache->invalidate();
    QVERIFY(!m_cache->cachedUntil());
    QCOMPARE(fetch(*m_cache, AttestationStage::Handshake).token, QStringLiteral("tok-102"));
}

void TestCachingTokenProvider::wrapsHmacSigner() {
    // HMAC handshake tokens live until min(store + cacheSeconds, exp): TTL 30 s < 60 s here.
    HmacClaimsInput input;
    input.key = "test-secret";
    input.identity.backendName = QStringLiteral("edge-apps");
    input.tokenTTLSeconds = 30;
    qint64 signCalls = 0;
    auto signer = std::make_unique<HmacTokenProvider>(input, [this, &signCalls] {
        ++signCalls;
        return m_now / 1000;
    });
    CachingTokenProvider cache(std::move(signer), 60, [this] { return m_now; });

    const TokenResult first = fetch(cache, AttestationStage::Handshake);
    QVERIFY(first.ok);
    QCOMPARE(cache.cachedUntil(), std::optional<qint64>(kStart + 30000));
    m_now = kStart + 29000;
    QCOMPARE(fetch(cache, AttestationStage::Handshake).token, first.token);
    QCOMPARE(signCalls, 1);
    m_now = kStart + 30000;
    const TokenResult second = fetch(cache, AttestationStage::Handshake);
    QVERIFY(second.ok);
    QVERIFY(second.token != first.token); // new iat/exp
    QCOMPARE(signCalls, 2);
    // attest is always signed fresh
    fetch(cache, AttestationStage::Attest, QStringLiteral("n"));
    QCOMPARE(signCalls, 3);
}

void TestCachingTokenProvider::factoryWrapsWhenConfigured() {
    BackendConfig backend;
    backend.name = QStringLiteral("b");
    backend.attestation.hmacSecret = QStringLiteral("secret");
    QString error;
    auto plain = createTokenProvider(backend, &error);
    QVERIFY(plain);
    QVERIFY(!qobject_cast<CachingTokenProvider*>(plain.get()));
    QVERIFY(qobject_cast<HmacTokenProvider*>(plain.get()));

    backend.attestation.cacheHandshakeSeconds = 20;
    auto cached = createTokenProvider(backend, &error);
    auto* cache = qobject_cast<CachingTokenProvider*>(cached.get());
    QVERIFY(cache);
    QVERIFY(qobject_cast<HmacTokenProvider*>(cache->inner()));

    // Real clock: two handshakes in a row give the same (cached) token.
    const TokenResult a = fetch(*cached, AttestationStage::Handshake);
    const TokenResult b = fetch(*cached, AttestationStage::Handshake);
    QVERIFY(a.ok);
    QCOMPARE(b.token, a.token);
}

QTEST_GUILESS_MAIN(TestCachingTokenProvider)
#include "tst_cachingtokenprovider.moc"
