// Outbound streams (protocol.md §9) end to end, over ws:// and wss://: the public
// Client::openOutbound() against the hub emulator, which dials a real local echo service. Bytes
// both ways, every refusal of §9.1 reaching the caller with the hub's reason, a dial failure, the
// choice of a connected session when another one of the backend is down, the session dropping
// while a stream is open and while a request is pending, the client stopping, and (on a Session,
// whose timings a test may shorten) the timeout of a request the hub never answers.
#include <QLocalSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

#include "DownloadServer.h"
#include "EchoServer.h"
#include "TestHub.h"
#include "TestRelayTls.h"
#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "session/Session.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {
const QByteArray kSecret = "outbound-test-secret";
} // namespace

Q_DECLARE_METATYPE(QList<int>)

class TestOutbound : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    test::TestRelayTls m_tls;
    QString m_scheme;
    quint16 m_closedPort = 0;

    HubOptions hubOptions() const {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.outboundEnabled = true;
        return o;
    }
    void startHub(const HubOptions& options) {
        QString error;
        m_hub = test::startHub(options, m_scheme, m_tls, &error);
        QVERIFY2(m_hub, qPrintable(error));
    }
    QString closedRelayUrl() const {
        return QStringLiteral("%1://127.0.0.1:%2/connect").arg(m_scheme).arg(m_closedPort);
    }
    BackendConfig backend() const {
        BackendConfig b;
        b.name = QStringLiteral("edge");
        b.hostnames = {QStringLiteral("edge.test")};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.attestation.outboundAllowed = true;
        m_tls.trust(b);
        return b;
    }
    static Config configOf(const BackendConfig& b) {
        Config c;
        c.backends = {b};
        return c;
    }
    static bool connected(const Client& client, const QString& sessionId) {
        const QList<SessionSnapshot> all = client.sessions();
        return std::any_of(all.cbegin(), all.cend(), [&](const SessionSnapshot& s) {
            return s.sessionId == sessionId && s.state == SessionState::Connected;
        });
    }
    QString echoTarget() const { return targetOf(*m_echo); }

    // Waits for the handle's outcome; true when it connected.
    static bool waitConnected(OutboundStream* handle) {
        QSignalSpy ok(handle, &OutboundStream::connected);
        QSignalSpy failed(handle, &OutboundStream::failed);
        if (!QTest::qWaitFor([&] { return !ok.isEmpty() || !failed.isEmpty(); }, 10000))
            return false;
        if (!failed.isEmpty())
            qWarning() << "outbound failed:" << handle->failureReason();
        return !ok.isEmpty();
    }
    static bool waitFailed(OutboundStream* handle, int timeoutMs = 10000) {
        QSignalSpy failed(handle, &OutboundStream::failed);
        return handle->state() == OutboundStream::State::Failed || failed.wait(timeoutMs);
    }
    // Writes `body` to the handle's device and reads the echo back.
    static bool echoes(OutboundStream* handle, const QByteArray& body) {
        QIODevice* device = handle->device();
        device->write(body);
        QByteArray got;
        const bool enough = QTest::qWaitFor(
            [&] {
                got += device->readAll();
                return got.size() >= body.size();
            },
            10000);
        return enough && got == body;
    }

    // The preamble of the pending-request cases: a hub that never answers outbound requests, a
    // client connected to it, and one request of it pending: its snapshot (Dialing, kind
    // outbound) reached the client. Callers check QTest::currentTestFailed() after it.
    void openPendingOutbound(std::unique_ptr<Client>* client,
                             std::unique_ptr<OutboundStream>* handle) {
        HubOptions o = hubOptions();
        o.outboundWithholdResult = true;
        startHub(o);
        if (QTest::currentTestFailed())
            return;
        *client = std::make_unique<Client>(configOf(backend()));
        Client& c = **client;
        c.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(c, QStringLiteral("edge#1")), 10000);
        handle->reset(c.openOutbound(QStringLiteral("edge"), echoTarget()));
        QTRY_VERIFY([&] {
            const QList<StreamSnapshot> streams = c.streams();
            return std::any_of(streams.cbegin(), streams.cend(), [](const StreamSnapshot& s) {
                return s.kind == StreamKind::Outbound && s.state == StreamState::Dialing;
            });
        }());
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() {
        QVERIFY2(m_tls.init(), qPrintable(m_tls.error()));
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost));
        m_closedPort = holder.serverPort();
    }
    void init() {
        QFETCH_GLOBAL(QString, scheme);
        m_scheme = scheme;
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_echo.reset();
    }

    void relaysBytesBothWaysThroughTheEchoService() {
        startHub(hubOptions());
        Client client(configOf(backend()));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client, QStringLiteral("edge#1")), 10000);

        std::unique_ptr<OutboundStream> handle(
            client.openOutbound(QStringLiteral("edge"), echoTarget()));
        QCOMPARE(handle->state(), OutboundStream::State::Pending); // never decided in the call
        QCOMPARE(handle->sessionId(), QStringLiteral("edge#1"));
        handle->device()->write("early;"); // held in the kernel until the hub said yes
        QVERIFY(waitConnected(handle.get()));
        // The bytes written while pending come first, then the rest.
        const QByteArray rest = randomBytes(300 * 1024, 7);
        handle->device()->write(rest);
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += handle->device()->readAll()).size() >= 6 + rest.size(),
                                 10000);
        QCOMPARE(got, "early;" + rest);
        QVERIFY(echoes(handle.get(), randomBytes(1000, 8)));
        QTRY_VERIFY([&] {
            const QList<StreamSnapshot> streams = client.streams();
            return std::any_of(streams.cbegin(), streams.cend(), [&](const StreamSnapshot& s) {
                return s.kind == StreamKind::Outbound && s.target == echoTarget() &&
                       s.hostname == echoTarget() && s.state == StreamState::Open;
            });
        }());
        QCOMPARE(m_echo->connectionCount(), 1);

        QSignalSpy closed(&client, &Client::streamClosed);
        handle
            .reset(); // closing the handle ends the stream, and the hub's connection to the target
        QTRY_COMPARE_WITH_TIMEOUT(m_echo->openConnections(), 0, 10000);
        QTRY_VERIFY(!closed.isEmpty());

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(5000));
    }

    // The target sends a body and closes: the handle reads all of it, then end of file (the
    // session side flushes its socket end before closing it).
    void aDownloadArrivesWholeBeforeTheEnd() {
        startHub(hubOptions());
        Client client(configOf(backend()));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client, QStringLiteral("edge#1")), 10000);
        const QByteArray body = randomBytes(8 * 1024 * 1024, 11);
        test::DownloadServer download(body);
        QVERIFY(download.listen());
        std::unique_ptr<OutboundStream> handle(client.openOutbound(
            QStringLiteral("edge"), QStringLiteral("127.0.0.1:%1").arg(download.port())));
        handle->device()->write("GET / HTTP/1.0\r\n\r\n");
        QVERIFY(waitConnected(handle.get()));
        auto* socket = qobject_cast<QLocalSocket*>(handle->device());
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT(
            (got += socket->readAll(), socket->state() == QLocalSocket::UnconnectedState), 20000);
        got += socket->readAll();
        QCOMPARE(got.size(), body.size());
        QVERIFY(got == body);
    }

    void everyRefusalReachesTheCaller_data() {
        QTest::addColumn<bool>("hubEnabled");
        QTest::addColumn<bool>("tokenAllowed");
        QTest::addColumn<QList<int>>("hubPorts");
        QTest::addColumn<QList<int>>("backendPorts");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QString>("target"); // %echo / %closed: the local services' ports
        QTest::addColumn<QString>("reason"); // %port: the target's port
        const QList<int> none;
        QTest::newRow("disabled on the hub")
            << false << false << none << none << 100 << QStringLiteral("%echo")
            << QStringLiteral("outbound connections disabled on this proxy");
        QTest::newRow("not allowed by the token")
            << true << false << none << none << 100 << QStringLiteral("%echo")
            << QStringLiteral("outbound connections not allowed for this backend");
        QTest::newRow("too long") << true << true << none << none << 100
                                  << QString(300, QLatin1Char('a')) + QStringLiteral(":80")
                                  << QStringLiteral("target address too long");
        QTest::newRow("control characters")
            << true << true << none << none << 100 << QStringLiteral("a\tb:80")
            << QStringLiteral("target address contains control characters");
        QTest::newRow("invalid target")
            << true << true << none << none << 100 << QStringLiteral("no-port")
            << QStringLiteral("invalid target address");
        QTest::newRow("invalid port")
            << true << true << none << none << 100 << QStringLiteral("127.0.0.1:70000")
            << QStringLiteral("invalid target port");
        QTest::newRow("port not allowed by the server")
            << true << true << QList<int>{1} << none << 100 << QStringLiteral("%echo")
            << QStringLiteral("outbound port %port not allowed by server");
        QTest::newRow("port not allowed for the backend")
            << true << true << none << QList<int>{1} << 100 << QStringLiteral("%echo")
            << QStringLiteral("outbound port %port not allowed for this backend");
        QTest::newRow("limit exceeded")
            << true << true << none << none << 0 << QStringLiteral("%echo")
            << QStringLiteral("outbound connection limit exceeded");
        QTest::newRow("dial failed") << true << true << none << none << 100
                                     << QStringLiteral("%closed") << QStringLiteral("dial failed");
    }
    void everyRefusalReachesTheCaller() {
        QFETCH(bool, hubEnabled);
        QFETCH(bool, tokenAllowed);
        QFETCH(QList<int>, hubPorts);
        QFETCH(QList<int>, backendPorts);
        QFETCH(int, limit);
        QFETCH(QString, target);
        QFETCH(QString, reason);
        HubOptions o = hubOptions();
        o.outboundEnabled = hubEnabled;
        o.allowedOutboundPorts = hubPorts;
        o.maxOutboundPerSession = limit;
        startHub(o);
        BackendConfig b = backend();
        b.attestation.outboundAllowed = tokenAllowed;
        b.attestation.allowedOutboundPorts = backendPorts;
        Client client(configOf(b));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client, QStringLiteral("edge#1")), 10000);

        target.replace(QStringLiteral("%echo"), echoTarget());
        target.replace(QStringLiteral("%closed"), QStringLiteral("127.0.0.1:%1").arg(m_closedPort));
        reason.replace(QStringLiteral("%port"), QString::number(m_echo->port()));
        std::unique_ptr<OutboundStream> handle(client.openOutbound(QStringLiteral("edge"), target));
        QSignalSpy failed(handle.get(), &OutboundStream::failed);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.first().at(0).value<OutboundStream::Failure>(),
                 OutboundStream::Failure::Refused);
        QCOMPARE(failed.first().at(1).toString(), reason);
        QCOMPARE(handle->failureReason(), reason);
        // The device reaches end of file; the session is unharmed.
        auto* socket = qobject_cast<QLocalSocket*>(handle->device());
        QVERIFY(socket);
        QTRY_COMPARE(socket->state(), QLocalSocket::UnconnectedState);
        QVERIFY(connected(client, QStringLiteral("edge#1")));
        QCOMPARE(m_echo->connectionCount(), 0);
    }

    void aConnectedSessionIsUsedWhenAnotherIsDown() {
        startHub(hubOptions());
        BackendConfig b = backend();
        b.nexusAddresses = {closedRelayUrl(), m_hub->backendUrl().toString()};
        Client client(configOf(b));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client, QStringLiteral("edge#2")), 10000);
        QVERIFY(!connected(client, QStringLiteral("edge#1")));
        for (int i = 0; i < 3; ++i) {
            std::unique_ptr<OutboundStream> handle(
                client.openOutbound(QStringLiteral("edge"), echoTarget()));
            QCOMPARE(handle->sessionId(), QStringLiteral("edge#2"));
            QVERIFY(waitConnected(handle.get()));
            QVERIFY(echoes(handle.get(), randomBytes(4096, quint32(i))));
        }
    }

    void noConnectedSessionFailsAtOnce() {
        startHub(hubOptions());
        BackendConfig b = backend();
        b.nexusAddresses = {closedRelayUrl()};
        Client client(configOf(b));
        client.start();
        for (const QString& name : {QStringLiteral("edge"), QStringLiteral("nosuchbackend")}) {
            std::unique_ptr<OutboundStream> handle(client.openOutbound(name, echoTarget()));
            QCOMPARE(handle->state(), OutboundStream::State::Pending);
            QVERIFY(waitFailed(handle.get()));
            QCOMPARE(handle->failure(), OutboundStream::Failure::NotConnected);
            QVERIFY(handle->sessionId().isEmpty());
        }
    }

    void sessionDropEndsAnOpenStream() {
        startHub(hubOptions());
        Client client(configOf(backend()));
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client, QStringLiteral("edge#1")), 10000);
        std::unique_ptr<OutboundStream> handle(
            client.openOutbound(QStringLiteral("edge"), echoTarget()));
        QVERIFY(waitConnected(handle.get()));
        QVERIFY(echoes(handle.get(), "before the drop"));
        m_hub->dropSessions(false);
        auto* socket = qobject_cast<QLocalSocket*>(handle->device());
        QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QLocalSocket::UnconnectedState, 10000);
        QCOMPARE(handle->state(), OutboundStream::State::Connected);
        QTRY_COMPARE_WITH_TIMEOUT(m_echo->openConnections(), 0, 10000); // the hub closed it
    }

    void sessionDropFailsAPendingRequest() {
        std::unique_ptr<Client> client;
        std::unique_ptr<OutboundStream> handle;
        openPendingOutbound(&client, &handle);
        if (QTest::currentTestFailed())
            return;
        m_hub->dropSessions(false);
        QVERIFY(waitFailed(handle.get()));
        QCOMPARE(handle->failure(), OutboundStream::Failure::SessionLost);
    }

    void stoppingFailsAPendingRequest() {
        std::unique_ptr<Client> client;
        std::unique_ptr<OutboundStream> handle;
        openPendingOutbound(&client, &handle);
        if (QTest::currentTestFailed())
            return;
        QSignalSpy stopped(client.get(), &Client::stopped);
        client->stop();
        std::unique_ptr<OutboundStream> late(
            client->openOutbound(QStringLiteral("edge"), echoTarget()));
        QVERIFY(waitFailed(handle.get()));
        QCOMPARE(handle->failure(), OutboundStream::Failure::Stopping);
        QVERIFY(waitFailed(late.get()));
        QCOMPARE(late->failure(), OutboundStream::Failure::Stopping);
        QVERIFY(stopped.wait(5000));
    }

    // The 15 s timeout, shortened through the session's timings.
    void unansweredRequestTimesOut() {
        HubOptions o = hubOptions();
        o.outboundWithholdResult = true;
        startHub(o);
        const BackendConfig b = backend();
        SessionSettings s;
        s.sessionId = QStringLiteral("edge#1");
        s.backend = b;
        s.relayUrl = b.nexusAddresses.first();
        s.timings.outboundTimeoutMs = 300;
        Session session(s);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.snapshot().state, SessionState::Connected, 10000);

        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QTcpSocket peer;
        peer.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(server.waitForNewConnection(5000));
        QTcpSocket* local = server.nextPendingConnection();
        local->setParent(nullptr);
        QList<OutboundResult> results;
        session.openOutbound(echoTarget(), local,
                             [&](const OutboundResult& r) { results.append(r); });
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 5000);
        QCOMPARE(results.first().kind, OutboundResult::Kind::Timeout);
        QTRY_COMPARE(peer.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(session.snapshot().state, SessionState::Connected);
        // Stopped: Stopping at once; never live: NotConnected at once.
        QSignalSpy stoppedSpy(&session, &Session::stopped);
        session.stop();
        QVERIFY(stoppedSpy.wait(5000));
        session.openOutbound(echoTarget(), new QTcpSocket,
                             [&](const OutboundResult& r) { results.append(r); });
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.last().kind, OutboundResult::Kind::Stopping);
        Session idle(s);
        idle.openOutbound(echoTarget(), new QTcpSocket,
                          [&](const OutboundResult& r) { results.append(r); });
        QCOMPARE(results.size(), 3);
        QCOMPARE(results.last().kind, OutboundResult::Kind::NotConnected);
    }
};

QTEST_GUILESS_MAIN(TestOutbound)
#include "tst_outbound.moc"
