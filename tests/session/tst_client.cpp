// nexustray::Client with real worker threads against the hub emulator: snapshots cross threads,
// backends toggle and reconfigure independently, stop() is graceful.
#include <QLoggingCategory>
#include <QMutex>
#include <QPointer>
#include <QTcpServer>
#include <QtTest>

#include <memory>

#include "BackendMutations.h"
#include "TestTokens.h"
#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {
const QByteArray kSecret = "client-test-secret";

// A TCP forwarder in front of the hub's backend port. strand(i) cuts connection i on the hub's
// side only: the hub sees the session gone, the session sees nothing (what it sends is dropped,
// no close reply comes) until release(i) closes its side too.
class StrandingProxy : public QObject {
public:
    explicit StrandingProxy(quint16 upstreamPort) {
        connect(&m_server, &QTcpServer::newConnection, this, [this, upstreamPort] {
            while (QTcpSocket* down = m_server.nextPendingConnection()) {
                auto* up = new QTcpSocket(down);
                m_pairs.append(qMakePair(QPointer<QTcpSocket>(down), QPointer<QTcpSocket>(up)));
                auto pump = [](QTcpSocket* from, QTcpSocket* to) {
                    if (to && to->state() == QAbstractSocket::ConnectedState)
                        to->write(from->readAll());
                };
                connect(up, &QTcpSocket::connected, down, [=] { pump(down, up); });
                connect(down, &QTcpSocket::readyRead, down, [=] {
                    if (up->state() == QAbstractSocket::ConnectedState)
                        pump(down, up);
                    else if (up->state() == QAbstractSocket::UnconnectedState)
                        down->readAll(); // stranded: dropped
                });
                connect(up, &QTcpSocket::readyRead, down, [=] { pump(up, down); });
                up->connectToHost(QHostAddress::LocalHost, upstreamPort);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QString url() const {
        return QStringLiteral("ws://127.0.0.1:%1/connect").arg(m_server.serverPort());
    }
    int connections() const { return int(m_pairs.size()); }
    void strand(int i) {
        if (QTcpSocket* up = m_pairs.value(i).second)
            up->abort();
    }
    void release(int i) {
        if (QTcpSocket* down = m_pairs.value(i).first)
            down->abort();
    }

private:
    QTcpServer m_server;
    QList<QPair<QPointer<QTcpSocket>, QPointer<QTcpSocket>>> m_pairs;
};

// A library user's provider, written against the public header only: signs with the hub's
// secret whatever the config says.
class UserProvider : public TokenProvider {
public:
    UserProvider(BackendConfig backend, QAtomicInt* requests)
        : m_backend(std::move(backend))
        , m_requests(requests) {}

    quint64 request(const TokenRequest& request) override {
        m_requests->ref();
        QJsonObject claims = test::TestTokens::claims(m_backend.name, m_backend.hostnames);
        if (!request.nonce.isEmpty())
            claims = test::TestTokens::withNonce(claims, request.nonce);
        TokenResult result;
        result.ok = true;
        result.token = QString::fromLatin1(test::TestTokens::mint(kSecret, claims));
        const quint64 id = nextRequestId();
        deliverLater(id, result);
        return id;
    }

private:
    BackendConfig m_backend;
    QAtomicInt* m_requests;
};

// The client's debug log (nexus.client), to wait for "worker ... finished".
QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;
void captureLog(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (context.category && qstrcmp(context.category, "nexus.client") == 0) {
        QMutexLocker lock(&g_logMutex);
        g_log.append(message);
    }
    if (type != QtDebugMsg && g_previousHandler)
        g_previousHandler(type, context, message);
}
bool logContains(const QString& text) {
    QMutexLocker lock(&g_logMutex);
    return std::any_of(g_log.cbegin(), g_log.cend(),
                       [&](const QString& line) { return line.contains(text); });
}
} // namespace

class TestClient : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;

    Config twoBackends() const {
        Config config;
        config.backends = {backend(QStringLiteral("a"), QStringLiteral("a.test")),
                           backend(QStringLiteral("b"), QStringLiteral("b.test"))};
        return config;
    }

    BackendConfig backend(const QString& name, const QString& host) const {
        BackendConfig b;
        b.name = name;
        b.hostnames = {host};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = targetOf(*m_echo);
        return b;
    }

    static int connectedCount(const Client& client, const QString& backendName) {
        int n = 0;
        for (const SessionSnapshot& s : client.sessions())
            n += s.backendName == backendName && s.state == SessionState::Connected;
        return n;
    }

private Q_SLOTS:
    void init() {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
    }

    void oneSessionPerAddressOnWorkerThreads() {
        Config config;
        BackendConfig b = backend(QStringLiteral("web"), QStringLiteral("web.test"));
        b.nexusAddresses << b.nexusAddresses.first(); // twice: two sessions to the same hub
        config.backends = {b};
        Client client(config);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QTRY_COMPARE(authenticated.size(), 2);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("web")), 2);
        QStringList ids;
        for (const SessionSnapshot& s : client.sessions())
            ids << s.sessionId;
        ids.sort();
        QCOMPARE(ids, (QStringList{QStringLiteral("web#1"), QStringLiteral("web#2")}));

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(5000));
        QVERIFY(!client.isRunning());
    }

    void streamSnapshotsReachTheOwnerThread() {
        Config config;
        config.backends = {backend(QStringLiteral("web"), QStringLiteral("web.test"))};
        Client client(config);
        QSignalSpy changed(&client, &Client::streamChanged);
        QSignalSpy closed(&client, &Client::streamClosed);
        client.start();
        QTRY_COMPARE(connectedCount(client, QStringLiteral("web")), 1);

        const QByteArray body = randomBytes(512 * 1024, 3);
        auto user = std::make_unique<TunnelUser>(m_hub->relayListenPort(80), "web.test");
        user->send(body);
        QTRY_VERIFY_WITH_TIMEOUT(user->echoMatches(body), 10000);
        QTRY_VERIFY(!client.streams().isEmpty());
        QTRY_VERIFY(client.streams().first().bytesIn >= quint64(user->expectedEchoSize(body)));
        const StreamSnapshot s = client.streams().first();
        QCOMPARE(s.hostname, QStringLiteral("web.test"));
        QCOMPARE(s.port, 80);
        QCOMPARE(s.target, targetOf(*m_echo));
        QVERIFY(s.clientIp.startsWith(QLatin1String("127.0.0.1:")));
        QVERIFY(changed.size() > 0);

        user->socket.disconnectFromHost();
        QTRY_COMPARE(closed.size(), 1);
        QTRY_VERIFY(client.streams().isEmpty());
        client.stop();
        QTRY_VERIFY(!client.isRunning());
    }

    void togglingOneBackendLeavesTheOtherAlone() {
        const Config config = twoBackends();
        Client client(config);
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::sessionClosed);
        client.start();
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 1);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("b")), 1);

        client.setBackendEnabled(QStringLiteral("a"), false);
        QTRY_COMPARE(hubClosed.size(), 1);
        QCOMPARE(hubClosed.first().at(0).toString(), QStringLiteral("a"));
        QCOMPARE(hubClosed.first().at(1).toInt(), 1001);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 0);
        QCOMPARE(connectedCount(client, QStringLiteral("b")), 1);

        client.setBackendEnabled(QStringLiteral("a"), true);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 1);
        QCOMPARE(hubClosed.size(), 1); // b never dropped
        client.stop();
        QTRY_VERIFY(!client.isRunning());
    }

    // A backend switched off and straight on again runs a new session under the same id while
    // the old one is still stopping. The old one finishing late must neither overwrite the new
    // session's Connected with its Disabled nor drop the new session's streams.
    void quickOffOnKeepsTheNewSessionsStatusAndStreams() {
        StrandingProxy proxy(quint16(m_hub->backendUrl().port()));
        QVERIFY(proxy.listen());
        Config config;
        config.backends = {backend(QStringLiteral("a"), QStringLiteral("a.test"))};
        config.backends[0].nexusAddresses = {proxy.url()};
        Client client(config);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 1);
        QCOMPARE(proxy.connections(), 1);

        // A stream through the old session.
        const QByteArray body = randomBytes(64 * 1024, 7);
        TunnelUser first(m_hub->relayListenPort(80), "a.test");
        first.send(body);
        QTRY_VERIFY_WITH_TIMEOUT(first.echoMatches(body), 10000);
        QTRY_COMPARE(client.streams().size(), 1);
        const QUuid oldStream = client.streams().first().clientId;

        QLoggingCategory::setFilterRules(QStringLiteral("nexus.client.debug=true"));
        g_previousHandler = qInstallMessageHandler(captureLog);
        auto restoreLog = qScopeGuard([] {
            qInstallMessageHandler(g_previousHandler);
            QLoggingCategory::setFilterRules(QString());
        });

        // The old session's goodbye never gets an answer until release(0): it stops late.
        proxy.strand(0);
        client.setBackendEnabled(QStringLiteral("a"), false);
        client.setBackendEnabled(QStringLiteral("a"), true);
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, 10000);
        QTRY_COMPARE(connectedCount(client, QStringLiteral("a")), 1);

        // A stream through the new session.
        TunnelUser second(m_hub->relayListenPort(80), "a.test");
        second.send(body);
        QTRY_VERIFY_WITH_TIMEOUT(second.echoMatches(body), 10000);
        auto newStreams = [&] {
            QList<QUuid> ids;
            for (const StreamSnapshot& st : client.streams()) {
                if (st.clientId != oldStream)
                    ids << st.clientId;
            }
            return ids;
        };
        QTRY_COMPARE(newStreams().size(), 1);
        const QUuid newStream = newStreams().first();

        // Now the old session finishes.
        proxy.release(0);
        QTRY_VERIFY_WITH_TIMEOUT(logContains(QStringLiteral("of a#1 finished (superseded)")),
                                 10000);

        const QList<SessionSnapshot> sessions = client.sessions();
        QCOMPARE(sessions.size(), 1);
        QCOMPARE(sessions.first().sessionId, QStringLiteral("a#1"));
        QCOMPARE(sessions.first().state, SessionState::Connected);
        QCOMPARE(client.streams().size(), 1);
        QCOMPARE(client.streams().first().clientId, newStream);
        // and the new stream still works
        const QByteArray more = randomBytes(1024, 8);
        second.received.clear();
        second.socket.write(more);
        QTRY_COMPARE_WITH_TIMEOUT(second.received, more, 10000);

        client.stop();
        QTRY_VERIFY(!client.isRunning());
    }

    void applyConfigRestartsOnlyChangedBackends() {
        const Config config = twoBackends();
        Client client(config);
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        QTRY_COMPARE(authenticated.size(), 2);

        Config changed = config;
        changed.backends[1].hostnames = {QStringLiteral("b2.test")};
        client.applyConfig(changed);
        QTRY_COMPARE(authenticated.size(), 3);
        QCOMPARE(authenticated.last().at(0).toString(), QStringLiteral("b"));
        QCOMPARE(authenticated.last().at(1).toStringList(), QStringList{QStringLiteral("b2.test")});
        QCOMPARE(hubClosed.size(), 1);
        QCOMPARE(hubClosed.first().at(0).toString(), QStringLiteral("b"));
        QTRY_COMPARE(connectedCount(client, QStringLiteral("b")), 1);
        QCOMPARE(connectedCount(client, QStringLiteral("a")), 1);
        client.stop();
        QTRY_VERIFY(!client.isRunning());
    }

    // Every setting of a backend counts: changing any one restarts that backend's sessions
    // (a field missed by the comparison would silently keep the old settings running).
    void applyConfigRestartsOnAnyFieldChange_data() { test::addBackendMutationRows(); }
    void applyConfigRestartsOnAnyFieldChange() {
        QFETCH(int, index);
        const Config config = twoBackends();
        Client client(config);
        QSignalSpy hubClosed(m_hub.get(), &HubEmulator::sessionClosed);
        client.start();
        QTRY_COMPARE_WITH_TIMEOUT(connectedCount(client, QStringLiteral("a")), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(connectedCount(client, QStringLiteral("b")), 1, 20000);

        Config changed = config;
        test::backendMutations()[std::size_t(index)].apply(changed.backends[0]);
        client.applyConfig(changed);
        QTRY_VERIFY_WITH_TIMEOUT(!hubClosed.isEmpty(), 20000);
        QCOMPARE(hubClosed.first().at(0).toString(), QStringLiteral("a"));
        QCOMPARE(connectedCount(client, QStringLiteral("b")), 1);
        client.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!client.isRunning(), 20000);
    }

    // Library mode: setTokenProviderFactory supplies a provider per session, built on that
    // session's thread; nullptr keeps the built-in provider of the config.
    void libraryTokenProviderIsUsed() {
        Config config = twoBackends();
        config.backends[0].attestation.hmacSecret = QStringLiteral("not-the-hub-secret");
        Client client(config);
        QAtomicInt requests;
        QMutex mutex;
        QStringList asked;
        QList<QThread*> threads;
        client.setTokenProviderFactory(
            [&](const BackendConfig& b) -> std::unique_ptr<TokenProvider> {
                QMutexLocker lock(&mutex);
                asked.append(b.name);
                threads.append(QThread::currentThread());
                if (b.name != QLatin1String("a"))
                    return nullptr;
                return std::make_unique<UserProvider>(b, &requests);
            });
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        client.start();
        // "a" authenticates only with the user's provider (its configured secret is wrong).
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, 20000);
        QStringList names{authenticated.at(0).at(0).toString(),
                          authenticated.at(1).at(0).toString()};
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QVERIFY(requests.loadRelaxed() >= 1);
        {
            QMutexLocker lock(&mutex);
            asked.sort();
            QCOMPARE(asked, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
            for (QThread* t : std::as_const(threads))
                QVERIFY(t != QThread::currentThread());
        }
        client.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!client.isRunning(), 20000);
    }
};

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
