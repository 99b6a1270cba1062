// attestation.hmacSecretKeyring (issue 13) against a real Secret Service: gnome-keyring-daemon on
// a private D-Bus session bus (tests/support/secret_service.sh runs this binary inside it, once
// with the daemon running and unlocked, once without any). `nexus-tray --set-secret` stores the
// secret, a Client then authenticates with it against the hub emulator over ws:// and wss://;
// a missing entry, a locked keyring and an absent Secret Service fail with a clear error naming
// the backend, never a crash or a hang, and nothing is ever stored in plain text.
#include <QDirIterator>
#include <QMessageAuthenticationCode>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include "EchoServer.h"
#include "SecretServiceMode.h"
#include "TestRelayTls.h"
#include "attestation/KeyringHmacTokenProvider.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "nexustray/Config.h"
#include "nexustray/Keyring.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {

const QByteArray kSecret = "keyring-test-secret";

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

// nexus-tray --set-secret BACKEND --config PATH with `input` on standard input.
Run setSecret(const QString& backend, const QString& configPath, const QByteArray& input) {
    QProcess p;
    p.start(QStringLiteral(NEXUS_TRAY_BINARY),
            {QStringLiteral("--set-secret"), backend, QStringLiteral("--config"), configPath});
    Run run;
    if (!p.waitForStarted(10000))
        return run;
    p.write(input);
    p.closeWriteChannel();
    // Bounded: a keyring that never answers must not hang the command (kKeyringTimeoutMs).
    if (!p.waitForFinished(kKeyringTimeoutMs + 10000)) {
        p.kill();
        p.waitForFinished(5000);
        run.err = QStringLiteral("--set-secret did not finish");
        return run;
    }
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    run.out = QString::fromUtf8(p.readAllStandardOutput());
    run.err += QString::fromUtf8(p.readAllStandardError());
    return run;
}

QString describe(const Run& run) {
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

QString errorOf(const Client& client, const QString& backend) {
    for (const SessionSnapshot& s : client.sessions()) {
        if (s.backendName == backend)
            return s.lastError;
    }
    return QString();
}

int connected(const Client& client) {
    int n = 0;
    for (const SessionSnapshot& s : client.sessions())
        n += s.state == SessionState::Connected;
    return n;
}

// The HS256 signature of `token` checks out with `key`.
bool signedWith(const QString& token, const QByteArray& key) {
    const QStringList parts = token.split(u'.');
    if (parts.size() != 3)
        return false;
    const QByteArray mac = QMessageAuthenticationCode::hash((parts[0] + u'.' + parts[1]).toLatin1(),
                                                            key, QCryptographicHash::Sha256);
    return mac.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals) ==
           parts[2].toLatin1();
}

} // namespace

