// TpmAttestorPool: one attestor per (namek URL, TCTI, state directory) while anyone holds it, and
// no memory of released ones piling up (acquire() prunes them). No TPM is touched: an attestor
// opens its TPM only at its first token request.
#include <QtTest>

#include "attestation/tpm/TpmAttestorPool.h"

using namespace nexustray::attestation::tpm;

class TstTpmAttestorPool : public QObject {
    Q_OBJECT

    static TpmAttestorOptions options(int i) {
        TpmAttestorOptions o;
        o.namekUrl = QUrl(QStringLiteral("https://namek.invalid"));
        o.tcti = QStringLiteral("swtpm:path=/nonexistent/tpm.sock");
        o.stateDir = QStringLiteral("/nonexistent/state/%1").arg(i);
        return o;
    }

private Q_SLOTS:
    void sharesWhileHeld() {
        const auto a = TpmAttestorPool::acquire(options(0));
        const auto b = TpmAttestorPool::acquire(options(0));
        const auto c = TpmAttestorPool::acquire(options(1));
        QCOMPARE(a.get(), b.get());
        QVERIFY(a.get() != c.get());
    }

    void releasedAttestorsArePruned() {
        for (int i = 10; i < 20; ++i)
            TpmAttestorPool::acquire(options(i)); // dropped at once
        const auto held = TpmAttestorPool::acquire(options(99));
        // Only the held one is left: the ten released ones (and the first case's) are gone.
        QCOMPARE(TpmAttestorPool::trackedCount(), qsizetype(1));
    }
};

QTEST_GUILESS_MAIN(TstTpmAttestorPool)
#include "tst_tpm_attestorpool.moc"
