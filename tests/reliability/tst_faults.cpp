// Faults: hub killed mid-transfer and restarted, TCP connection cut without a close frame, TLS
// handshake failure, DNS failure, local service resetting, attestation command hanging / crashing /
// printing garbage / printing a huge output, re-attestation failure. For each: the log line, the
// reconnect behaviour, no crash, no leaked socket / child process / stream object, and bytes that
// were delivered are never corrupted or delivered to the wrong stream. The cases that involve the
// hub run over ws:// and wss://; the ones that fail before reaching any hub run once.
#include <QtTest>

#include <QTemporaryDir>

#include <memory>
#include <vector>

#include "ReliabilitySupport.h"
#include "TestRelayTls.h"

using namespace nexustray;
using namespace nexustray::reliability;
using nexustray::hub::HubEmulator;

namespace {
// Wraps the real provider; the reauth stage fails.
class ReauthFailingProvider : public TokenProvider {
public:
    explicit ReauthFailingProvider(std::unique_ptr<TokenProvider> inner)
        : m_inner(std::move(inner)) {
        connect(m_inner.get(), &TokenProvider::finished, this, &TokenProvider::finished);
    }
    quint64 request(const TokenRequest& r) override {
        if (r.stage != AttestationStage::Reauth)
            return m_inner->request(r);
        const quint64 id = 1000000 + ++m_failed;
        QMetaObject::invokeMethod(
            this,
            [this, id] {
                TokenResult result;
                result.error = QStringLiteral("attestation command exited with status 3");
                Q_EMIT finished(id, result);
            },
            Qt::QueuedConnection);
        return id;
    }
    void cancel(quint64 id) override { m_inner->cancel(id); }

private:
    std::unique_ptr<TokenProvider> m_inner;
    quint64 m_failed = 0;
};
} // namespace

