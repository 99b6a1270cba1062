// User streams through the hub emulator (protocol.md §5-§8): routing by HTTP Host / wildcard /
// port claim, connect + first data, relaying both ways, reverse credits (+8 per 8 written, the
// 128-message kill), forward credits and pause/resume, disconnects both ways, session end.
#include <QtTest>

#include "HubClientDriver.h"
#include "SlowUser.h"
#include "SocketOptions.h"
#include "TestTokens.h"
#include "hub/HubEmulator.h"
#include "protocol/Frame.h"

#include <QJsonArray>
#include <QTcpServer>
#include <QTcpSocket>

using namespace nexustray;
using namespace nexustray::hub;
using namespace nexustray::protocol;
using test::HubClientDriver;
using test::TestTokens;

namespace {
const QByteArray kSecret = "stream-test-secret";
const QByteArray kRequest = "GET /index.html HTTP/1.1\r\nHost: App.Example.com:8080\r\n"
                            "User-Agent: test\r\n\r\n";

QJsonObject backendClaims(const QString& sub = QStringLiteral("backend-a"), int weight = 1) {
    QJsonObject c = TestTokens::claims(
        sub, {QStringLiteral("app.example.com"), QStringLiteral("*.preview.example.com")}, weight);
    c.insert(QStringLiteral("tcp_ports"), QJsonArray{2222});
    return c;
}
} // namespace

