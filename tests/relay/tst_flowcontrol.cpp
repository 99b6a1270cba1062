// Forward flow control end to end (protocol.md §7): a user uploads through the hub emulator and a
// Session to a local service that reads slowly. Against a current hub (credits) and an old hub
// (pause/resume only, §7.3) every byte arrives in order and the stream never ends with
// buffer_full; with credits the client never grants more than its window (flowControl.maxBuffer).
#include <QtTest>

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

#include "hub/HubEmulator.h"
#include "session/Session.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;

namespace {

const QByteArray kSecret = "flow-control-secret";

// A local service that reads at most `chunk` bytes per timer tick from a small receive buffer,
// so the Session's queue towards it fills up and the watermarks come into play.
class SlowService : public QObject {
public:
    SlowService() {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                s->setParent(this);
                s->setReadBufferSize(kChunk);
                s->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, kChunk);
                m_socket = s;
            }
        });
        connect(&m_tick, &QTimer::timeout, this, [this] {
            if (!m_socket)
                return;
            const QByteArray data = m_socket->read(kChunk);
            m_received += data.size();
            m_hash.addData(data);
        });
        m_tick.start(2);
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }
    qint64 received() const { return m_received; }
    QByteArray sha256() const { return m_hash.result(); }

private:
    static constexpr int kChunk = 32 * 1024;
    QTcpServer m_server;
    QPointer<QTcpSocket> m_socket;
    QTimer m_tick;
    qint64 m_received = 0;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

QByteArray randomBytes(qsizetype size) {
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator gen(8);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char(gen.generate() & 0xff);
    return data;
}

} // namespace

class TestFlowControl : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void uploadToSlowLocalService_data() {
        QTest::addColumn<int>("hubCredits");
        QTest::newRow("current hub (credits)") << 64;
        QTest::newRow("old hub (pause/resume only)") << 0;
    }

    void uploadToSlowLocalService() {
        QFETCH(int, hubCredits);
        SlowService service;
        QVERIFY(service.listen());

        hub::HubOptions options;
        options.jwtSecret = kSecret;
        options.relayPorts = {{443, 0}};
        options.initialCredits = hubCredits;
        HubEmulator hub(options);
        QVERIFY(hub.start());
        QSignalSpy clientDisconnects(&hub, &HubEmulator::clientDisconnectReceived);
        QSignalSpy hubClosed(&hub, &HubEmulator::streamClosed);

        BackendConfig backend;
        backend.name = QStringLiteral("up");
        backend.hostnames = {QStringLiteral("up.test")};
        backend.nexusAddresses = {hub.backendUrl().toString()};
        backend.attestation.hmacSecret = QString::fromLatin1(kSecret);
        backend.portMappings[443].defaultTarget =
            QStringLiteral("127.0.0.1:%1").arg(service.port());
        SessionSettings settings;
        settings.sessionId = QStringLiteral("up#1");
        settings.backend = backend;
        settings.relayUrl = hub.backendUrl().toString();
        QSignalSpy authenticated(&hub, &HubEmulator::sessionAuthenticated);
        Session session(settings);
        session.start();
        QVERIFY(authenticated.wait(10000));

        // More than the kernel buffers and twice the window hold, so the queue to the local
        // service must be throttled the whole time.
        const QByteArray expected =
            "PUT /up HTTP/1.1\r\nHost: up.test\r\n\r\n" + randomBytes(16 * 1024 * 1024);
        QTcpSocket user;
        user.connectToHost(QHostAddress::LocalHost, hub.relayListenPort(443));
        user.write(expected);

        QTRY_VERIFY_WITH_TIMEOUT(service.received() >= expected.size() || !hubClosed.isEmpty(),
                                 120000);
        for (const QList<QVariant>& d : std::as_const(clientDisconnects))
            QVERIFY2(d.at(1).toString() != QLatin1String("buffer_full"),
                     "the client gave up on a slow local service (buffer_full)");
        QVERIFY2(hubClosed.isEmpty(), qPrintable(hubClosed.value(0).value(1).toString()));
        QCOMPARE(service.received(), qint64(expected.size()));
        QCOMPARE(service.sha256(), QCryptographicHash::hash(expected, QCryptographicHash::Sha256));
        // The slow service made the client pause: the watermarks were exercised.
        QVERIFY(hub.stats().pausesReceived > 0);
        if (hubCredits > 0) {
            QCOMPARE(hub.stats().creditOverdrafts, quint64(0));
            QVERIFY(hub.stats().maxForwardOutstanding > 0);
            QVERIFY2(hub.stats().maxForwardOutstanding <= backend.flowControl.maxBuffer,
                     qPrintable(QString::number(hub.stats().maxForwardOutstanding)));
        }
    }
};

QTEST_GUILESS_MAIN(TestFlowControl)
#include "tst_flowcontrol.moc"
