// The TokenProvider base's plumbing (nexustray/TokenProvider.h) as a library user's provider
// sees it: ids, finished() delivered later and never from inside request(), and cancel()
// dropping a result that is already queued; and the claims an identity takes from a backend.
#include <QSignalSpy>
#include <QTest>

#include "nexustray/Config.h"
#include "nexustray/TokenProvider.h"

using namespace nexustray;

namespace {

// The smallest provider: the result is known at once, the base delivers it.
class ImmediateProvider : public TokenProvider {
public:
    quint64 request(const TokenRequest& request) override {
        const quint64 id = nextRequestId();
        TokenResult result;
        result.ok = true;
        result.token = QStringLiteral("token-") + request.nonce;
        deliverLater(id, result);
        return id;
    }
};

} // namespace

class TestTokenProvider : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { qRegisterMetaType<nexustray::TokenResult>(); }

    void identityClaimsTheBackendsUdpRoutes() {
        // UDP flows are relayed: udpRoutes are claimed as configured (udp_routes,
        // NEXUS_UDP_ROUTES), timeouts included; the hub applies its default and clamp.
        BackendConfig backend;
        backend.name = QStringLiteral("edge");
        backend.tcpPorts = {443, 443};
        backend.udpRoutes = {UdpRoute{53, 30}, UdpRoute{67, std::nullopt}};
        const AttestationIdentity id = AttestationIdentity::fromBackend(backend);
        QCOMPARE(id.tcpPorts, QList<int>{443});
        QCOMPARE(id.udpRoutes, backend.udpRoutes);
    }

    void deliversLaterWithDistinctIds() {
        ImmediateProvider provider;
        QSignalSpy spy(&provider, &TokenProvider::finished);
        const quint64 a = provider.request({AttestationStage::Attest, QStringLiteral("n1")});
        const quint64 b = provider.request({AttestationStage::Attest, QStringLiteral("n2")});
        QVERIFY(a != b);
        QCOMPARE(spy.size(), 0); // never from inside request()
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, 10000);
        QCOMPARE(spy.at(0).at(0).value<quint64>(), a);
        QCOMPARE(spy.at(0).at(1).value<TokenResult>().token, QStringLiteral("token-n1"));
        QCOMPARE(spy.at(1).at(0).value<quint64>(), b);
    }

    // The result is already queued when cancel() runs: it must still never arrive.
    void cancelPreventsALateFinished() {
        ImmediateProvider provider;
        QSignalSpy spy(&provider, &TokenProvider::finished);
        const quint64 cancelled = provider.request({AttestationStage::Handshake, QString()});
        provider.cancel(cancelled);
        // Queued deliveries run in order: once the later request arrived, the cancelled one
        // would have arrived before it.
        const quint64 kept = provider.request({AttestationStage::Handshake, QString()});
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 1, 10000);
        QCOMPARE(spy.at(0).at(0).value<quint64>(), kept);
        provider.cancel(cancelled); // again, and unknown ids, are harmless
        provider.cancel(kept);
        provider.cancel(12345);
        const quint64 last = provider.request({AttestationStage::Reauth, QStringLiteral("n")});
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, 10000);
        QCOMPARE(spy.at(1).at(0).value<quint64>(), last);
    }

    // A session cancels from inside its finished() handler (e.g. a reauth replacing an attest).
    void cancelFromInsideFinished() {
        ImmediateProvider provider;
        QList<quint64> seen;
        quint64 second = 0;
        connect(&provider, &TokenProvider::finished, this, [&](quint64 id, const TokenResult&) {
            seen.append(id);
            provider.cancel(second);
        });
        const quint64 first = provider.request({AttestationStage::Handshake, QString()});
        second = provider.request({AttestationStage::Handshake, QString()});
        const quint64 third = provider.request({AttestationStage::Handshake, QString()});
        QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 2, 10000);
        QCOMPARE(seen, (QList<quint64>{first, third}));
    }

    // A provider destroyed with a queued result emits nothing (and does not crash).
    void destroyedWithAQueuedResult() {
        auto provider = std::make_unique<ImmediateProvider>();
        int emitted = 0;
        connect(provider.get(), &TokenProvider::finished, this, [&] { ++emitted; });
        provider->request({AttestationStage::Handshake, QString()});
        provider.reset();
        ImmediateProvider other;
        QSignalSpy spy(&other, &TokenProvider::finished);
        other.request({AttestationStage::Handshake, QString()});
        QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 1, 10000);
        QCOMPARE(emitted, 0);
    }
};

QTEST_GUILESS_MAIN(TestTokenProvider)
#include "tst_tokenprovider.moc"
