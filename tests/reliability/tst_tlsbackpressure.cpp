// A hub that stops reading while many streams pull from local services, over ws:// and wss://.
// What the session holds for the hub stays at the WebSocket high-water mark (kBoundBytes below):
// over TLS too, where Qt encrypts every write at once into a buffer only
// QSslSocket::encryptedBytesToWrite() shows. When the hub reads again, control messages (credits,
// disconnects) get out, every pulled byte arrives and the same session carries on.
#include <QtTest>

#include <QSslSocket>

#include <memory>

#include "ReliabilitySupport.h"
#include "TestCa.h"
#include "websocket/WebSocketClient.h"

using namespace nexustray;
using namespace nexustray::reliability;
using nexustray::hub::HubEmulator;

namespace {
constexpr int kStreams = 16;
constexpr qint64 kPerStream = 3 * 1024 * 1024; // more than the hub's 64 initial credits (2 MiB)
// Session-side bound: the 1 MiB high-water mark (Session.cpp) + one data message sent before
// the check stops the pump (32 KiB + headers) + TLS record overhead and small control messages.
constexpr qint64 kBoundBytes = 1024 * 1024 + 64 * 1024;

// A local service that streams `perConnection` bytes to every connection and then closes. It
// writes only while its own buffer is small, so it stops when the engine stops reading.
class PullServer : public QObject {
public:
    explicit PullServer(qint64 perConnection)
        : m_perConnection(perConnection)
        , m_chunk(64 * 1024, 'p') {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                s->setParent(this);
                // Small kernel buffer: the stream blocks well before all of it is in flight.
                s->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 64 * 1024);
                m_left.insert(s, m_perConnection);
                m_sockets.append(s);
                connect(s, &QTcpSocket::bytesWritten, this, [this, s] { fill(s); });
                fill(s);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }
    int connections() const { return int(m_sockets.size()); }
    // Every connection has bytes it cannot hand to the kernel: the engine stopped reading.
    bool allBlocked() const {
        for (const auto& s : m_sockets)
            if (!s || s->bytesToWrite() == 0 || m_left.value(s.data()) == 0)
                return false;
        return true;
    }

private:
    void fill(QTcpSocket* s) {
        qint64& left = m_left[s];
        while (left > 0 && s->bytesToWrite() < 64 * 1024) {
            const qint64 n = std::min<qint64>(left, m_chunk.size());
            s->write(m_chunk.constData(), n);
            left -= n;
            if (left == 0)
                s->disconnectFromHost(); // after the buffer has drained
        }
    }

    QTcpServer m_server;
    qint64 m_perConnection;
    QByteArray m_chunk;
    QHash<QTcpSocket*, qint64> m_left;
    QList<QPointer<QTcpSocket>> m_sockets;
};

// A relay user that asks for pull.test and counts what arrives.
class PullUser : public QObject {
public:
    explicit PullUser(quint16 relayPort) {
        connect(&socket, &QTcpSocket::readyRead, this,
                [this] { received += socket.readAll().size(); });
        connect(&socket, &QTcpSocket::disconnected, this, [this] { closed = true; });
        connect(&socket, &QTcpSocket::connected, this,
                [this] { socket.write("GET / HTTP/1.1\r\nHost: pull.test\r\n\r\n"); });
        socket.connectToHost(QHostAddress::LocalHost, relayPort);
    }
    QTcpSocket socket;
    qint64 received = 0;
    bool closed = false;
};
} // namespace

class TestTlsBackpressure : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestCa> m_ca;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<PullServer> m_pull;
    std::unique_ptr<Session> m_session;

    // What Qt holds for the hub right now, measured on the sockets themselves (not through the
    // client's own accounting): plaintext not yet encrypted plus, for TLS, ciphertext not yet
    // taken by the kernel.
    qint64 heldForHub() const {
        auto* ws = m_session->findChild<WebSocketClient*>();
        if (!ws)
            return 0;
        qint64 n = 0;
        for (QTcpSocket* s : ws->findChildren<QTcpSocket*>(Qt::FindDirectChildrenOnly)) {
            n += s->bytesToWrite();
            if (auto* tls = qobject_cast<QSslSocket*>(s))
                n += tls->encryptedBytesToWrite();
        }
        return n;
    }

