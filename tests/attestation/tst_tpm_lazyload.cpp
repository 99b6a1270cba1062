// tpm2-tss is loaded on first use (issue 10): a process whose backends do not use attestation.tpm
// never maps libtss2-* — a Client with an HMAC backend connected to the hub emulator over ws:// and
// wss:// leaves /proc/self/maps without them — and opening a TPM (swtpm) maps libtss2-esys.
#include "HmacBackend.h"
#include "MappedFiles.h"
#include "SwtpmLauncher.h"
#include "TestHub.h"
#include "TestRelayTls.h"
#include "attestation/tpm/TpmDevice.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "nexustray/Config.h"

#include <QStandardPaths>
#include <QtTest>

#include <memory>

using namespace nexustray;
using nexustray::attestation::tpm::TpmDevice;
using nexustray::attestation::tpm::TpmError;
using nexustray::attestation::tpm::TpmReceiver;
using nexustray::test::SwtpmLauncher;

namespace {

const QByteArray kSecret = "lazy-tss-secret";

// Opens the TPM of `tcti` through the engine's device and returns the outcome.
TpmError openTpm(const QString& tcti) {
    QObject context;
    const auto rx = std::make_shared<TpmReceiver>(&context);
    const std::shared_ptr<TpmDevice> device = TpmDevice::shared(tcti);
    auto result = std::make_shared<std::optional<TpmError>>();
    device->open(rx, [result](const TpmError& e) { *result = e; });
    const bool answered = QTest::qWaitFor([result] { return result->has_value(); }, 30000);
    rx->detach();
    if (!answered) {
        TpmError e;
        e.message = QStringLiteral("no answer from the TPM device");
        return e;
    }
    return **result;
}

} // namespace

class TstTpmLazyLoad : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void hmacClientDoesNotMapTss2() {
        QFETCH_GLOBAL(QString, scheme);
        hub::HubOptions o;
        o.jwtSecret = kSecret;
        QString error;
        const std::unique_ptr<hub::HubEmulator> hub = test::startHub(o, scheme, m_tls, &error);
        QVERIFY2(hub, qPrintable(error));
        Config config;
        config.backends = {test::hmacBackend(QStringLiteral("web"), QStringLiteral("web.test"),
                                             *hub, kSecret, m_tls)};
        Client client(config);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(test::sessionOf(client, QStringLiteral("web")).state,
                                  SessionState::Connected, 10000);
        const QStringList tss2 = test::mappedFiles(0, QStringLiteral("libtss2-"));
        QVERIFY2(tss2.isEmpty(), qPrintable(tss2.join(QLatin1Char(' '))));
        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }

    // Last: once loaded, tpm2-tss stays for the rest of the process.
    void openingATpmMapsTss2() {
        if (QStandardPaths::findExecutable(QStringLiteral("swtpm")).isEmpty())
            QSKIP("swtpm not installed (Debian: apt install swtpm)");
        SwtpmLauncher tpm(SwtpmLauncher::Kind::Bare);
        QString error;
        QVERIFY2(tpm.start(&error), qPrintable(error));
        const TpmError opened = openTpm(tpm.tcti());
        QVERIFY2(opened.ok(), qPrintable(opened.message));
        QVERIFY(!test::mappedFiles(0, QStringLiteral("libtss2-esys.so")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstTpmLazyLoad)
#include "tst_tpm_lazyload.moc"
