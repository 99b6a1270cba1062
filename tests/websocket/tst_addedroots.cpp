// trust::AddedRoots, the check of tls.caFile (and SSL_CERT_* roots Qt lacks) beside Qt's on-demand
// system roots: a chain to one of its roots passes only for the right name, at a time the
// certificates are valid, and only Qt's "no trusted issuer" errors are ever waived.
#include <QtTest>

#include "TestCa.h"
#include "websocket/AddedRoots.h"

using nexustray::test::TestCa;
using nexustray::trust::AddedRoots;

namespace {
QList<QSslCertificate> serverChain(const TestCa& ca) {
    return QSslCertificate::fromPath(ca.serverCertPemPath());
}
} // namespace

class TestAddedRoots : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void chainToAnAddedRootPassesForItsNames() {
        TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        const AddedRoots roots({ca.caCertificate()});
        QCOMPARE(roots.size(), 1);
        QString why;
        for (const QString& name :
             {QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")})
            QVERIFY2(roots.verify(serverChain(ca), name, &why), qPrintable(name + ": " + why));
        // The peer may send the root along: still one chain to the same anchor.
        QVERIFY2(
            roots.verify(serverChain(ca) << ca.caCertificate(), QStringLiteral("localhost"), &why),
            qPrintable(why));
    }

    void wrongNameIsRefused() {
        TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        const AddedRoots roots({ca.caCertificate()});
        QString why;
        QVERIFY(!roots.verify(serverChain(ca), QStringLiteral("example.org"), &why));
        QVERIFY2(why.contains(QStringLiteral("hostname mismatch")), qPrintable(why));
        QVERIFY(!roots.verify(serverChain(ca), QStringLiteral("127.0.0.2"), &why));
        QVERIFY2(why.contains(QStringLiteral("IP address mismatch")), qPrintable(why));
    }

    void anotherCaIsRefused() {
        TestCa ca;
        TestCa other;
        QVERIFY2(ca.isValid() && other.isValid(), qPrintable(ca.error() + other.error()));
        const AddedRoots roots({ca.caCertificate()});
        QString why;
        QVERIFY(!roots.verify(serverChain(other), QStringLiteral("localhost"), &why));
        QVERIFY2(why.contains(QStringLiteral("unable to get local issuer certificate")),
                 qPrintable(why));
        // Sending the other CA along does not make it trusted.
        QVERIFY(!roots.verify(serverChain(other) << other.caCertificate(),
                              QStringLiteral("localhost"), &why));
        QVERIFY2(why.contains(QStringLiteral("self-signed certificate in certificate chain")),
                 qPrintable(why));
        // No roots at all: nothing passes.
        QVERIFY(!AddedRoots({}).verify(serverChain(ca), QStringLiteral("localhost"), &why));
    }

    void outsideTheValidityPeriodIsRefused() {
        // TestCa's certificates are valid for two days from now.
        TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        const AddedRoots roots({ca.caCertificate()});
        QString why;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(!roots.verify(serverChain(ca), QStringLiteral("localhost"), &why, now.addDays(10)));
        QVERIFY2(why.contains(QStringLiteral("expired")), qPrintable(why));
        QVERIFY(
            !roots.verify(serverChain(ca), QStringLiteral("localhost"), &why, now.addDays(-10)));
        QVERIFY2(why.contains(QStringLiteral("not yet valid")), qPrintable(why));
        QVERIFY2(roots.verify(serverChain(ca), QStringLiteral("localhost"), &why, now.addDays(1)),
                 qPrintable(why));
    }

    void emptyChainIsRefused() {
        TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        QString why;
        QVERIFY(!AddedRoots({ca.caCertificate()}).verify({}, QStringLiteral("localhost"), &why));
        QCOMPARE(why, QStringLiteral("the peer sent no certificate"));
    }

    void onlyMissingIssuerErrorsAreWaivable() {
        TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        const QSslCertificate leaf = serverChain(ca).value(0);
        const QList<QSslError> missing = {
            QSslError(QSslError::UnableToGetLocalIssuerCertificate, leaf),
            QSslError(QSslError::UnableToVerifyFirstCertificate, leaf),
            QSslError(QSslError::UnableToGetIssuerCertificate, leaf),
            QSslError(QSslError::SelfSignedCertificate, leaf),
            QSslError(QSslError::SelfSignedCertificateInChain, leaf)};
        QVERIFY(AddedRoots::onlyMissingIssuer(missing));
        QVERIFY(!AddedRoots::onlyMissingIssuer({}));
        for (const QSslError::SslError fatal :
             {QSslError::HostNameMismatch, QSslError::CertificateExpired,
              QSslError::CertificateNotYetValid, QSslError::InvalidPurpose,
              QSslError::CertificateRevoked, QSslError::CertificateUntrusted}) {
            QList<QSslError> errors = missing;
            errors << QSslError(fatal, leaf);
            QVERIFY2(!AddedRoots::onlyMissingIssuer(errors),
                     qPrintable(errors.last().errorString()));
        }
    }
};

QTEST_GUILESS_MAIN(TestAddedRoots)
#include "tst_addedroots.moc"
