// Stream on its own, against real local TCP services and a recording StreamHost: early data,
// forward credits (returned in batches of 8 once written locally), pause/resume watermarks, the
// hard limit, reverse credits, the order of data and disconnect, and the end of a stream whose
// local side closed (the tail is confirmed by the hub before the disconnect).
#include <QtTest>

#include <deque>
#include <memory>

#include "EchoServer.h"
#include "SocketOptions.h"
#include "protocol/Frame.h"
#include "relay/Stream.h"
#include "relay/StreamHost.h"

using namespace nexustray;
using protocol::ControlEvent;
using protocol::ControlMessage;

namespace {

// Records what the stream sends; the send queue is served on the next event-loop turn.
class RecordingHost : public QObject, public StreamHost {
public:
    void sendControl(const ControlMessage& message) override {
        controls.push_back(message);
        order.push_back(QStringLiteral("control:") + protocol::eventName(message.event));
    }
    void sendData(const QByteArray& message) override {
        QCOMPARE_LE(message.size(), protocol::kMaxClientMessage);
        data += message.mid(protocol::kDataHeaderSize);
        ++dataMessages;
        if (message.size() == protocol::kDataHeaderSize)
            ++emptyMessages;
        order.push_back(QStringLiteral("data"));
    }
    bool canSendData() const override { return sendingAllowed; }
    void scheduleSend(RelayChannel* stream) override {
        QMetaObject::invokeMethod(
            this,
            [this, stream] {
                if (stream->sendToHub(1000))
                    scheduleSend(stream);
            },
            Qt::QueuedConnection);
    }
    void forgetStream(RelayChannel*) override { forgotten = true; }
    void markStreamDirty(RelayChannel*) override {}

    qint64 creditsReturned() const {
        qint64 sum = 0;
        for (const ControlMessage& m : controls)
            sum += m.event == ControlEvent::ResumeStream ? m.credits : 0;
        return sum;
    }
    int count(ControlEvent event) const {
        return int(std::count_if(controls.begin(), controls.end(),
                                 [event](const ControlMessage& m) { return m.event == event; }));
    }
    QString disconnectReason() const {
        for (const ControlMessage& m : controls) {
            if (m.event == ControlEvent::Disconnect)
                return m.reason;
        }
        return QString();
    }

    std::vector<ControlMessage> controls;
    QStringList order;
    QByteArray data;
    int dataMessages = 0;
    int emptyMessages = 0;
    bool sendingAllowed = true;
    bool forgotten = false;
};

Stream::Params params(qint64 reverseCredits = 64) {
    Stream::Params p;
    p.request.clientId = QUuid::createUuid();
    p.request.hostname = QStringLiteral("app.test");
    p.request.port = 443;
    p.reverseCredits = reverseCredits;
    return p;
}

bool noDelay(const QAbstractSocket* socket) {
    return test::hasNoDelay(socket->socketDescriptor());
}

QString targetOf(quint16 port) {
    return QStringLiteral("127.0.0.1:%1").arg(port);
}

// A stream's local socket writes each message to the kernel at once; a local service that reads
// nothing then fills the kernel's buffers first (up to 4 MiB with autotuning) before anything
// queues in the stream. Keep the kernel's share small, so that the stream's queue is what fills.
bool shrinkKernelSendBuffer(quint16 localServicePort) {
    const qintptr fd = test::findSocketWithPeerPort(localServicePort);
    return fd >= 0 && test::setSendBufferSize(fd, 4096);
}

// A stream to a local service that sends `response` and closes at once.
struct ClosingServiceStream {
    QTcpServer server;
    RecordingHost host;
    std::unique_ptr<Stream> stream;

    bool start(const QByteArray& response, const Stream::Params& p = params()) {
        if (!server.listen(QHostAddress::LocalHost))
            return false;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this, response] {
            QTcpSocket* s = server.nextPendingConnection();
            s->write(response);
            s->disconnectFromHost(); // flushes, then FIN
        });
        stream = std::make_unique<Stream>(p, &host);
        stream->dial(targetOf(server.serverPort()));
        return true;
    }
};

} // namespace

class TestStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void earlyDataIsKeptUntilTheDialCompletes() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(echo.port()));
        stream.onHubData("early-1 ", 8);
        stream.onHubData("early-2", 7);
        QCOMPARE(stream.state(), StreamState::Dialing);
        QTRY_COMPARE(host.data, QByteArray("early-1 early-2"));
        QCOMPARE(stream.state(), StreamState::Open);
    }

    // A PROXY header (issue 15) reaches the local service first, exactly once, also ahead of
    // hub data that arrived while dialling; it is not hub data, so every message's credit (and no
    // more) comes back.
    void proxyHeaderGoesFirstAndCostsNoCredit() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        RecordingHost host;
        Stream stream(params(), &host);
        const QByteArray header = "PROXY TCP4 192.0.2.1 127.0.0.1 5000 443\r\n";
        stream.setProxyHeader(header);
        stream.dial(targetOf(echo.port()));
        QByteArray sent;
        for (int i = 0; i < 16; ++i) {
            const QByteArray chunk = QByteArray::number(i).rightJustified(100, '.');
            stream.onHubData(chunk.constData(), chunk.size());
            sent += chunk;
        }
        QCOMPARE(stream.state(), StreamState::Dialing);
        QTRY_COMPARE(host.data, header + sent);
        QCOMPARE(stream.queuedToLocal(), qint64(0));
        QTRY_COMPARE(host.creditsReturned(), qint64(16));
        QCOMPARE(stream.bytesIn(), quint64(sent.size()));
    }

    // The header's bytes are not the messages' bytes: while a header far larger than the kernel
    // takes is still being written, no message is, so no credit may go back (counting the header's
    // written bytes as message bytes would return all 16 at the first report).
    void creditWaitsForTheMessagesBehindALargeHeader() {
        test::SinkServer sink; // default buffers: a small receive window would make it crawl
        QVERIFY(sink.listen());
        sink.setReading(false);
        RecordingHost host;
        Stream stream(params(), &host);
        const QByteArray header(16 * 1024 * 1024, 'h'); // only the credit accounting is tested here
        stream.setProxyHeader(header);
        stream.dial(targetOf(sink.port()));
        for (int i = 0; i < 16; ++i)
            stream.onHubData(QByteArray(100, char('a' + i)).constData(), 100);
        QTRY_COMPARE(stream.state(), StreamState::Open);
        auto* local = stream.findChild<QTcpSocket*>();
        QVERIFY(local);
        // The kernel took part of the header (Qt reports it written as it hands it over), then
        // stalled: most of the header and every message still wait in Qt's buffer.
        QTRY_VERIFY(local->bytesToWrite() < header.size() + 16 * 100);
        QVERIFY(local->bytesToWrite() > 16 * 100);
        QCOMPARE(host.creditsReturned(), qint64(0));
        QCOMPARE(stream.queuedToLocal(), qint64(16));
        sink.setReading(true);
        QTRY_COMPARE_WITH_TIMEOUT(sink.bytesReceived(), qint64(header.size() + 16 * 100), 10000);
        QTRY_COMPARE(host.creditsReturned(), qint64(16));
        QCOMPARE(stream.queuedToLocal(), qint64(0));
    }

    void dialledLocalSocketHasNoDelay() {
        // Issue 10: with Nagle, a TLS service that sends nothing after the client's Finished
        // waits for a delayed ACK (~40 ms per new connection).
        test::EchoServer echo;
        QVERIFY(echo.listen());
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(echo.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        auto* local = stream.findChild<QTcpSocket*>();
        QVERIFY(local);
        QVERIFY(noDelay(local));
    }

    void attachedSocketGetsNoDelay() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        auto* local = new QTcpSocket;
        local->connectToHost(QHostAddress::LocalHost, echo.port());
        QVERIFY(local->waitForConnected(5000));
        QVERIFY(!noDelay(local)); // the kernel's default
        RecordingHost host;
        Stream stream(params(), &host);
        stream.attach(local); // library mode: a handler's device
        QVERIFY(noDelay(local));
    }

    void attachedSocketStillConnectingGetsNoDelayOnceConnected() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        auto* local = new QTcpSocket;
        local->connectToHost(QHostAddress::LocalHost, echo.port());
        RecordingHost host;
        Stream stream(params(), &host);
        stream.attach(local); // a handler may hand over a socket that is still connecting
        QTRY_COMPARE(local->state(), QAbstractSocket::ConnectedState);
        QVERIFY(noDelay(local));
    }

    void forwardCreditsGoBackInBatchesOfEightAfterTheLocalWrite() {
        test::SinkServer sink;
        QVERIFY(sink.listen());
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(sink.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        const QByteArray chunk(1000, 'x');
        for (int i = 0; i < 20; ++i)
            stream.onHubData(chunk.constData(), chunk.size());
        // Issue 10: each message goes to the kernel in the pass that brought it, not on the
        // socket's write notifier one pass later, so with no event-loop pass since, nothing waits
        // and two batches of credits are back already.
        QCOMPARE(stream.queuedToLocal(), qint64(0));
        QCOMPARE(host.creditsReturned(), qint64(16));
        QTRY_COMPARE(sink.bytesReceived(), qint64(20 * 1000));
        // Every written message earns its credit back, in grants of at least 8; a remainder
        // below 8 may wait for the next batch.
        QTRY_VERIFY(host.creditsReturned() >= 16);
        QVERIFY(host.creditsReturned() <= 20);
        for (const ControlMessage& m : host.controls)
            QVERIFY(m.event != ControlEvent::ResumeStream || m.credits >= 8);
    }

    void slowLocalServicePausesThenResumes() {
        test::SinkServer sink;
        sink.setReceiveBufferSize(4096);
        QVERIFY(sink.listen());
        sink.setReading(false);
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(sink.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        QVERIFY(shrinkKernelSendBuffer(sink.port()));
        // Small messages: the queue counts messages, and a 4 KiB receive window drains slowly.
        const QByteArray chunk(2048, 'p');
        // The hub may send up to our window (64); the local side stops reading: we must pause.
        for (int i = 0; i < 64; ++i)
            stream.onHubData(chunk.constData(), chunk.size());
        QCOMPARE(host.count(ControlEvent::PauseStream), 1);
        QVERIFY(stream.queuedToLocal() >= 48);
        QCOMPARE(stream.state(), StreamState::Open);
        sink.setReading(true);
        QTRY_COMPARE_WITH_TIMEOUT(sink.bytesReceived(), qint64(64) * chunk.size(), 10000);
        QTRY_VERIFY(host.count(ControlEvent::ResumeStream) >= 1);
        QCOMPARE(host.controls.back().event, ControlEvent::ResumeStream);
        QVERIFY(host.creditsReturned() >= 56); // all but a stranded remainder below 8
        // Every grant also resumes the hub (protocol.md §7.1), so none goes out while paused: the
        // first resume after the pause comes at the low watermark (16) and carries every credit
        // earned meanwhile (all 64 were queued when the pause went out).
        const auto pause =
            std::find_if(host.controls.begin(), host.controls.end(), [](const ControlMessage& m) {
                return m.event == ControlEvent::PauseStream;
            });
        const auto resume = std::find_if(pause, host.controls.end(), [](const ControlMessage& m) {
            return m.event == ControlEvent::ResumeStream;
        });
        QVERIFY(resume != host.controls.end());
        QVERIFY2(resume->credits >= 64 - 16, qPrintable(QString::number(resume->credits)));
    }

    void overflowingTheHardLimitClosesWithBufferFull() {
        test::SinkServer sink;
        sink.setReceiveBufferSize(4096);
        QVERIFY(sink.listen());
        sink.setReading(false);
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(sink.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        QVERIFY(shrinkKernelSendBuffer(sink.port()));
        // Tiny messages: the kernel buffers take few of them off the queue.
        const QByteArray chunk(16, 'h');
        const qint64 limit = Stream::hardQueueLimit(params().flow);
        qint64 sent = 0;
        for (; sent <= limit + 1024 && stream.isOpen(); ++sent)
            stream.onHubData(chunk.constData(), chunk.size());
        QVERIFY(!stream.isOpen());
        QVERIFY2(sent > limit, qPrintable(QString::number(sent)));
        QCOMPARE(host.disconnectReason(), QStringLiteral("buffer_full"));
        QVERIFY(host.forgotten);
    }

    // protocol.md §7.2: the hub does not count what it sends before our grant reaches it (and an
    // old hub stops only when our pause arrives), so a starved client can hold far more than
    // twice its window of legitimate data. It must keep the stream and deliver all of it.
    void dataBeyondTwiceTheWindowIsKept() {
        test::SinkServer sink;
        // Bounded kernel buffers on both ends, whatever the machine's TCP autotuning allows, so
        // that the stream's own queue is what holds the data (64 KiB still drains quickly).
        sink.setReceiveBufferSize(65536);
        QVERIFY(sink.listen());
        sink.setReading(false);
        RecordingHost host;
        const Stream::Params p = params();
        Stream stream(p, &host);
        stream.dial(targetOf(sink.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        QVERIFY(shrinkKernelSendBuffer(sink.port()));
        QByteArray expected;
        const qint64 messages = 4 * qint64(p.flow.maxBuffer) + 8;
        for (qint64 i = 0; i < messages; ++i) {
            const QByteArray chunk(protocol::kMaxDataPayload, char('a' + i % 26));
            expected += chunk;
            stream.onHubData(chunk.constData(), chunk.size());
            QVERIFY2(stream.isOpen(), qPrintable(host.disconnectReason()));
        }
        QVERIFY2(stream.queuedToLocal() > 2 * p.flow.maxBuffer + 8,
                 qPrintable(QString::number(stream.queuedToLocal())));
        sink.setReading(true);
        QTRY_COMPARE_WITH_TIMEOUT(sink.bytesReceived(), qint64(expected.size()), 20000);
        QCOMPARE(sink.sha256(), QCryptographicHash::hash(expected, QCryptographicHash::Sha256));
        QVERIFY(stream.isOpen());
        QCOMPARE(host.disconnectReason(), QString());
    }

    void localServiceTakingNoDataEndsTheStreamWithTimeout() {
        test::SinkServer sink;
        sink.setReceiveBufferSize(4096);
        QVERIFY(sink.listen());
        sink.setReading(false);
        RecordingHost host;
        Stream::Params p = params();
        p.localWriteTimeoutMs = 300;
        // A local socket with small kernel buffers on both ends (a dialled one could take
        // megabytes into its send buffer first).
        auto* local = new QTcpSocket;
        local->connectToHost(QHostAddress::LocalHost, sink.port());
        QVERIFY(local->waitForConnected(5000));
        local->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 4096);
        Stream stream(p, &host);
        stream.attach(local);
        QCOMPARE(stream.state(), StreamState::Open);
        // More than the kernel buffers take, fewer than the hard limit: the rest waits for ever.
        const QByteArray chunk(protocol::kMaxDataPayload, 't');
        for (int i = 0; i < 40; ++i)
            stream.onHubData(chunk.constData(), chunk.size());
        QVERIFY(stream.isOpen());
        // protocol.md §10.2: a local write that makes no progress ends the stream (timeout).
        QTRY_COMPARE_WITH_TIMEOUT(host.disconnectReason(), QStringLiteral("timeout"), 10000);
        QVERIFY(!stream.isOpen());
        QVERIFY(host.forgotten);
    }

    void unansweredPingClosesTheStreamOnItsOwnTimer() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(echo.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        // Idle for longer than the inactivity timeout: one ping_client, and the pong timer starts.
        stream.checkHealth(Stream::nowMs() + 2000, 1000, 200);
        QCOMPARE(host.count(ControlEvent::PingClient), 1);
        QVERIFY(stream.isOpen());
        // No further health scan runs: the pongTimeout timer alone closes the stream (§10.3).
        QTRY_COMPARE_WITH_TIMEOUT(host.disconnectReason(), QStringLiteral("timeout"), 10000);
        QCOMPARE(host.count(ControlEvent::PingClient), 1);
    }

    void answeredPingKeepsTheStream() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(echo.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        stream.checkHealth(Stream::nowMs() + 2000, 1000, 200);
        QCOMPARE(host.count(ControlEvent::PingClient), 1);
        stream.onPong();
        // A later scan with the stream idle again pings anew (the answered ping is forgotten)...
        stream.checkHealth(Stream::nowMs() + 4000, 1000, 200);
        QCOMPARE(host.count(ControlEvent::PingClient), 2);
        stream.onPong();
        // ...and a third, unanswered one closes it: only unanswered pings time out.
        stream.checkHealth(Stream::nowMs() + 6000, 1000, 200);
        QTRY_COMPARE_WITH_TIMEOUT(host.disconnectReason(), QStringLiteral("timeout"), 10000);
        QCOMPARE(host.count(ControlEvent::PingClient), 3);
    }

    void reverseCreditsLimitWhatWeSend() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        RecordingHost host;
        Stream stream(params(2), &host);
        stream.dial(targetOf(echo.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        const QByteArray body(200 * 1024, 'r');
        for (qsizetype at = 0; at < body.size(); at += protocol::kMaxDataPayload)
            stream.onHubData(body.constData() + at,
                             std::min<qsizetype>(protocol::kMaxDataPayload, body.size() - at));
        QTRY_COMPARE(host.dataMessages, 2);
        // The echo is back in the stream's read buffer (which then stops reading), queued sends
        // have run, and a direct send attempt: nothing more may go out without credit.
        auto* local = stream.findChild<QTcpSocket*>();
        QVERIFY(local);
        QTRY_VERIFY(local->bytesAvailable() >= local->readBufferSize());
        QCoreApplication::sendPostedEvents();
        QVERIFY(!stream.sendToHub(1000));
        QCOMPARE(host.dataMessages, 2);
        stream.onHubCredits(100);
        QTRY_COMPARE(host.data.size(), body.size());
        QCOMPARE(host.data, body);
    }

    void connectWithoutCreditsMeansUnlimited() {
        test::EchoServer echo;
        QVERIFY(echo.listen());
        RecordingHost host;
        Stream stream(params(0), &host);
        stream.dial(targetOf(echo.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        const QByteArray body(3 * 1024 * 1024, 'u');
        for (qsizetype at = 0; at < body.size(); at += protocol::kMaxDataPayload)
            stream.onHubData(body.constData() + at, protocol::kMaxDataPayload);
        QTRY_COMPARE_WITH_TIMEOUT(host.data.size(), body.size(), 10000);
    }

    // Issue 9: the hub drops what it has not written to the user ~50 ms after our disconnect, so
    // the disconnect waits until the hub has returned a credit for every message of the tail.
    void localCloseWaitsForTheHubToConfirmTheTail() {
        ClosingServiceStream t;
        QVERIFY(t.start(QByteArray(100 * 1024, 't')));
        RecordingHost& host = t.host;
        Stream& stream = *t.stream;
        QTRY_COMPARE(host.data, QByteArray(100 * 1024, 't'));
        // The tail is padded with empty data messages to a multiple of 8 (the hub returns credits
        // per 8 messages written and keeps a remainder below 8 to itself)...
        QTRY_COMPARE(host.dataMessages % 8, 0);
        QVERIFY(host.emptyMessages > 0);
        QCOMPARE(host.emptyMessages, 8 - (host.dataMessages - host.emptyMessages) % 8);
        QCOMPARE(host.order.mid(host.order.size() - host.emptyMessages),
                 QStringList(host.emptyMessages, QStringLiteral("data")));
        // ...and nothing ends it while a credit is missing.
        QCoreApplication::sendPostedEvents();
        QVERIFY(stream.isOpen());
        stream.onHubCredits(host.dataMessages - 8);
        QVERIFY(stream.isOpen());
        QCOMPARE(host.count(ControlEvent::Disconnect), 0);
        stream.onHubCredits(8); // the hub has written every message: now the disconnect
        QVERIFY(!stream.isOpen());
        QCOMPARE(host.disconnectReason(), QStringLiteral("normal"));
        QCOMPARE(host.order.last(), QStringLiteral("control:disconnect"));
        QCOMPARE(host.count(ControlEvent::Disconnect), 1);
        QCOMPARE(host.data, QByteArray(100 * 1024, 't'));
    }

    void tailAlreadyConfirmedNeedsNoPadding() {
        ClosingServiceStream t;
        QVERIFY(t.start(QByteArray())); // closes without a byte: nothing to confirm
        QTRY_VERIFY(!t.stream->isOpen());
        QCOMPARE(t.host.dataMessages, 0);
        QCOMPARE(t.host.disconnectReason(), QStringLiteral("normal"));
    }

    void oldHubGetsTheDisconnectRightAfterTheData() {
        ClosingServiceStream t;
        QVERIFY(t.start(QByteArray(100 * 1024, 'o'), params(0))); // no credits: an old hub
        QTRY_VERIFY(!t.stream->isOpen());
        QCOMPARE(t.host.data, QByteArray(100 * 1024, 'o'));
        QCOMPARE(t.host.emptyMessages, 0); // an old hub returns no credits: nothing to wait for
        QCOMPARE(t.host.order.last(), QStringLiteral("control:disconnect"));
        QCOMPARE(t.host.disconnectReason(), QStringLiteral("normal"));
    }

    void hubDisconnectWhileTheTailIsConfirmedEndsAtOnce() {
        ClosingServiceStream t;
        QVERIFY(t.start(QByteArray(1000, 'h')));
        QSignalSpy released(t.stream.get(), &Stream::released);
        QTRY_COMPARE(t.host.dataMessages, 8); // 1 data + 7 empty
        QVERIFY(t.stream->isOpen());
        t.stream->onHubDisconnect(); // the user went away
        QVERIFY(!t.stream->isOpen());
        QTRY_COMPARE(released.size(), 1);
        QCOMPARE(t.host.count(ControlEvent::Disconnect), 0); // the hub needs no echo
    }

    void shutdownWhileTheTailIsConfirmedEndsAtOnce() {
        ClosingServiceStream t;
        QVERIFY(t.start(QByteArray(1000, 's')));
        QTRY_COMPARE(t.host.dataMessages, 8);
        QVERIFY(t.stream->isOpen());
        t.stream->shutdown();
        QVERIFY(!t.stream->isOpen());
        QCOMPARE(t.host.disconnectReason(), QStringLiteral("shutdown"));
    }

    void unconfirmedTailEndsAtTheDrainLimitWithALogLine() {
        Stream::Params p = params();
        p.drainTimeoutMs = 200;
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral(
                                 "hub did not confirm writing the last 8 messages to the user "
                                 "within 200 ms; ending the stream anyway")));
        ClosingServiceStream t;
        QVERIFY(t.start(QByteArray(1000, 'd'), p));
        QTRY_COMPARE(t.host.dataMessages, 8);
        QTRY_VERIFY(!t.stream->isOpen());
        QCOMPARE(t.host.disconnectReason(), QStringLiteral("normal"));
    }

    // Data from the hub after the local side closed is discarded (protocol.md §6.3) but counts as
    // consumed: its credits go back, so the hub is never left without credit meanwhile.
    void hubDataAfterLocalCloseIsDiscardedButCredited() {
        ClosingServiceStream t;
        QVERIFY(t.start(QByteArray(1000, 'x')));
        QTRY_COMPARE(t.host.dataMessages, 8);
        const qint64 before = t.host.creditsReturned();
        for (int i = 0; i < 16; ++i)
            t.stream->onHubData("late", 4);
        QVERIFY(t.stream->isOpen());
        QCOMPARE(t.host.creditsReturned() - before, qint64(16));
        QCOMPARE(t.stream->bytesIn(), quint64(0));
    }

    void hubDisconnectFlushesQueuedBytesToTheLocalSide() {
        test::SinkServer sink;
        QVERIFY(sink.listen());
        RecordingHost host;
        Stream stream(params(), &host);
        QSignalSpy released(&stream, &Stream::released);
        stream.dial(targetOf(sink.port()));
        QTRY_COMPARE(stream.state(), StreamState::Open);
        const QByteArray chunk(protocol::kMaxDataPayload, 'f');
        for (int i = 0; i < 40; ++i)
            stream.onHubData(chunk.constData(), chunk.size());
        stream.onHubDisconnect();
        QTRY_COMPARE(sink.bytesReceived(), qint64(40) * chunk.size());
        QTRY_COMPARE(released.size(), 1);
        QCOMPARE(host.count(ControlEvent::Disconnect), 0); // the hub needs no echo
    }

    void failedDialAnswersDialFailedAndDropsEarlyData() {
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost));
        const quint16 closedPort = holder.serverPort();
        holder.close();
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(targetOf(closedPort));
        stream.onHubData("lost", 4);
        QTRY_VERIFY(!stream.isOpen());
        QCOMPARE(host.disconnectReason(), QStringLiteral("dial_failed"));
        QCOMPARE(host.dataMessages, 0);
    }

    void invalidTargetIsADialFailure() {
        RecordingHost host;
        Stream stream(params(), &host);
        stream.dial(QStringLiteral("no-port-here"));
        QVERIFY(!stream.isOpen());
        QCOMPARE(host.disconnectReason(), QStringLiteral("dial_failed"));
    }
};

QTEST_GUILESS_MAIN(TestStream)
#include "tst_stream.moc"
