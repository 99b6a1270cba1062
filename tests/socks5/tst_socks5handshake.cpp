// Socks5Handshake against raw QTcpSocket clients on 127.0.0.1 (protocol.md §9.3, RFC 1928/1929):
// the exact bytes of every reply, target formatting, authentication, the deadline, bytes sent
// after the request, a client gone while the dial is pending; a fake opener answers each outcome.
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>

#include "Socks5TestServer.h"
#include "socks5/Socks5Handshake.h"

using namespace nexustray;
using namespace nexustray::socks5;
using socks5test::Socks5TestServer;

namespace {

QByteArray bytes(std::initializer_list<int> values) {
    QByteArray out;
    for (int v : values)
        out.append(static_cast<char>(v));
    return out;
}

QByteArray reply(int code) {
    return bytes({5, code, 0, 1, 0, 0, 0, 0, 0, 0});
}

const QByteArray kGreetingNoAuth = bytes({5, 1, 0});
const QByteArray kConnectLocal80 = bytes({5, 1, 0, 1, 127, 0, 0, 1, 0, 80});

// Stands in for the session: records each request and answers it when the test says so, like
// the session would (done first; on failure it closes the socket afterwards).
class FakeOpener : public QObject {
public:
    struct Call {
        QString target;
        QPointer<QTcpSocket> socket;
        OutboundCallback done;
    };
    QList<Call> calls;

    OutboundOpener opener() {
        return [this](const QString& target, QTcpSocket* socket, OutboundCallback done) {
            socket->setParent(this);
            calls.append({target, socket, std::move(done)});
        };
    }
    void answer(qsizetype i, OutboundResult::Kind kind) {
        Call& call = calls[i];
        call.done({kind, kind == OutboundResult::Kind::Refused ? QStringLiteral("dial failed")
                                                               : QString()});
        if (kind != OutboundResult::Kind::Connected && call.socket)
            call.socket->close();
    }
};

std::unique_ptr<QTcpSocket> client(quint16 port) {
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port);
    return socket;
}

bool closed(const QTcpSocket& socket) {
    return socket.state() == QAbstractSocket::UnconnectedState;
}

} // namespace

class TestSocks5Handshake : public QObject {
    Q_OBJECT

private slots:
    void init() {
        m_opener = std::make_unique<FakeOpener>();
        m_server = std::make_unique<Socks5TestServer>(m_settings, m_opener->opener());
        QVERIFY(m_server->listen());
    }
    void cleanup() {
        m_server.reset();
        m_opener.reset();
        m_settings = {};
    }

    // The outcome decides the reply: 00 relays, 05 refused / session lost, 01 otherwise.
    void resultReplies_data() {
        QTest::addColumn<OutboundResult::Kind>("kind");
        QTest::addColumn<int>("code");
        QTest::newRow("connected") << OutboundResult::Kind::Connected << 0x00;
        QTest::newRow("refused") << OutboundResult::Kind::Refused << 0x05;
        QTest::newRow("session lost") << OutboundResult::Kind::SessionLost << 0x05;
        QTest::newRow("timeout") << OutboundResult::Kind::Timeout << 0x01;
        QTest::newRow("not connected") << OutboundResult::Kind::NotConnected << 0x01;
        QTest::newRow("stopping") << OutboundResult::Kind::Stopping << 0x01;
    }
    void resultReplies() {
        QFETCH(OutboundResult::Kind, kind);
        QFETCH(int, code);
        auto c = client(m_server->port());
        c->write(kGreetingNoAuth);
        QTRY_COMPARE(c->bytesAvailable(), qint64(2));
        QCOMPARE(c->readAll(), bytes({5, 0}));
        c->write(kConnectLocal80);
        QTRY_COMPARE(m_opener->calls.size(), 1);
        QCOMPARE(m_opener->calls[0].target, QStringLiteral("127.0.0.1:80"));
        QCOMPARE(c->bytesAvailable(), qint64(0)); // no reply before the result
        m_opener->answer(0, kind);
        QTRY_COMPARE(c->bytesAvailable(), qint64(10));
        QCOMPARE(c->readAll(), reply(code));
        if (kind == OutboundResult::Kind::Connected)
            QCOMPARE(m_opener->calls[0].socket->state(), QAbstractSocket::ConnectedState);
        else
            QTRY_VERIFY(closed(*c));
    }