class TestHubStreams : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<HubClientDriver> m_client;

    void startHub(HubOptions options = {}) {
        options.jwtSecret = kSecret;
        options.relayPorts = {{80, 0}, {443, 0}, {2222, 0}};
        m_hub = std::make_unique<HubEmulator>(options);
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
    }

    bool connectBackend(HubClientDriver& client, const QJsonObject& claims = backendClaims()) {
        QSignalSpy spy(m_hub.get(), &HubEmulator::sessionAuthenticated);
        return client.open(m_hub->backendUrl()) &&
               !client.authenticate(kSecret, claims).isEmpty() &&
               (spy.count() > 0 || spy.wait(5000));
    }

    void startWithBackend(HubOptions options = {}) {
        startHub(options);
        m_client = std::make_unique<HubClientDriver>();
        QVERIFY(connectBackend(*m_client));
    }

    std::unique_ptr<QTcpSocket> user(quint16 advertisedPort, const QByteArray& send = {}) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, m_hub->relayListenPort(advertisedPort));
        if (!socket->waitForConnected(5000)) {
            return nullptr;
        }
        if (!send.isEmpty()) {
            socket->write(send);
        }
        return socket;
    }

    // Waits for the connect of a new stream and returns its ID.
    QUuid awaitConnect(ControlMessage* out = nullptr) {
        const auto c = m_client->waitForControl(ControlEvent::Connect);
        if (!c) {
            return QUuid();
        }
        if (out) {
            *out = *c;
        }
        return c->clientId;
    }

    // The hub runs on this thread: wait with the event loop running, never with waitForReadyRead.
    static QByteArray readAtLeast(QTcpSocket& socket, qsizetype bytes, int timeoutMs = 5000) {
        QByteArray got;
        (void)QTest::qWaitFor(
            [&] {
                got += socket.readAll();
                return got.size() >= bytes;
            },
            timeoutMs);
        return got;
    }

    // Barrier for a stream the hub may remove meanwhile: ping it and wait for the pong, or for
    // the hub to have closed a stream.
    bool pingOrClosed(const QUuid& id, const QSignalSpy& closed, int timeoutMs = 10000) {
        m_client->sendControl(makePing(id));
        return QTest::qWaitFor(
            [&] {
                return m_client->takeControl(ControlEvent::PongClient, id) || !closed.isEmpty();
            },
            timeoutMs);
    }

    static bool waitForUserClosed(QTcpSocket& socket, int timeoutMs = 5000) {
        return QTest::qWaitFor(
            [&] {
                socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

private Q_SLOTS:
    void cleanup() {
        m_client.reset();
        m_hub.reset();
    }

    void httpHostRouted() {
        startWithBackend();
        QSignalSpy opened(m_hub.get(), &HubEmulator::streamOpened);
        auto u = user(80, kRequest);
        QVERIFY(u);
        ControlMessage c;
        const QUuid id = awaitConnect(&c);
        QVERIFY(!id.isNull());
        QCOMPARE(id.version(), QUuid::Random);
        QCOMPARE(c.connPort, 80);
        QCOMPARE(c.clientIp, QStringLiteral("127.0.0.1:%1").arg(u->localPort()));
        QCOMPARE(c.transport, QStringLiteral("tcp"));
        QCOMPARE(c.hostname, QStringLiteral("app.example.com"));
        QVERIFY(!c.isTls);
        QCOMPARE(c.credits, qint64(64));
        // the sniffed request is the first data message, whole
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        QCOMPARE(m_client->dataMessages.value(id), 1);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).value<QUuid>(), id);
        QCOMPARE(m_hub->stats().activeStreams, 1);
        QCOMPARE(m_hub->stats().streamsOpened, quint64(1));

        // both ways
        m_client->sendData(id, "HTTP/1.1 200 OK\r\n\r\nhello");
        QCOMPARE(readAtLeast(*u, 24), QByteArray("HTTP/1.1 200 OK\r\n\r\nhello"));
        u->write("more from user");
        QCOMPARE(m_client->waitForData(id, 14), QByteArray("more from user"));
        QCOMPARE(m_hub->stats().bytesFromClient, quint64(24));
    }

    void hubSocketsHaveNoDelay() {
        // Like the real hub (Go sets TCP_NODELAY on every connection): the emulator adds no
        // Nagle delays of its own to latency figures (issue 10).
        startWithBackend();
        auto u = user(80, kRequest);
        QVERIFY(u);
        QVERIFY(!awaitConnect().isNull());
        const qintptr userSide = test::findSocketWithPeerPort(u->localPort());
        QVERIFY(userSide >= 0);
        QVERIFY(test::hasNoDelay(userSide));
        const qintptr backendSide = test::findSocketWithPeerPort(m_client->socket().localPort());
        QVERIFY(backendSide >= 0);
        QVERIFY(test::hasNoDelay(backendSide));
    }

    void largeHttpPreludeIsOneMessage() {
        startWithBackend();
        const QByteArray head =
            "GET / HTTP/1.1\r\nHost: app.example.com\r\nX-Big: " + QByteArray(40000, 'b') +
            "\r\n\r\n";
        auto u = user(80, head);
        const QUuid id = awaitConnect();
        QVERIFY(!id.isNull());
        QCOMPARE(m_client->waitForData(id, head.size()), head);
        QCOMPARE(m_client->dataMessages.value(id), 1);
        QVERIFY(m_client->dataMessageSizes.first() > kMaxDataPayload);
    }

    void userDataChunkedTo32k() {
        startWithBackend();
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        m_client->dataMessageSizes.clear();
        QByteArray big(300000, '\0');
        for (int i = 0; i < big.size(); ++i) {
            big[i] = static_cast<char>(i % 251);
        }
        u->write(big);
        QCOMPARE(m_client->waitForData(id, big.size()), big);
        for (qsizetype size : std::as_const(m_client->dataMessageSizes)) {
            QVERIFY(size <= kMaxDataPayload);
        }
    }

    void wildcardAndNoRoute() {
        startWithBackend();
        QSignalSpy rejected(m_hub.get(), &HubEmulator::userRejected);
        auto w = user(80, "GET / HTTP/1.1\r\nHost: pr-7.preview.example.com\r\n\r\n");
        ControlMessage c;
        QVERIFY(!awaitConnect(&c).isNull());
        QCOMPARE(c.hostname, QStringLiteral("pr-7.preview.example.com"));

        // one extra label only
        auto deep = user(80, "GET / HTTP/1.1\r\nHost: a.b.preview.example.com\r\n\r\n");
        QVERIFY(waitForUserClosed(*deep));
        auto bare = user(80, "GET / HTTP/1.1\r\nHost: preview.example.com\r\n\r\n");
        QVERIFY(waitForUserClosed(*bare));
        // a Host nobody serves is refused, even on a port with a port claim
        auto claimed = user(2222, "GET / HTTP/1.1\r\nHost: unknown.example.com\r\n\r\n");
        QVERIFY(waitForUserClosed(*claimed));
        QTRY_COMPARE(rejected.count(), 3);
        QCOMPARE(rejected.at(2).at(0).toInt(), 2222);
        QCOMPARE(rejected.at(2).at(1).toString(), QStringLiteral("unknown.example.com"));
        QVERIFY(m_client->controls.isEmpty());
        QCOMPARE(m_hub->stats().usersRejected, quint64(3));
    }

    void portClaimRouting() {
        startWithBackend();
        // a server-speaks-first protocol: nothing arrives, the sniff timeout routes it
        auto silent = user(2222);
        ControlMessage c;
        const QUuid id = awaitConnect(&c);
        QVERIFY(!id.isNull());
        QCOMPARE(c.hostname, QStringLiteral("tcp:2222"));
        QCOMPARE(c.connPort, 2222);
        QVERIFY(!c.isTls);
        QVERIFY(m_client->roundTrip()); // a first data message would follow the connect at once
        QCOMPARE(m_client->dataMessages.value(id), 0);

        // not TLS, not HTTP: routed at once with the bytes as first data
        auto ssh = user(2222, "SSH-2.0-OpenSSH_9.3\r\n");
        const QUuid sshId = awaitConnect(&c);
        QCOMPARE(c.hostname, QStringLiteral("tcp:2222"));
        QCOMPARE(m_client->waitForData(sshId, 21), QByteArray("SSH-2.0-OpenSSH_9.3\r\n"));

        // no port claim on 80: refused
        QSignalSpy rejected(m_hub.get(), &HubEmulator::userRejected);
        auto other = user(80, "\x01\x02\x03");
        QVERIFY(waitForUserClosed(*other));
        QCOMPARE(rejected.count(), 1);
        QCOMPARE(rejected.at(0).at(1).toString(), QStringLiteral("tcp:80"));
    }

    void reverseCreditsReplenishedBy8() {
        startWithBackend();
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        QVERIFY(m_client->waitForData(id, kRequest.size()).size() > 0);
        for (int i = 0; i < 20; ++i) {
            m_client->sendData(id, QByteArray(100, 'r'));
        }
        QCOMPARE(readAtLeast(*u, 2000).size(), 2000);
        for (int batch = 0; batch < 2; ++batch) {
            const auto grant = m_client->waitForControl(ControlEvent::ResumeStream, 5000, id);
            QVERIFY(grant);
            QCOMPARE(grant->credits, qint64(8));
        }
        QVERIFY(m_client->roundTrip()); // the user got all 20: any grant would have been sent
        QVERIFY(!m_client->takeControl(ControlEvent::ResumeStream, id)); // 4 stranded
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        QCOMPARE(m_hub->stats().reverseGrantsSent, quint64(2));
    }

    // Empty data messages count as written like any other, in order (issue 9): their credit
    // cannot come back before the data in front of them is written to the user.
    void emptyDataMessagesCountInOrder() {
        HubOptions options;
        options.userSendBufferBytes = 4096;
        startWithBackend(options);
        test::SlowUser slow(4096); // does not read yet
        QVERIFY2(slow.connectTo(m_hub->relayListenPort(80), kRequest), qPrintable(slow.error()));
        const QUuid id = awaitConnect();
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        const QByteArray chunk(kMaxDataPayload, 'e');
        for (int i = 0; i < 8; ++i) {
            m_client->sendData(id, chunk);
        }
        for (int i = 0; i < 8; ++i) {
            m_client->sendData(id, QByteArrayView());
        }
        QVERIFY(m_client->roundTrip());
        // 256 KiB do not fit in the user's and the hub's kernel buffers: no batch is written yet.
        QVERIFY(!m_client->takeControl(ControlEvent::ResumeStream, id));
        slow.setRate(100 * 1000 * 1000);
        QTRY_COMPARE(slow.received().size(), 8 * chunk.size());
        for (int batch = 0; batch < 2; ++batch) {
            const auto grant = m_client->waitForControl(ControlEvent::ResumeStream, 5000, id);
            QVERIFY(grant);
            QCOMPARE(grant->credits, qint64(8));
        }
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::ResumeStream, id));
        QCOMPARE(m_hub->stats().reverseGrantsSent, quint64(2));
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
    }

    // Like the real hub: after a client `disconnect` the user has ~50 ms to take what is queued
    // for it; the rest is dropped, what the kernel already holds still arrives. This is what
    // truncated slow downloads (issue 9).
    void clientDisconnectDropsWhatASlowUserHasNotTaken() {
        HubOptions options;
        options.userSendBufferBytes = 4096;
        startWithBackend(options);
        QSignalSpy received(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        test::SlowUser slow(4096); // does not read yet
        QVERIFY2(slow.connectTo(m_hub->relayListenPort(80), kRequest), qPrintable(slow.error()));
        const QUuid id = awaitConnect();
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        const QByteArray chunk(kMaxDataPayload, 'd');
        for (int i = 0; i < 8; ++i) {
            m_client->sendData(id, chunk);
        }
        m_client->sendControl(makeDisconnect(id, QStringLiteral("normal")));
        QTRY_COMPARE(received.count(), 1);
        QTRY_VERIFY(m_hub->stats().userBytesDropped > 0);
        slow.setRate(100 * 1000 * 1000);
        QTRY_VERIFY(slow.finished());
        const quint64 total = quint64(8 * chunk.size());
        QVERIFY(quint64(slow.received().size()) < total);
        QCOMPARE(quint64(slow.received().size()) + m_hub->stats().userBytesDropped, total);
        QCOMPARE(slow.received(), QByteArray(slow.received().size(), 'd'));
    }

    void streamKilledAt128Pending() {
        HubOptions options;
        options.userSendBufferBytes = 4096;
        startWithBackend(options);
        QSignalSpy closed(m_hub.get(), &HubEmulator::streamClosed);
        auto u = user(80, kRequest);
        u->setReadBufferSize(1); // the user stops reading
        u->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        const QUuid id = awaitConnect();
        QVERIFY(!id.isNull());
        // A credit-less client keeps sending 32 KiB messages.
        const QByteArray chunk(kMaxDataPayload, 'k');
        int sent = 0;
        while (sent < 400 && closed.isEmpty()) {
            m_client->sendData(id, chunk);
            ++sent;
            if (sent % 16 == 0) {
                QVERIFY(pingOrClosed(id, closed)); // the hub took these in before we send more
            }
        }
        QTRY_COMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(0).value<QUuid>(), id);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("client write buffer full"));
        const auto disconnect = m_client->waitForControl(ControlEvent::Disconnect, 5000, id);
        QVERIFY(disconnect);
        QVERIFY(disconnect->reason.isEmpty()); // the hub never sends a reason
        QVERIFY2(sent > 128, qPrintable(QString::number(sent)));
        QCOMPARE(m_hub->stats().streamsKilledBufferFull, quint64(1));
        QVERIFY(m_hub->stats().creditOverdrafts > 0);
        u->setReadBufferSize(0);
        QVERIFY(waitForUserClosed(*u));
        // data for the removed stream is dropped silently
        m_client->sendData(id, "late");
        QVERIFY(m_client->roundTrip());
        QCOMPARE(m_client->socket().state(), QAbstractSocket::ConnectedState);
    }

    void smallerPendingLimit() {
        HubOptions options;
        options.userSendBufferBytes = 4096;
        options.maxPendingPerStream = 16; // same rule, smaller numbers
        startWithBackend(options);
        QSignalSpy closed(m_hub.get(), &HubEmulator::streamClosed);
        auto u = user(80, kRequest);
        u->setReadBufferSize(1);
        u->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        const QUuid id = awaitConnect();
        // Fill the kernel buffers first, then count messages that stay pending.
        const QByteArray chunk(kMaxDataPayload, 'p');
        int sent = 0;
        while (closed.isEmpty() && sent < 200) {
            m_client->sendData(id, chunk);
            ++sent;
            QVERIFY(pingOrClosed(id, closed)); // the hub took it in before we send more
        }
        QTRY_COMPARE(closed.count(), 1);
        // the kill came with a message that found 16 pending
        QVERIFY(sent >= 17);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("client write buffer full"));
    }

    void forwardCreditsRespected() {
        startWithBackend();
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        m_client->sendControl(makeResume(id, 2)); // window capacity 64, 2 credits
        QVERIFY(m_client->roundTrip());           // the grant is in before the user sends
        u->write(QByteArray(500000, 'f'));
        QTRY_COMPARE(m_client->dataMessages.value(id), 1 + 2);
        QTRY_VERIFY(!held.isEmpty()); // the hub has more and keeps it
        QVERIFY(m_client->roundTrip());
        QCOMPARE(m_client->dataMessages.value(id), 1 + 2); // stopped at 0 credits
        held.clear();
        m_client->sendControl(makeResume(id, 3));
        QTRY_COMPARE(m_client->dataMessages.value(id), 1 + 2 + 3);
        QTRY_VERIFY(!held.isEmpty());
        QVERIFY(m_client->roundTrip());
        QCOMPARE(m_client->dataMessages.value(id), 1 + 2 + 3);
        // a big grant: the rest flows
        m_client->sendControl(makeResume(id, 1000));
        QTRY_COMPARE(m_client->data.value(id).size(), 500000);
    }

    void forwardWindowCappedAtMax64() {
        startWithBackend();
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        m_client->sendControl(makeResume(id, 1)); // capacity max(1, 64) = 64
        // Grants beyond the capacity are discarded: 1 + 100 -> 64 outstanding at most.
        m_client->sendControl(makeResume(id, 100));
        QVERIFY(m_client->roundTrip()); // both grants are in before the user sends
        const qsizetype total = 100 * kMaxDataPayload;
        u->write(QByteArray(total, 'w'));
        QTRY_COMPARE(m_client->dataMessages.value(id), 1 + 64);
        QTRY_VERIFY(!held.isEmpty());
        QVERIFY(m_client->roundTrip());
        QCOMPARE(m_client->dataMessages.value(id), 1 + 64);
    }

    void noCreditIdleTimeout() {
        HubOptions options;
        options.noCreditIdleTimeoutMs = 300;
        startWithBackend(options);
        QSignalSpy closed(m_hub.get(), &HubEmulator::streamClosed);
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        m_client->sendControl(makeResume(id, 1));
        QVERIFY(m_client->roundTrip());
        u->write("one");
        QTRY_COMPARE(m_client->dataMessages.value(id), 2);
        const auto disconnect = m_client->waitForControl(ControlEvent::Disconnect, 3000, id);
        QVERIFY(disconnect);
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("no forward credit"));
        QVERIFY(waitForUserClosed(*u));
    }

    void pauseAndResume() {
        startWithBackend();
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        m_client->sendControl(makePause(id));
        QVERIFY(m_client->roundTrip()); // the pause is in before the user sends
        u->write("while paused");
        QTRY_VERIFY(!held.isEmpty()); // the hub read it and keeps it
        QVERIFY(m_client->roundTrip());
        QCOMPARE(m_client->dataMessages.value(id), 1);
        m_client->sendControl(makeResume(id, 0)); // plain resume
        QCOMPARE(m_client->waitForData(id, 12), QByteArray("while paused"));
        // a credit grant also resumes
        held.clear();
        m_client->sendControl(makePause(id));
        QVERIFY(m_client->roundTrip());
        u->write("again");
        QTRY_VERIFY(!held.isEmpty());
        QVERIFY(m_client->roundTrip());
        QVERIFY(m_client->data.value(id).isEmpty());
        m_client->sendControl(makeResume(id, 8));
        QCOMPARE(m_client->waitForData(id, 5), QByteArray("again"));
    }

    void clientDisconnectFlushesAndCloses() {
        startWithBackend();
        QSignalSpy received(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        m_client->sendData(id, "last words");
        m_client->sendControl(makeDisconnect(id, QStringLiteral("normal")));
        QCOMPARE(readAtLeast(*u, 10), QByteArray("last words"));
        QVERIFY(waitForUserClosed(*u));
        QTRY_COMPARE(received.count(), 1);
        QCOMPARE(received.at(0).at(0).value<QUuid>(), id);
        QCOMPARE(received.at(0).at(1).toString(), QStringLiteral("normal"));
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::Disconnect, id)); // nothing sent back
        QCOMPARE(m_hub->stats().activeStreams, 0);
        // disconnect / pause / resume / data for unknown IDs: ignored
        m_client->sendControl(makeDisconnect(id, QStringLiteral("normal")));
        m_client->sendControl(makeResume(QUuid::createUuid(), 8));
        m_client->sendData(QUuid::createUuid(), "x");
        QVERIFY(m_client->roundTrip());
        QCOMPARE(m_client->socket().state(), QAbstractSocket::ConnectedState);
        QVERIFY(m_client->controls.isEmpty());
    }

    void userCloseSendsDisconnectAfterData() {
        startWithBackend();
        QSignalSpy closed(m_hub.get(), &HubEmulator::streamClosed);
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        u->write(QByteArray(100000, 'z'));
        u->disconnectFromHost();
        const auto disconnect = m_client->waitForControl(ControlEvent::Disconnect, 5000, id);
        QVERIFY(disconnect);
        QVERIFY(disconnect->reason.isEmpty());
        // all data arrived before the disconnect
        QCOMPARE(m_client->data.value(id).size(), kRequest.size() + 100000);
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("user closed"));
    }

    void userCloseWaitsForCredits() {
        startWithBackend();
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        QCOMPARE(m_client->waitForData(id, kRequest.size()), kRequest);
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        m_client->sendControl(makeResume(id, 1));
        QVERIFY(m_client->roundTrip());
        u->write(QByteArray(200000, 'c'));
        u->disconnectFromHost();
        QTRY_COMPARE(m_client->dataMessages.value(id), 2);
        QTRY_VERIFY(!held.isEmpty());
        QVERIFY(m_client->roundTrip());
        QVERIFY(!m_client->takeControl(ControlEvent::Disconnect, id)); // data still queued
        m_client->sendControl(makeResume(id, 64));
        QVERIFY(m_client->waitForControl(ControlEvent::Disconnect, 5000, id));
        QCOMPARE(m_client->data.value(id).size(), 200000);
    }

    void pingClient() {
        startWithBackend();
        auto u = user(80, kRequest);
        const QUuid id = awaitConnect();
        m_client->sendControl(makePing(id));
        const auto pong = m_client->waitForControl(ControlEvent::PongClient, 3000, id);
        QVERIFY(pong);
        m_client->sendControl(makePing(QUuid::createUuid()));
        m_client->sendControl(makePing(id)); // answered after the unknown one was handled
        QVERIFY(m_client->waitForControl(ControlEvent::PongClient, 3000, id));
        QVERIFY(!m_client->takeControl(ControlEvent::PongClient)); // none for the unknown ID
    }

    void weightedRoundRobin() {
        startHub();
        HubClientDriver light;
        HubClientDriver heavy;
        QVERIFY(connectBackend(light, backendClaims(QStringLiteral("light"), 1)));
        QVERIFY(connectBackend(heavy, backendClaims(QStringLiteral("heavy"), 3)));
        std::vector<std::unique_ptr<QTcpSocket>> users;
        for (int i = 0; i < 8; ++i) {
            users.push_back(user(80, kRequest));
        }
        QTRY_COMPARE(light.controls.size() + heavy.controls.size(), 8);
        QCOMPARE(light.controls.size(), 2);
        QCOMPARE(heavy.controls.size(), 6);
    }

    void sessionEndClosesUsers() {
        startWithBackend();
        QSignalSpy closed(m_hub.get(), &HubEmulator::streamClosed);
        auto a = user(80, kRequest);
        auto b = user(80, kRequest);
        const QUuid ida = awaitConnect();
        const QUuid idb = awaitConnect();
        QVERIFY(!ida.isNull() && !idb.isNull());
        m_hub->dropSessions(false);
        QVERIFY(waitForUserClosed(*a));
        QVERIFY(waitForUserClosed(*b));
        QTRY_COMPARE(closed.count(), 2);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("session ended"));
        QCOMPARE(m_hub->stats().activeStreams, 0);
    }

    void oldHubWithoutCredits() {
        HubOptions options;
        options.initialCredits = 0;
        startWithBackend(options);
        auto u = user(80, kRequest);
        ControlMessage c;
        const QUuid id = awaitConnect(&c);
        QCOMPARE(c.credits, qint64(0)); // absent
        for (int i = 0; i < 16; ++i) {
            m_client->sendData(id, "x");
        }
        QCOMPARE(readAtLeast(*u, 16).size(), 16);
        QVERIFY(m_client->roundTrip()); // a grant for the 16 written would have come by now
        QVERIFY(!m_client->takeControl(ControlEvent::ResumeStream, id));
        QCOMPARE(m_hub->stats().creditOverdrafts, quint64(0));
        // Forward: an old hub knows no credits, a grant is a plain resume and sets no window.
        m_client->sendControl(makeResume(id, 2));
        QVERIFY(m_client->roundTrip());
        u->write(QByteArray(300000, 'o'));
        const qsizetype expected = kRequest.size() + 300000;
        QCOMPARE(m_client->waitForData(id, expected).size(), expected);
        // Pause still throttles.
        QSignalSpy held(m_hub.get(), &HubEmulator::userDataHeld);
        m_client->sendControl(makePause(id));
        QVERIFY(m_client->roundTrip());
        u->write("held");
        QTRY_VERIFY(!held.isEmpty());
        QVERIFY(m_client->roundTrip());
        QVERIFY(m_client->data.value(id).isEmpty());
        m_client->sendControl(makeResume(id, 8));
        QCOMPARE(m_client->waitForData(id, 4), QByteArray("held"));
    }

    void outboundDisabled() {
        startWithBackend();
        ControlMessage request;
        request.event = ControlEvent::OutboundConnect;
        request.clientId = QUuid::createUuid();
        request.targetAddr = QStringLiteral("127.0.0.1:25");
        m_client->sendControl(request);
        const auto result =
            m_client->waitForControl(ControlEvent::OutboundResult, 3000, request.clientId);
        QVERIFY(result);
        QVERIFY(!result->success);
        QCOMPARE(result->reason, QStringLiteral("outbound connections disabled on this proxy"));
    }

    // §9.1: the hub's checks run in order; a request with several faults gets the first one's
    // reason. Token: outbound_allowed, allowed_outbound_ports [80]; hub allowlist [80, 81].
    void outboundChecksInOrder_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<bool>("nullId");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QString>("reason");
        const QString longHost(300, QLatin1Char('a'));
        QTest::newRow("too long before control characters")
            << longHost + QStringLiteral("\x01:80") << true << 0
            << QStringLiteral("target address too long");
        QTest::newRow("control characters before the split")
            << QStringLiteral("a\x7f") << true << 0
            << QStringLiteral("target address contains control characters");
        QTest::newRow("split before the port")
            << QStringLiteral(":99999") << true << 0 << QStringLiteral("invalid target address");
        QTest::newRow("port range before the hub allowlist")
            << QStringLiteral("127.0.0.1:0") << true << 0 << QStringLiteral("invalid target port");
        QTest::newRow("hub allowlist before the token's")
            << QStringLiteral("127.0.0.1:82") << true << 0
            << QStringLiteral("outbound port 82 not allowed by server");
        QTest::newRow("token allowlist before the limit")
            << QStringLiteral("127.0.0.1:81") << true << 0
            << QStringLiteral("outbound port 81 not allowed for this backend");
        QTest::newRow("limit before the client id")
            << QStringLiteral("127.0.0.1:80") << true << 0
            << QStringLiteral("outbound connection limit exceeded");
        QTest::newRow("client id")
            << QStringLiteral("127.0.0.1:80") << true << 100 << QStringLiteral("missing client ID");
    }
    void outboundChecksInOrder() {
        QFETCH(QString, target);
        QFETCH(bool, nullId);
        QFETCH(int, limit);
        QFETCH(QString, reason);
        HubOptions options;
        options.outboundEnabled = true;
        options.allowedOutboundPorts = {80, 81};
        options.maxOutboundPerSession = limit;
        startHub(options);
        m_client = std::make_unique<HubClientDriver>();
        QJsonObject claims = backendClaims();
        claims.insert(QStringLiteral("outbound_allowed"), true);
        claims.insert(QStringLiteral("allowed_outbound_ports"), QJsonArray{80});
        QVERIFY(connectBackend(*m_client, claims));
        ControlMessage request;
        request.event = ControlEvent::OutboundConnect;
        request.clientId = nullId ? QUuid() : QUuid::createUuid();
        request.targetAddr = target;
        m_client->sendControl(request);
        const auto result = m_client->waitForControl(ControlEvent::OutboundResult, 3000);
        QVERIFY(result);
        QVERIFY(!result->success);
        QCOMPARE(result->reason, reason);
    }

    // §9.1: an ID already in use is found when the dialled stream is registered, after the dial:
    // to an unreachable target it reads "dial failed", to a reachable one "registration failed".
    void outboundDuplicateIdIsCheckedAfterTheDial() {
        QTcpServer target;
        QVERIFY(target.listen(QHostAddress::LocalHost));
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 closedPort = closed.serverPort();
        closed.close();
        HubOptions options;
        options.outboundEnabled = true;
        startHub(options);
        m_client = std::make_unique<HubClientDriver>();
        QJsonObject claims = backendClaims();
        claims.insert(QStringLiteral("outbound_allowed"), true);
        QVERIFY(connectBackend(*m_client, claims));
        const QUuid id = QUuid::createUuid();
        auto ask = [&](quint16 port) {
            ControlMessage request;
            request.event = ControlEvent::OutboundConnect;
            request.clientId = id;
            request.targetAddr = QStringLiteral("127.0.0.1:%1").arg(port);
            m_client->sendControl(request);
            return m_client->waitForControl(ControlEvent::OutboundResult, 5000, id);
        };
        const auto first = ask(target.serverPort());
        QVERIFY(first && first->success);
        QCOMPARE(first->credits, qint64(64));
        const auto unreachable = ask(closedPort);
        QVERIFY(unreachable && !unreachable->success);
        QCOMPARE(unreachable->reason, QStringLiteral("dial failed"));
        const auto reachable = ask(target.serverPort());
        QVERIFY(reachable && !reachable->success);
        QCOMPARE(reachable->reason,
                 QStringLiteral("registration failed: client ID already in use"));
    }
};

QTEST_GUILESS_MAIN(TestHubStreams)
#include "tst_hub_streams.moc"
