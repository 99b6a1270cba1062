// Security defaults: ws:// to a non-loopback relay needs the explicit opt-in tls.allowInsecure
// (config key, session refusal, warning), and tokens, secrets and nonces never reach the log, even
// at debug level, across a full session with streams and a re-authentication.
#include <QtTest>

#include <QLoggingCategory>

#include <memory>

#include "ReliabilitySupport.h"

using namespace nexustray;
using namespace nexustray::reliability;
using nexustray::hub::HubEmulator;

namespace {
// Records every token and nonce that passes through the real provider.
class RecordingProvider : public TokenProvider {
public:
    explicit RecordingProvider(std::unique_ptr<TokenProvider> inner)
        : m_inner(std::move(inner)) {
        connect(m_inner.get(), &TokenProvider::finished, this,
                [this](quint64 id, const TokenResult& result) {
                    if (result.ok)
                        seen << result.token.toUtf8();
                    Q_EMIT finished(id, result);
                });
    }
    quint64 request(const TokenRequest& r) override {
        if (!r.nonce.isEmpty())
            seen << r.nonce.toUtf8();
        return m_inner->request(r);
    }
    void cancel(quint64 id) override { m_inner->cancel(id); }
    QList<QByteArray> seen;

private:
    std::unique_ptr<TokenProvider> m_inner;
};

const QByteArray kYaml = "backends:\n"
                         "  - name: edge\n"
                         "    hostnames: [app.example.com]\n"
                         "    nexusAddresses: [\"ws://hub.example.com:8080/connect\"]\n"
                         "    attestation: {hmacSecret: s}\n"
                         "    portMappings: {443: {default: \"127.0.0.1:8080\"}}\n";
} // namespace

class TestSecurity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void allowInsecureConfigKey() {
        ConfigLoadResult plain = loadConfigText(kYaml);
        QVERIFY(plain.ok());
        QVERIFY(!plain.config.backends[0].tls.allowInsecure);
        QCOMPARE(plain.warnings.size(), 1); // "... is not encrypted (ws://, TLS off); use wss://"
        ConfigLoadResult optIn = loadConfigText(kYaml + "    tls: {allowInsecure: true}\n");
        QVERIFY(optIn.ok());
        QVERIFY(optIn.config.backends[0].tls.allowInsecure);
        QCOMPARE(optIn.warnings.size(), 1); // still warned about
        ConfigLoadResult wrongType = loadConfigText(kYaml + "    tls: {allowInsecure: maybe}\n");
        QVERIFY(!wrongType.ok());
        QVERIFY(wrongType.errors[0].key.contains(QStringLiteral("allowInsecure")));
    }

    void sessionRefusesWsToNonLoopbackWithoutOptIn() {
        LogCapture log;
        SessionSettings s = defaultSettings(QStringLiteral("ws://203.0.113.9:8080/connect"), 9, 1);
        Session session(s);
        session.start();
        // Refused before any dial: no network traffic, a permanent failure with a clear reason.
        QCOMPARE(session.snapshot().state, SessionState::Failed);
        QVERIFY2(session.snapshot().lastError.contains(QStringLiteral("tls.allowInsecure")),
                 qPrintable(session.snapshot().lastError));
        QVERIFY(log.contains(QStringLiteral("refusing unencrypted relay")));
        QCOMPARE(openTcpSocketCount(), 0);
    }

    void sessionDialsWsToNonLoopbackWithOptIn() {
        LogCapture log;
        // .invalid never resolves: the dial is attempted (and fails) without leaving the host.
        SessionSettings s =
            defaultSettings(QStringLiteral("ws://nexus-tray-security.invalid:8080/connect"), 9, 1);
        s.backend.tls.allowInsecure = true;
        Session session(s);
        session.start();
        QVERIFY(log.contains(QStringLiteral("is not encrypted (tls.allowInsecure: true)")));
        QTRY_COMPARE_WITH_TIMEOUT(session.snapshot().state, SessionState::Backoff, 10000);
        QVERIFY(session.snapshot().lastError.contains(QStringLiteral("cannot reach")));
    }

    void loopbackWsNeedsNoOptIn() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        HubEmulator hub(defaultHubOptions());
        QVERIFY(hub.start());
        QSignalSpy authenticated(&hub, &HubEmulator::sessionAuthenticated);
        Session session(defaultSettings(hub.backendUrl().toString(), echo.port()));
        session.start();
        QVERIFY(authenticated.wait(5000));
    }

    void noSecretTokenOrNonceInTheLog() {
        QLoggingCategory::setFilterRules(QStringLiteral("nexus.*.debug=true"));
        LogCapture log;
        test::EchoServer echo;
        QVERIFY(echo.listen());
        HubEmulator hub(defaultHubOptions());
        QVERIFY(hub.start());
        SessionSettings s = defaultSettings(hub.backendUrl().toString(), echo.port());
        QString error;
        auto provider = std::make_unique<RecordingProvider>(createTokenProvider(s.backend, &error));
        RecordingProvider* recorder = provider.get();
        QSignalSpy authenticated(&hub, &HubEmulator::sessionAuthenticated);
        QSignalSpy reauthenticated(&hub, &HubEmulator::sessionReauthenticated);
        auto session = std::make_unique<Session>(s);
        session->setTokenProvider(std::move(provider));
        session->start();
        QVERIFY(authenticated.wait(5000));
        CheckedUser user(hub.relayListenPort(443), "app.test", "payload");
        user.sendAll();
        QTRY_VERIFY(user.complete());
        hub.sendReauthChallenges();
        QVERIFY(reauthenticated.wait(5000));
        session->stop();
        QTRY_COMPARE(session->snapshot().state, SessionState::Disabled);
        const QList<QByteArray> seen = recorder->seen; // the session owns the provider
        session.reset();
        QLoggingCategory::setFilterRules(QString());
        // handshake token, nonce, attest token, reauth nonce, reauth token
        QVERIFY2(seen.size() >= 5, qPrintable(QString::number(seen.size())));
        QList<QByteArray> secrets = seen;
        secrets << kSecret;
        for (const QByteArray& token : seen)
            secrets << token.split('.').value(2); // signatures alone must not appear either
        QVERIFY(log.lines().size() > 5);
        QVERIFY2(log.leaksNone(secrets), "a token, nonce or secret was logged");
    }
};

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