private Q_SLOTS:
    void initTestCase() {
        m_ca = std::make_unique<test::TestCa>();
        QVERIFY2(m_ca->isValid(), qPrintable(m_ca->error()));
    }
    void init() {
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        m_pull = std::make_unique<PullServer>(kPerStream);
        QVERIFY(m_pull->listen());
    }
    void cleanup() {
        m_session.reset();
        m_hub.reset();
        m_pull.reset();
        m_echo.reset();
    }

    void hubStopsReadingWhileStreamsPull_data() {
        QTest::addColumn<bool>("tls");
        QTest::newRow("ws") << false;
        QTest::newRow("wss") << true;
    }
    void hubStopsReadingWhileStreamsPull() {
        QFETCH(bool, tls);
        hub::HubOptions o = defaultHubOptions();
        if (tls)
            o.tls = m_ca->serverConfiguration();
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        FaultProxy proxy(quint16(m_hub->backendUrl().port()));
        QVERIFY(proxy.listen());
        const QString url = QStringLiteral("%1://127.0.0.1:%2/connect")
                                .arg(tls ? QStringLiteral("wss") : QStringLiteral("ws"))
                                .arg(proxy.port());
        SessionSettings s = defaultSettings(url, m_echo->port());
        s.backend.hostnames << QStringLiteral("pull.test");
        s.backend.portMappings[443].hosts.insert(
            QStringLiteral("pull.test"), QStringLiteral("127.0.0.1:%1").arg(m_pull->port()));
        s.backend.tls.caFile = m_ca->caPemPath();
        s.timings.keepaliveDeadlineMs = 120000; // stay on the stuck hub: this test is about memory
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_session = std::make_unique<Session>(s);
        m_session->start();
        QVERIFY(authenticated.wait(10000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);

        proxy.setForwardingUp(false); // the hub reads nothing from the session any more
        const qint64 rssBefore = rssKb();
        std::vector<std::unique_ptr<PullUser>> users;
        for (int i = 0; i < kStreams; ++i)
            users.push_back(std::make_unique<PullUser>(m_hub->relayListenPort(443)));
        // Every local service is stuck behind the engine, which stopped reading it: whatever
        // could pile up in the session has piled up.
        QTRY_VERIFY_WITH_TIMEOUT(m_pull->connections() == kStreams && m_pull->allBlocked(), 60000);
        QVERIFY(heldForHub() > 0);
        // Let whatever is still pending run (the session lives on this thread), then measure.
        qint64 held = heldForHub();
        for (int pass = 0; pass < 20; ++pass) {
            QCoreApplication::processEvents(QEventLoop::AllEvents);
            held = std::max(held, heldForHub());
        }
        const qint64 rssGrown = rssKb() - rssBefore;
        qInfo("%s, hub stuck, %d streams pulling: session holds at most %lld bytes for the hub "
              "(bound %lld), RSS %+lld kB",
              tls ? "wss" : "ws", kStreams, static_cast<long long>(held),
              static_cast<long long>(kBoundBytes), static_cast<long long>(rssGrown));
        // Without counting ciphertext the TLS session would hold every stream's credit window
        // (16 x 2 MiB = 32 MiB) here.
        QVERIFY2(held <= kBoundBytes, qPrintable(QString::number(held)));
        QVERIFY2(rssGrown < memoryBoundKb(16 * 1024), qPrintable(QString::number(rssGrown)));

        // The hub reads again: credits and disconnects get out, every byte arrives, a new
        // stream (which needs the session's resume_stream credits beyond the first window) works
        // alongside, and it is the same session.
        authenticated.clear();
        proxy.setForwardingUp(true);
        CheckedUser other(m_hub->relayListenPort(443), "app.test", randomBytes(3 * 1024 * 1024, 7));
        other.sendAll();
        QElapsedTimer resumed;
        resumed.start();
        QTRY_VERIFY_WITH_TIMEOUT(other.complete() || other.corrupt, 120000);
        qInfo("echo stream done %lld ms after the hub resumed",
              static_cast<long long>(resumed.elapsed()));
        QVERIFY(!other.corrupt);
        for (const auto& u : users) {
            QTRY_VERIFY_WITH_TIMEOUT(u->closed, 120000);
            QCOMPARE(u->received, kPerStream);
        }
        other.socket.disconnectFromHost();
        qInfo("pull streams done %lld ms after the hub resumed",
              static_cast<long long>(resumed.elapsed()));
        QCOMPARE(authenticated.size(), 0);
        QCOMPARE(m_session->snapshot().state, SessionState::Connected);
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(liveStreamObjects(m_session.get()), 0, 15000);
    }
};

QTEST_GUILESS_MAIN(TestTlsBackpressure)
#include "tst_tlsbackpressure.moc"
