// The keyring libraries load on first use (issue 10): a process that runs a Client with a plain
// hmacSecret backend, connected to the hub emulator over ws:// and wss://, maps neither QtKeychain
// nor Qt D-Bus (nor what they pull in); the first keyring read loads the keyring plugin and both.
// Runs inside tests/support/secret_service.sh ("running": a private D-Bus session bus with
// gnome-keyring), so the read never reaches the user's own keyring.
#include <QtTest>

#include <optional>

#include "MappedFiles.h"
#include "SecretServiceMode.h"
#include "TestHub.h"
#include "TestRelayTls.h"
#include "nexustray/Client.h"
#include "nexustray/Keyring.h"

using namespace nexustray;

namespace {

const QByteArray kSecret = "keyring-lazy-secret";

// Which of QtKeychain and Qt D-Bus this process has mapped (/proc/self/maps).
QStringList mappedKeyringLibraries() {
    const QStringList files = test::mappedFiles();
    if (files.size() == 1 && files.first().startsWith(QLatin1Char('(')))
        return files; // cannot read the maps
    QStringList mapped;
    for (const QString& library :
         {QStringLiteral("libqt6keychain.so"), QStringLiteral("libQt6DBus.so")}) {
        if (!files.filter(library).isEmpty())
            mapped << library;
    }
    return mapped;
}

int connected(const Client& client) {
    int n = 0;
    for (const SessionSnapshot& s : client.sessions())
        n += s.state == SessionState::Connected;
    return n;
}

} // namespace

class TstKeyringLazy : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void plainSecretMapsNoKeyring_data() { test::TestRelayTls::addSchemeRows(); }
    void plainSecretMapsNoKeyring() {
        QFETCH(QString, scheme);
        hub::HubOptions options;
        options.jwtSecret = kSecret;
        options.relayPorts = {{80, 0}};
        QString error;
        const std::unique_ptr<hub::HubEmulator> hub =
            test::startHub(options, scheme, m_tls, &error);
        QVERIFY2(hub, qPrintable(error));

        BackendConfig backend;
        backend.name = QStringLiteral("plain");
        backend.hostnames = {QStringLiteral("plain.test")};
        backend.nexusAddresses = {hub->backendUrl().toString()};
        backend.attestation.hmacSecret = QString::fromUtf8(kSecret);
        backend.portMappings[80].defaultTarget = QStringLiteral("127.0.0.1:9");
        m_tls.trust(backend);
        Config config;
        config.backends = {backend};
        Client client(config);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(connected(client), 1, 20000);
        QCOMPARE(mappedKeyringLibraries(), QStringList());

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
        QCOMPARE(mappedKeyringLibraries(), QStringList());
    }

    // After the cases above: the first keyring access of the process.
    void keyringReadMapsThem() {
        REQUIRE_SECRET_SERVICE("running");
        QCOMPARE(mappedKeyringLibraries(), QStringList());
        std::optional<KeyringResult> result;
        QObject context;
        readKeyringSecret(QStringLiteral("lazy"), &context,
                          [&result](const KeyringResult& r) { result = r; });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), kKeyringTimeoutMs + 5000);
        // The plugin answered: the Secret Service has no such entry.
        QVERIFY2(result->error.startsWith(
                     QLatin1String("backend 'lazy': no secret in the system keyring")),
                 qPrintable(result->error));
        QCOMPARE(mappedKeyringLibraries(), QStringList({QStringLiteral("libqt6keychain.so"),
                                                        QStringLiteral("libQt6DBus.so")}));
    }
};

QTEST_GUILESS_MAIN(TstKeyringLazy)
#include "tst_keyringlazy.moc"
