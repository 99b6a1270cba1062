// The fake namek's own checks (tpm-namek.md §7): its quote verifier against the §3.5 test vector
// (accepted; rejected after changing any single byte) and the §2.7 identity derivations.
#include "NamekCrypto.h"

#include <QTest>

using namespace nexustray::test;

namespace {
const QByteArray kAkParams = QByteArray::fromBase64(
    "AAEACwAFBHIAAAAQABQACwgAAAAAAAEA3ZzytMyMQPPAXIWU9MmHhlTc6s9lS9F/7/"
    "Djq0CbhsvmWpBKWTOYQod2oaAQQt40"
    "jP2Pb+/Z6Rwrl/DVz/"
    "c5TGqCzdM5C6cldw4h9ibHXp+FiTjGEee5ma2nqKL9tLVdEYvYCiVNvA3ZkZMIiPjDk32YcFrIzedk"
    "uYXott5AZhOUlRuG2iLdOWdUb2TmfyD9Vd6WOOky+"
    "LNeTgWWM1eiLimLJwzkSQO40FEKsz0AYrQDrLXE5qYeEkTFuhoD6xuI"
    "F3DYjsQk+5VSSuCVowDJZC9A86kW0Abvur6s2+Zw2lyHc2mh42DlwU//rQ9SjBNCT+jrBu/dssf77WnC68q2vQ==");
const QByteArray kNonce =
    QByteArray::fromBase64("txP3obNxB4jMr_3LiN7_rfAGrCWCVdRv22xUn5HoLaU",
                           QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
const QByteArray kQuote =
    QByteArray::fromBase64("AAAAkf9UQ0eAGAAiAAvlZxzu74qxHSRR0A2tS7BX370Oc1MHJErZsHyTthPZtAAgtxP3obN"
                           "xB4jMr/3LiN7/rfAGrCWCVdRv"
                           "22xUn5HoLaUAAAAAAAAKwStht1oHl7toAZNd4dA/"
                           "OakvAAAAAQALAwAAAAAg47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZ"
                           "G3hSuFUAFAALAQATympLy4hLsF0iEC+eHOk4Z8QflxjuwZIo5GzO9nSGvBIzxc+"
                           "KAtLI3kOoBddhKt3oBickEcnc5HxUC6Qm"
                           "INbloM3oqHCCKacmOZibMvO63AZNY7ga3v17GEH4q9Kq7DVz/"
                           "SYczMA3KJJXpNZ3AHPb3cIwaHWNqmybXAyG5YjI3rD/reYv"
                           "SFuNOBPCetpl3EJ4tdwT1us1KHim0kv976LKz9x6HlJI5Iqb7PFJYPJDqJNpOl9mqjXCwhI"
                           "L+I4xy/QWxLtGWynozkNp+QEa"
                           "/q+uDY014nU+byDyUh5VCeaaTru+q/Kc8xV7u35VEyJdghdjPpOfi3/TChYNFL0p4TVd");
} // namespace

class TstTpmNamekCrypto : public QObject {
    Q_OBJECT
private slots:
    void vectorShapes() {
        QCOMPARE(kAkParams.size(), 280);
        QCOMPARE(kNonce.size(), 32);
        QCOMPARE(kQuote.size(), 411);
    }

    void acceptsTheVector() {
        QString error;
        QVERIFY2(namek::verifyQuote(kAkParams, kNonce, kQuote, &error), qPrintable(error));
    }

    void rejectsEveryChangedByte() {
        for (qsizetype i = 0; i < kQuote.size(); ++i) {
            QByteArray changed = kQuote;
            changed[i] = char(changed.at(i) ^ 0x01);
            QString error;
            QVERIFY2(!namek::verifyQuote(kAkParams, kNonce, changed, &error),
                     qPrintable(QStringLiteral("accepted with byte %1 changed").arg(i)));
            QCOMPARE(error, QStringLiteral("tpm quote verification failed"));
        }
    }

    void rejectsOtherNonceKeyOrLength() {
        QString error;
        QByteArray nonce = kNonce;
        nonce[0] = char(nonce.at(0) ^ 0x80);
        QVERIFY(!namek::verifyQuote(kAkParams, nonce, kQuote, &error));
        QByteArray ak = kAkParams;
        ak[100] = char(ak.at(100) ^ 0x01); // modulus byte
        QVERIFY(!namek::verifyQuote(ak, kNonce, kQuote, &error));
        QVERIFY(!namek::verifyQuote(kAkParams, kNonce, kQuote + QByteArray(1, '\0'), &error));
        QVERIFY(!namek::verifyQuote(kAkParams, kNonce, kQuote.left(kQuote.size() - 1), &error));
    }

    void derivesTheIdentityOfTheExample() {
        const QString fp =
            QStringLiteral("3a517e533fc123d8cfa62e3cc078094d97150eee4863ec7619a56cb0617e6d80");
        QCOMPARE(namek::deviceIdFor(fp), QStringLiteral("c05a2f8d-e3eb-57af-8190-e19f9894ffdc"));
        QCOMPARE(namek::slugFor(fp), QStringLiteral("798qwmszr4hxhkx65ryc"));
    }

    void akNameIsSha256OfParams() {
        QCOMPARE(namek::akName(kAkParams).size(), 34);
        QCOMPARE(namek::akName(kAkParams).left(2), QByteArray::fromHex("000b"));
    }
};

QTEST_GUILESS_MAIN(TstTpmNamekCrypto)
#include "tst_tpm_namekcrypto.moc"