class TestFaults : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<LogCapture> m_log;
    int m_tcpBaseline = 0;
    QTemporaryDir m_dir;
    test::TestRelayTls m_tls;
    QString m_scheme; // of the current row: "ws" or "wss"

    bool isWss() const { return test::TestRelayTls::isWss(m_scheme); }
    // The hub of the current row (wss: serves the test CA's certificate for 127.0.0.1).
    hub::HubOptions hubOptions() const {
        hub::HubOptions o = defaultHubOptions();
        m_tls.serve(o, m_scheme);
        return o;
    }
    void startHub(const hub::HubOptions& o) {
        m_hub = std::make_unique<HubEmulator>(o);
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
        QCOMPARE(m_hub->backendUrl().scheme(), m_scheme);
    }
    void startHub() { startHub(hubOptions()); }
    SessionSettings settings(const QString& url) const {
        SessionSettings s = defaultSettings(url, m_echo->port(), closedPort());
        m_tls.trust(s.backend);
        return s;
    }
    void startSession(SessionSettings s, std::unique_ptr<TokenProvider> provider = nullptr) {
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_session = std::make_unique<Session>(std::move(s));
        if (provider)
            m_session->setTokenProvider(std::move(provider));
        m_session->start();
        QVERIFY(authenticated.wait(5000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
    }
    // Session must end up in Backoff with `errorPart` in its error and a warning logged.
    void expectBackoff(const QString& errorPart) {
        QTRY_COMPARE_WITH_TIMEOUT(m_session->snapshot().state, SessionState::Backoff, 10000);
        const QString error = m_session->snapshot().lastError;
        QVERIFY2(error.contains(errorPart, Qt::CaseInsensitive), qPrintable(error));
        QVERIFY(m_log->contains(QStringLiteral("attempt failed")));
        QVERIFY(m_session->snapshot().reconnectAt.isValid());
    }
    QString script(const QString& name, const QByteArray& body) {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write("#!/bin/sh\n" + body + "\n");
        f.close();
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        return path;
    }
    SessionSettings commandSettings(const QString& command) const {
        SessionSettings s = settings(m_hub->backendUrl().toString());
        s.backend.attestation.hmacSecret.clear();
        s.backend.attestation.command = command;
        s.backend.attestation.timeoutSeconds = 1;
        s.backoff.baseMs = 5000; // one attempt per case
        return s;
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_tls.init(), qPrintable(m_tls.error()));
        m_tcpBaseline = openTcpSocketCount();
    }

    void init() {
        QFETCH_GLOBAL(QString, scheme);
        m_scheme = scheme;
        m_log = std::make_unique<LogCapture>();
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
    }

    // After every case: nothing left behind once everything is torn down.
    void cleanup() {
        m_session.reset();
        m_hub.reset();
        m_echo.reset();
        QTRY_VERIFY2_WITH_TIMEOUT(openTcpSocketCount() <= m_tcpBaseline,
                                  qPrintable(openFdTargets().join(QLatin1Char('\n'))), 5000);
        QTRY_VERIFY2_WITH_TIMEOUT(childPids().isEmpty(), qPrintable(childPids().join(' ')), 5000);
        m_log.reset();
    }

    void hubKilledMidTransferAndRestarted() {
        startHub();
        startSession(settings(m_hub->backendUrl().toString()));
        std::vector<std::unique_ptr<CheckedUser>> users;
        for (int i = 0; i < 4; ++i) {
            users.push_back(
                std::make_unique<CheckedUser>(m_hub->relayListenPort(443), "app.test",
                                              randomBytes(8 * 1024 * 1024, quint32(10 + i))));
            users.back()->sendAll();
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(users.begin(), users.end(),
                                             [](const auto& u) { return u->received > 65536; }),
                                 20000);
        const quint16 port = quint16(m_hub->backendUrl().port());
        const quint16 relay = m_hub->relayListenPort(443);
        m_hub.reset(); // killed: every socket closes at once
        QTRY_VERIFY(
            std::all_of(users.begin(), users.end(), [](const auto& u) { return u->closed; }));
        for (const auto& u : users) {
            u->consume();
            QVERIFY2(!u->corrupt, "bytes delivered before the crash were corrupted");
        }
        QTRY_VERIFY(m_session->snapshot().state == SessionState::Backoff ||
                    m_session->snapshot().state == SessionState::Connecting);
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 0);
        QTRY_COMPARE(m_echo->openConnections(), 0);

        hub::HubOptions o = hubOptions();
        o.backendPort = port;
        o.relayPorts = {{443, relay}};
        m_hub = std::make_unique<HubEmulator>(o);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        QVERIFY(m_hub->start());
        QVERIFY(authenticated.wait(10000));
        CheckedUser after(relay, "app.test", randomBytes(1024 * 1024, 99));
        after.sendAll();
        QTRY_VERIFY_WITH_TIMEOUT(after.complete(), 10000);
        QVERIFY(m_log->contains(QStringLiteral("session ended")));
    }

    void tcpCutWithoutCloseFrame() {
        startHub();
        FaultProxy proxy(quint16(m_hub->backendUrl().port()));
        QVERIFY(proxy.listen());
        startSession(settings(proxy.url(m_scheme)));
        std::vector<std::unique_ptr<CheckedUser>> users;
        for (int i = 0; i < 4; ++i) {
            users.push_back(
                std::make_unique<CheckedUser>(m_hub->relayListenPort(443), "app.test",
                                              randomBytes(8 * 1024 * 1024, quint32(20 + i))));
            users.back()->sendAll();
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(users.begin(), users.end(),
                                             [](const auto& u) { return u->received > 65536; }),
                                 10000);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        QSignalSpy changes(m_session.get(), &Session::sessionChanged);
        proxy.cutAll(); // RST, no close frame
        // An established session reconnects at once (protocol.md §10.1: no backoff wait).
        QVERIFY(authenticated.wait(10000));
        for (const QList<QVariant>& change : std::as_const(changes))
            QVERIFY(change.at(0).value<SessionSnapshot>().state != SessionState::Backoff);
        QTRY_VERIFY(std::all_of(users.begin(), users.end(),
                                [](const auto& u) { return u->closed || u->complete(); }));
        for (const auto& u : users) {
            u->consume();
            QVERIFY(!u->corrupt);
        }
        QVERIFY(m_log->contains(QStringLiteral("session ended")));
        CheckedUser after(m_hub->relayListenPort(443), "app.test", "after the cut");
        after.sendAll();
        QTRY_VERIFY(after.complete());
    }

    void tlsHandshakeFailure() {
        if (isWss())
            QSKIP("fails before reaching any hub: runs once, in the ws row");
        // wss:// to a listener that answers in plain text and closes: the TLS handshake fails.
        QTcpServer plain;
        QVERIFY(plain.listen(QHostAddress::LocalHost));
        connect(&plain, &QTcpServer::newConnection, this, [&plain] {
            QTcpSocket* s = plain.nextPendingConnection();
            s->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            s->disconnectFromHost();
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        });
        m_session = std::make_unique<Session>(
            settings(QStringLiteral("wss://127.0.0.1:%1/connect").arg(plain.serverPort())));
        m_session->start();
        expectBackoff(QStringLiteral("cannot reach"));
        qInfo("TLS failure reported as: %s", qPrintable(m_session->snapshot().lastError));
        m_session.reset();
    }

    void dnsFailure() {
        if (isWss())
            QSKIP("fails before reaching any hub: runs once, in the ws row");
        // RFC 2606 reserves .invalid: resolution fails (the resolver answers NXDOMAIN at once).
        m_session = std::make_unique<Session>(
            settings(QStringLiteral("wss://nexus-tray-reliability.invalid:8443/connect")));
        m_session->start();
        expectBackoff(QStringLiteral("cannot reach"));
        qInfo("DNS failure reported as: %s", qPrintable(m_session->snapshot().lastError));
        QVERIFY(m_session->snapshot().lastError.contains(
            QStringLiteral("nexus-tray-reliability.invalid")));
        // the resolver's own words, e.g. "Host nexus-tray-reliability.invalid not found"
        QVERIFY(m_session->snapshot().lastError.contains(QStringLiteral("not found"),
                                                         Qt::CaseInsensitive));
    }

    void localServiceResetsMidStream() {
        startHub();
        startSession(settings(m_hub->backendUrl().toString()));
        // A local service that accepts, reads a little, then resets the connection.
        QTcpServer resetter;
        QVERIFY(resetter.listen(QHostAddress::LocalHost));
        connect(&resetter, &QTcpServer::newConnection, this, [&resetter] {
            QTcpSocket* s = resetter.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [s] {
                s->write("partial");
                s->flush();
                s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                s->abort();
                s->deleteLater();
            });
        });
        m_session.reset();
        SessionSettings s = settings(m_hub->backendUrl().toString());
        s.backend.portMappings[443].hosts.insert(
            QStringLiteral("down.test"), QStringLiteral("127.0.0.1:%1").arg(resetter.serverPort()));
        startSession(s);
        QSignalSpy disconnects(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        CheckedUser victim(m_hub->relayListenPort(443), "down.test", randomBytes(1 << 20, 5));
        victim.sendAll();
        CheckedUser bystander(m_hub->relayListenPort(443), "app.test", randomBytes(1 << 20, 6));
        bystander.sendAll();
        QVERIFY(disconnects.wait(5000));
        QTRY_VERIFY(victim.closed);
        QCOMPARE(disconnects.first().at(1).toString(), QStringLiteral("normal"));
        QTRY_VERIFY(bystander.complete());
        QCOMPARE(m_session->snapshot().state, SessionState::Connected);
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 1); // the bystander's
        bystander.socket.disconnectFromHost();
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 0);
    }

    void attestationCommandFailures_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("errorPart");
        QTest::newRow("hangs") << QByteArray("exec sleep 30") << QStringLiteral("timed out");
        QTest::newRow("crashes") << QByteArray("kill -SEGV $$") << QStringLiteral("signal 11");
        QTest::newRow("garbage") << QByteArray("printf '\\377\\376{\\001'")
                                 << QStringLiteral("token");
        QTest::newRow("huge output")
            << QByteArray("head -c 10000000 /dev/zero | tr '\\0' 'A'") << QStringLiteral("");
        QTest::newRow("secret in stderr")
            << QByteArray("echo 'TOPSECRET-abcdefghijklmnop' >&2; exit 3")
            << QStringLiteral("status 3");
    }

    void attestationCommandFailures() {
        if (isWss())
            QSKIP("fails before reaching any hub: runs once, in the ws row");
        QFETCH(QByteArray, body);
        QFETCH(QString, errorPart);
        startHub();
        const QString cmd = script(QStringLiteral("token.sh"), body);
        QVERIFY(!cmd.isEmpty());
        m_session = std::make_unique<Session>(commandSettings(cmd));
        QElapsedTimer clock;
        clock.start();
        m_session->start();
        expectBackoff(errorPart);
        qInfo("failed after %lld ms: %s", static_cast<long long>(clock.elapsed()),
              qPrintable(m_session->snapshot().lastError));
        QVERIFY(clock.elapsed() < 5000);
        QTRY_VERIFY(childPids().isEmpty());
        QVERIFY(m_log->leaksNone({"TOPSECRET-abcdefghijklmnop", QByteArray(100, 'A')}));
        QCOMPARE(m_hub->authenticatedSessionCount(), 0);
    }

    void reauthFailureEndsAndRestartsTheSession() {
        startHub();
        SessionSettings s = settings(m_hub->backendUrl().toString());
        QString error;
        std::unique_ptr<TokenProvider> real = createTokenProvider(s.backend, &error);
        QVERIFY2(real, qPrintable(error));
        startSession(s, std::make_unique<ReauthFailingProvider>(std::move(real)));
        CheckedUser user(m_hub->relayListenPort(443), "app.test", "before reauth");
        user.sendAll();
        QTRY_VERIFY(user.complete());
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_hub->sendReauthChallenges();
        QVERIFY(closed.wait(5000));
        QVERIFY(m_log->contains(QStringLiteral("re-attestation failed, ending the session")));
        QTRY_VERIFY(user.closed);
        QVERIFY(!user.corrupt);
        // The session comes back (the provider still serves handshake and attest).
        QTRY_VERIFY_WITH_TIMEOUT(authenticated.size() >= 1, 10000);
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