class TstKeyring : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<QTemporaryDir> m_dir;

    void startHub(const QString& scheme) {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        m_tls.serve(o, scheme);
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
    }

    // A config file whose backend `name` uses the keyring; returns its path.
    QString writeConfig(const QString& name) {
        const QString path = m_dir->filePath(QStringLiteral("config.yaml"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return QString();
        file.write(QStringLiteral("backends:\n"
                                  "  - name: %1\n"
                                  "    hostnames: [%1.test]\n"
                                  "    nexusAddresses: [\"%2\"]\n"
                                  "    attestation: {hmacSecretKeyring: true}\n"
                                  "    portMappings: {80: {default: \"127.0.0.1:%3\"}}\n")
                       .arg(name, m_hub->backendUrl().toString())
                       .arg(m_echo->port())
                       .toUtf8());
        return path;
    }

    Config load(const QString& path) {
        ConfigLoadResult loaded = loadConfigFile(path);
        if (!loaded.ok() || loaded.config.backends.isEmpty())
            return Config();
        m_tls.trust(loaded.config.backends[0]);
        return loaded.config;
    }

    static void stopClient(Client& client) {
        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }
    void init() {
        attestation::KeyringHmacTokenProvider::clearCache();
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        QFETCH_GLOBAL(QString, scheme);
        startHub(scheme);
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
        m_dir.reset();
    }

    void setSecretThenConnect() {
        REQUIRE_SECRET_SERVICE("running");
        QFETCH_GLOBAL(QString, scheme);
        const QString name = QStringLiteral("web-") + scheme;
        const QString path = writeConfig(name);
        const Run run = setSecret(name, path, kSecret + "\n");
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(QStringLiteral("'%1'").arg(name)), qPrintable(describe(run)));
        QVERIFY2(run.err.isEmpty(), qPrintable(describe(run)));

        Client client(load(path));
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QVERIFY(authenticated.wait(20000));
        QTRY_COMPARE_WITH_TIMEOUT(connected(client), 1, 20000);
        stopClient(client);
    }

    void missingEntry() {
        REQUIRE_SECRET_SERVICE("running");
        QFETCH_GLOBAL(QString, scheme);
        const QString name = QStringLiteral("nobody-") + scheme;
        Client client(load(writeConfig(name)));
        client.start();
        const QString expected =
            QStringLiteral("backend '%1': no secret in the system keyring (service nexus-tray, "
                           "key %1); store one with nexus-tray --set-secret %1")
                .arg(name);
        QTRY_VERIFY2_WITH_TIMEOUT(errorOf(client, name).contains(expected),
                                  qPrintable(errorOf(client, name)), 20000);
        QCOMPARE(connected(client), 0);
        stopClient(client);
    }

    void setSecretRefusals() {
        REQUIRE_SECRET_SERVICE("running");
        const QString path = writeConfig(QStringLiteral("web"));
        Run run = setSecret(QStringLiteral("web"), path, "\n");
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("backend 'web': empty secret")),
                 qPrintable(describe(run)));
        run = setSecret(QStringLiteral("absent"), path, "x\n");
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("no backend 'absent'")),
                 qPrintable(describe(run)));
    }

    // Cached for the process, read again after a failed attempt: a replaced secret is picked up.
    void rereadAfterFailure() {
        REQUIRE_SECRET_SERVICE("running");
        QFETCH_GLOBAL(QString, scheme);
        const QString name = QStringLiteral("reread-") + scheme;
        const QString path = writeConfig(name);
        QCOMPARE(setSecret(name, path, "first\n").exitCode, 0);
        BackendConfig backend = load(path).backends.value(0);
        std::unique_ptr<TokenProvider> provider = createTokenProvider(backend, nullptr);
        QVERIFY(provider);
        auto token = [&provider] {
            QSignalSpy done(provider.get(), &TokenProvider::finished);
            provider->request({AttestationStage::Handshake, QString()});
            [[maybe_unused]] const bool got = done.wait(kKeyringTimeoutMs + 5000);
            return done.isEmpty() ? TokenResult() : done.first().at(1).value<TokenResult>();
        };
        TokenResult result = token();
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY(signedWith(result.token, "first"));
        QCOMPARE(setSecret(name, path, "second\n").exitCode, 0);
        result = token();
        QVERIFY(signedWith(result.token, "first")); // cached
        provider->sessionAttemptFailed();
        result = token();
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY(signedWith(result.token, "second"));
    }

    // Last of the "running" cases: it locks the login keyring for good.
    void lockedKeyring() {
        REQUIRE_SECRET_SERVICE("running");
        const QString name = QStringLiteral("locked");
        const QString path = writeConfig(name);
        static bool locked = false; // by the first row, for the rest of the run
        if (!locked) {
            QCOMPARE(setSecret(name, path, kSecret + "\n").exitCode, 0);
            locked = true;
        }
        // org.freedesktop.Secret.Service.Lock never prompts.
        QProcess lock;
        lock.start(QStringLiteral("gdbus"),
                   {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
                    QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"),
                    QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("--method"),
                    QStringLiteral("org.freedesktop.Secret.Service.Lock"),
                    QStringLiteral("[objectpath '/org/freedesktop/secrets/collection/login']")});
        QVERIFY(lock.waitForFinished(10000));
        QVERIFY2(lock.exitCode() == 0, lock.readAllStandardError().constData());

        Client client(load(path));
        client.start();
        const QString expected = QStringLiteral("backend '%1': keyring locked").arg(name);
        QTRY_VERIFY2_WITH_TIMEOUT(errorOf(client, name).contains(expected),
                                  qPrintable(errorOf(client, name)), kKeyringTimeoutMs + 10000);
        QCOMPARE(connected(client), 0);
        stopClient(client);

        const Run run = setSecret(name, path, "new\n");
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(expected), qPrintable(describe(run)));
    }

    void absentSecretService() {
        REQUIRE_SECRET_SERVICE("absent");
        QFETCH_GLOBAL(QString, scheme);
        const QString name = QStringLiteral("web-") + scheme;
        const QString path = writeConfig(name);
        const QString expected =
            QStringLiteral("backend '%1': no Secret Service available").arg(name);
        const Run run = setSecret(name, path, kSecret + "\n");
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(expected), qPrintable(describe(run)));

        Client client(load(path));
        client.start();
        QTRY_VERIFY2_WITH_TIMEOUT(errorOf(client, name).contains(expected),
                                  qPrintable(errorOf(client, name)), kKeyringTimeoutMs + 10000);
        QCOMPARE(connected(client), 0);
        stopClient(client);

        // No plain-text fallback (QtKeychain's insecureFallback): the secret is in no file.
        QDirIterator it(QDir::homePath(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray content = file.readAll();
            QVERIFY2(!content.contains(kSecret) && !content.contains(kSecret.toBase64()),
                     qPrintable(file.fileName()));
        }
    }
};

QTEST_GUILESS_MAIN(TstKeyring)
#include "tst_keyring.moc"
