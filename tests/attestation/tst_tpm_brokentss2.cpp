// A tpm2-tss that cannot be loaded (issue 10; this binary runs with a stand-in libtss2-esys.so.0
// that lacks every function first on LD_LIBRARY_PATH), over ws:// and wss://: the Client's TPM
// backend is refused with the loader's error as its session's lastError and waits in Backoff,
// while an HMAC backend of the same Client connects; nothing crashes.
#include "HmacBackend.h"
#include "TestHub.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "nexustray/Config.h"

#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace nexustray;
using nexustray::test::sessionOf;

namespace {

const QByteArray kSecret = "broken-tss-secret";

} // namespace

class TstTpmBrokenTss2 : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void tpmBackendIsRefusedWithTheReason() {
        QFETCH_GLOBAL(QString, scheme);
        hub::HubOptions o;
        o.jwtSecret = kSecret;
        QString error;
        const std::unique_ptr<hub::HubEmulator> hub = test::startHub(o, scheme, m_tls, &error);
        QVERIFY2(hub, qPrintable(error));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        BackendConfig home;
        home.name = QStringLiteral("home");
        home.nexusAddresses = {hub->backendUrl().toString()};
        TpmAttestationConfig tpm;
        tpm.namekUrl = QStringLiteral("https://127.0.0.1:9"); // never reached: the TPM fails first
        tpm.tcti = QStringLiteral("swtpm:path=%1").arg(dir.filePath(QStringLiteral("tpm.sock")));
        tpm.stateDir = dir.filePath(QStringLiteral("state"));
        home.attestation.tpm = tpm;
        m_tls.trust(home);
        Config config;
        config.backends = {test::hmacBackend(QStringLiteral("web"), QStringLiteral("web.test"),
                                             *hub, kSecret, m_tls),
                           home};

        Client client(config);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("web")).state,
                                  SessionState::Connected, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sessionOf(client, QStringLiteral("home")).state,
                                  SessionState::Backoff, 10000);
        const QString reason = sessionOf(client, QStringLiteral("home")).lastError;
        QVERIFY2(reason.contains(QLatin1String("tpm2-tss is too old or broken: libtss2-esys.so.0 "
                                               "has no Esys_Initialize")),
                 qPrintable(reason));
        QVERIFY2(reason.contains(QLatin1String("install libtss2-esys-3.0.2-0")),
                 qPrintable(reason));
        QCOMPARE(sessionOf(client, QStringLiteral("web")).state, SessionState::Connected);
        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }
};

QTEST_GUILESS_MAIN(TstTpmBrokenTss2)
#include "tst_tpm_brokentss2.moc"