    void targetFormats_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QString>("target");
        QTest::newRow("IPv4") << bytes({5, 1, 0, 1, 192, 0, 2, 7, 0x1F, 0x90})
                              << QStringLiteral("192.0.2.7:8080");
        QTest::newRow("IPv6") << bytes({5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
                                        0, 0, 0, 0, 0,    0,    0,    0,    1, 0, 25})
                              << QStringLiteral("[2001:db8::1]:25");
        QTest::newRow("IPv6 loopback")
            << bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 22})
            << QStringLiteral("[::1]:22");
        QTest::newRow("domain") << bytes({5, 1, 0, 3, 11}) + "example.com" + bytes({1, 0xBB})
                                << QStringLiteral("example.com:443");
        QTest::newRow("domain as given") << bytes({5, 1, 0, 3, 9}) + "Host.Test" + bytes({0, 80})
                                         << QStringLiteral("Host.Test:80");
        QTest::newRow("port 65535")
            << bytes({5, 1, 0, 1, 10, 0, 0, 1, 0xFF, 0xFF}) << QStringLiteral("10.0.0.1:65535");
    }
    void targetFormats() {
        QFETCH(QByteArray, request);
        QFETCH(QString, target);
        auto c = client(m_server->port());
        c->write(kGreetingNoAuth + request); // in one write: parsed message by message
        QTRY_COMPARE(m_opener->calls.size(), 1);
        QCOMPARE(m_opener->calls[0].target, target);
        QCOMPARE(c->readAll(), bytes({5, 0}));
        m_opener->answer(0, OutboundResult::Kind::Stopping);
    }

    // Refusals before the opener is asked: no reply (bad version, NMETHODS 0, garbage), 05 FF,
    // or a request reply 07 / 08; each closes the connection and is one log line.
    void refusals_data() {
        QTest::addColumn<QByteArray>("sent");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<QString>("log");
        QTest::newRow("version 4") << bytes({4, 1, 0}) << QByteArray() << "not SOCKS5 .*0x04";
        QTest::newRow("NMETHODS 0") << bytes({5, 0}) << QByteArray() << "NMETHODS 0";
        QTest::newRow("no acceptable method")
            << bytes({5, 2, 1, 2}) << bytes({5, 0xFF}) << "offered 01 02, need 00";
        QTest::newRow("garbage") << QByteArray("GET / HTTP/1.1\r\n\r\n") << QByteArray()
                                 << "not SOCKS5 .*0x47";
        const QByteArray ok = bytes({5, 0});
        const auto request = [&](const char* name, const QByteArray& bytes,
                                 const QByteArray& expected, const char* log) {
            QTest::newRow(name) << kGreetingNoAuth + bytes << expected << log;
        };
        request("BIND", bytes({5, 2, 0, 1, 127, 0, 0, 1, 0, 80}), ok + reply(0x07),
                "0x02 \\(BIND\\) is not supported");
        request("UDP ASSOCIATE", bytes({5, 3, 0, 1, 0, 0, 0, 0, 0, 0}), ok + reply(0x07),
                "0x03 \\(UDP ASSOCIATE\\) is not supported");
        request("BIND, unknown type", bytes({5, 2, 0, 9}), ok + reply(0x07), "BIND");
        request("address type 5", bytes({5, 1, 0, 5, 1, 2}), ok + reply(0x08),
                "address type 0x05 is not supported");
        request("empty domain", bytes({5, 1, 0, 3, 0, 0, 80}), ok + reply(0x08),
                "empty domain name");
        request("request version 4", bytes({4, 1, 0, 1, 127, 0, 0, 1, 0, 80}), ok,
                "request is not SOCKS5");
    }
    void refusals() {
        QFETCH(QByteArray, sent);
        QFETCH(QByteArray, expected);
        QFETCH(QString, log);
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression(log));
        auto c = client(m_server->port());
        c->write(sent);
        QTRY_VERIFY(closed(*c));
        QCOMPARE(c->readAll(), expected);
        QCOMPARE(m_opener->calls.size(), 0);
    }

    // The request alone, after the greeting was answered (not in the same segment).
    void requestAfterGreetingReply() {
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression("BIND"));
        auto c = client(m_server->port());
        c->write(kGreetingNoAuth);
        QTRY_COMPARE(c->bytesAvailable(), qint64(2));
        QCOMPARE(c->readAll(), bytes({5, 0}));
        c->write(bytes({5, 2, 0, 1, 127, 0, 0, 1, 0, 80}));
        QTRY_VERIFY(closed(*c));
        QCOMPARE(c->readAll(), reply(0x07));
    }

    // A stalled connection and a garbage one do not disturb a third.
    void otherConnectionsUnaffected() {
        QTest::ignoreMessage(QtInfoMsg, QRegularExpression("not SOCKS5"));
        auto stalled = client(m_server->port());
        stalled->write(bytes({5, 2}));
        auto garbage = client(m_server->port());
        garbage->write("\x16\x03\x01 TLS hello");
        QTRY_VERIFY(closed(*garbage));
        auto good = client(m_server->port());
        good->write(kGreetingNoAuth + kConnectLocal80);
        QTRY_COMPARE(m_opener->calls.size(), 1);
        m_opener->answer(0, OutboundResult::Kind::Connected);
        QTRY_COMPARE(good->bytesAvailable(), qint64(12));
        QCOMPARE(good->readAll(), bytes({5, 0}) + reply(0));
        // The stalled one finishes its greeting and goes on.
        QCOMPARE(stalled->state(), QAbstractSocket::ConnectedState);
        stalled->write(bytes({0, 0}));
        QTRY_COMPARE(stalled->bytesAvailable(), qint64(2));
        QCOMPARE(stalled->readAll(), bytes({5, 0}));
    }

    void authentication_data() {
        QTest::addColumn<QByteArray>("greeting");
        QTest::addColumn<QByteArray>("auth");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<bool>("opened");
        const QByteArray offer = bytes({5, 2, 0, 2});
        const auto userPass = [](const QByteArray& u, const QByteArray& p) {
            return bytes({1, int(u.size())}) + u + bytes({int(p.size())}) + p;
        };
        QTest::newRow("accepted") << offer << userPass("alice", "s3cret")
                                  << bytes({5, 2, 1, 0}) + reply(0) << true;
        QTest::newRow("wrong password")
            << offer << userPass("alice", "s3creT") << bytes({5, 2, 1, 1}) << false;
        QTest::newRow("wrong user")
            << offer << userPass("alicE", "s3cret") << bytes({5, 2, 1, 1}) << false;
        QTest::newRow("password prefix")
            << offer << userPass("alice", "s3cre") << bytes({5, 2, 1, 1}) << false;
        QTest::newRow("no-auth only offered")
            << bytes({5, 1, 0}) << QByteArray() << bytes({5, 0xFF}) << false;
    }
    void authentication() {
        QFETCH(QByteArray, greeting);
        QFETCH(QByteArray, auth);
        QFETCH(QByteArray, expected);
        QFETCH(bool, opened);
        m_settings.username = "alice";
        m_settings.password = "s3cret";
        init(); // again, with credentials

        auto c = client(m_server->port());
        c->write(greeting + auth + kConnectLocal80);
        if (opened) {
            QTRY_COMPARE(m_opener->calls.size(), 1);
            QCOMPARE(m_opener->calls[0].target, QStringLiteral("127.0.0.1:80"));
            m_opener->answer(0, OutboundResult::Kind::Connected);
            QTRY_COMPARE(c->bytesAvailable(), qint64(expected.size()));
        } else {
            QTRY_VERIFY(closed(*c));
            QCOMPARE(m_opener->calls.size(), 0);
        }
        QCOMPARE(c->readAll(), expected);
    }

    // Greeting + authentication + request share one deadline; a stall at any point closes.
    void deadline_data() {
        QTest::addColumn<bool>("withAuth");
        QTest::addColumn<QByteArray>("sent");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<QString>("phase");
        QTest::newRow("mid-greeting") << false << bytes({5, 2, 0}) << QByteArray() << "greeting";
        QTest::newRow("nothing sent") << false << QByteArray() << QByteArray() << "greeting";
        QTest::newRow("mid-request")
            << false << kGreetingNoAuth + bytes({5, 1, 0, 1, 127}) << bytes({5, 0}) << "request";
        QTest::newRow("mid-authentication")
            << true << bytes({5, 1, 2, 1, 5}) + "ali" << bytes({5, 2}) << "authentication";
    }
    void deadline() {
        QFETCH(bool, withAuth);
        QFETCH(QByteArray, sent);
        QFETCH(QByteArray, expected);
        QFETCH(QString, phase);
        m_settings.deadlineMs = 300;
        if (withAuth) {
            m_settings.username = "alice";
            m_settings.password = "pw";
        }
        init();
        QTest::ignoreMessage(
            QtInfoMsg,
            QRegularExpression(QStringLiteral("no complete %1 within 300 ms").arg(phase)));
        auto c = client(m_server->port());
        QSignalSpy gone(c.get(), &QAbstractSocket::disconnected);
        c->write(sent);
        QVERIFY(gone.wait(5000));
        QCOMPARE(c->readAll(), expected);
        QCOMPARE(m_opener->calls.size(), 0);
    }

    // Bytes after the request (same write, and later while the dial is pending) are not consumed
    // by the handshake: the stream reads them after the result.
    void pipelinedBytesWaitForTheResult() {
        auto c = client(m_server->port());
        c->write(kGreetingNoAuth + kConnectLocal80 + "hello");
        QTRY_COMPARE(m_opener->calls.size(), 1);
        QTcpSocket* s = m_opener->calls[0].socket;
        // Read no further than what is buffered already (the rest stays in the kernel).
        QCOMPARE(s->readBufferSize(), qMax<qint64>(s->bytesAvailable(), 1));
        QVERIFY(s->bytesAvailable() <= 5);
        c->write(" world");
        QTRY_COMPARE(c->bytesToWrite(), qint64(0));
        QTRY_COMPARE(c->bytesAvailable(), qint64(2));
        QCOMPARE(c->readAll(), bytes({5, 0})); // no reply yet

        m_opener->answer(0, OutboundResult::Kind::Connected);
        QTRY_COMPARE(c->bytesAvailable(), qint64(10));
        QCOMPARE(c->readAll(), reply(0));
        // Relaying starts: what was buffered first, then the rest.
        s->setReadBufferSize(0);
        QByteArray relayed = s->readAll();
        QTRY_VERIFY2((relayed += s->readAll()) == "hello world", relayed.constData());
    }

    // The client leaves while the dial is pending: a log line; when the result comes, the
    // opener finds the socket no longer connected (its stream ends with local_error).
    void clientGoneWhilePending_data() {
        QTest::addColumn<OutboundResult::Kind>("kind");
        QTest::newRow("then connected") << OutboundResult::Kind::Connected;
        QTest::newRow("then refused") << OutboundResult::Kind::Refused;
    }
    void clientGoneWhilePending() {
        QFETCH(OutboundResult::Kind, kind);
        QTest::ignoreMessage(
            QtInfoMsg,
            QRegularExpression("closed while the outbound dial to 127.0.0.1:80 was pending"));
        auto c = client(m_server->port());
        c->write(kGreetingNoAuth + kConnectLocal80);
        QTRY_COMPARE(m_opener->calls.size(), 1);
        QPointer<QTcpSocket> s = m_opener->calls[0].socket;
        c->abort();
        QTRY_COMPARE(s->state(), QAbstractSocket::UnconnectedState);
        if (kind == OutboundResult::Kind::Connected)
            QTest::ignoreMessage(QtInfoMsg, QRegularExpression("client is gone.*local_error"));
        m_opener->answer(0, kind);
        QVERIFY(!s || s->state() != QAbstractSocket::ConnectedState);
    }

private:
    Socks5Settings m_settings;
    std::unique_ptr<FakeOpener> m_opener;
    std::unique_ptr<Socks5TestServer> m_server;
};

QTEST_GUILESS_MAIN(TestSocks5Handshake)
#include "tst_socks5handshake.moc"
