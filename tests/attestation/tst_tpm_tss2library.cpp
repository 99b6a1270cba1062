// Tss2Library (issue 10): the installed tpm2-tss loads and every function resolves; a library that
// cannot be loaded, or lacks a function, leaves it not ok() with an error naming the library, the
// dynamic loader's reason and the packages to install.
#include "attestation/tpm/Tss2Library.h"

#include <QtTest>

using nexustray::attestation::tpm::Tss2Library;

class TstTpmTss2Library : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void installedLibraryResolvesEveryFunction() {
        const Tss2Library& tss = Tss2Library::instance();
        QVERIFY2(tss.ok(), qPrintable(tss.error()));
        QVERIFY(tss.error().isEmpty());
#define NEXUS_TSS2_CHECK(name) QVERIFY2(tss.name, #name);
        NEXUS_TSS2_ESYS_FUNCTIONS(NEXUS_TSS2_CHECK)
        NEXUS_TSS2_MU_FUNCTIONS(NEXUS_TSS2_CHECK)
        NEXUS_TSS2_TCTILDR_FUNCTIONS(NEXUS_TSS2_CHECK)
        NEXUS_TSS2_RC_FUNCTIONS(NEXUS_TSS2_CHECK)
#undef NEXUS_TSS2_CHECK
        QCOMPARE(QLatin1String(tss.Tss2_RC_Decode(0)), QLatin1String("tpm:success"));
    }

    void missingLibraryNamesIt() {
        Tss2Library::Sonames sonames;
        sonames.tctildr = "libtss2-tctildr-absent.so.0";
        const Tss2Library tss(sonames);
        QVERIFY(!tss.ok());
        const QString error = tss.error();
        QVERIFY2(error.startsWith(QLatin1String("tpm2-tss is not installed: ")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("libtss2-tctildr-absent.so.0: cannot open shared "
                                              "object file")),
                 qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("install libtss2-esys-3.0.2-0")), qPrintable(error));
        QVERIFY(!tss.Tss2_TctiLdr_Initialize);
    }

    void libraryWithoutTheFunctionNamesBoth() {
        Tss2Library::Sonames sonames;
        sonames.esys = sonames.mu; // loads, but has no Esys_*
        const Tss2Library tss(sonames);
        QVERIFY(!tss.ok());
        const QString error = tss.error();
        QVERIFY2(error.contains(QLatin1String("libtss2-mu.so.0 has no Esys_Initialize")),
                 qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("undefined symbol: Esys_Initialize")),
                 qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TstTpmTss2Library)
#include "tst_tpm_tss2library.moc"
