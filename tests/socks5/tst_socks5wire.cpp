// Socks5Wire's parsers and replies without sockets: every prefix of a message is incomplete (the
// handshake waits, never misreads a split message), lengths, the reply table, the comparison.
#include <QTest>

#include "socks5/Socks5Wire.h"

using namespace nexustray;
using namespace nexustray::socks5;

namespace {

QByteArray bytes(std::initializer_list<int> values) {
    QByteArray out;
    for (int v : values)
        out.append(static_cast<char>(v));
    return out;
}

} // namespace

class TestSocks5Wire : public QObject {
    Q_OBJECT

private slots:
    void splitMessagesWait() {
        const QByteArray greeting = bytes({5, 2, 0, 2});
        const QByteArray auth = bytes({1, 3}) + "bob" + bytes({2}) + "pw";
        const QByteArray request = bytes({5, 1, 0, 3, 4}) + "a.io" + bytes({0, 80});
        for (qsizetype n = 0; n < greeting.size(); ++n)
            QCOMPARE(parseGreeting(greeting.left(n)).status, Parse::Incomplete);
        for (qsizetype n = 0; n < auth.size(); ++n)
            QCOMPARE(parseUserPass(auth.left(n)).status, Parse::Incomplete);
        for (qsizetype n = 0; n < request.size(); ++n)
            QCOMPARE(parseRequest(request.left(n)).status, Parse::Incomplete);

        // Complete, with what follows left alone.
        const Greeting g = parseGreeting(greeting + "tail");
        QCOMPARE(g.status, Parse::Ok);
        QCOMPARE(g.length, greeting.size());
        QCOMPARE(g.methods, bytes({0, 2}));
        const UserPass u = parseUserPass(auth + "tail");
        QCOMPARE(u.length, auth.size());
        QCOMPARE(u.username, QByteArray("bob"));
        QCOMPARE(u.password, QByteArray("pw"));
        const Request r = parseRequest(request + "tail");
        QCOMPARE(r.status, Parse::Ok);
        QCOMPARE(r.length, request.size());
        QCOMPARE(r.reply, Reply::Succeeded);
        QCOMPARE(r.targetAddr, QStringLiteral("a.io:80"));
    }

    // A refused command with a known address type waits for the whole request (closing with
    // unread bytes would reset the connection and could lose the reply).
    void refusedCommandWaitsForTheWholeRequest() {
        const QByteArray bind = bytes({5, 2, 0, 1, 10, 0, 0, 1, 0, 21});
        for (qsizetype n = 0; n < bind.size(); ++n)
            QCOMPARE(parseRequest(bind.left(n)).status, Parse::Incomplete);
        const Request r = parseRequest(bind);
        QCOMPARE(r.status, Parse::Ok);
        QCOMPARE(r.reply, Reply::CommandNotSupported);
        QCOMPARE(r.length, bind.size());
    }

    void userPassVersion() {
        const UserPass u = parseUserPass(bytes({5, 1, 0}));
        QCOMPARE(u.status, Parse::Bad);
        QVERIFY(u.problem.contains(QStringLiteral("0x05")));
    }

    void replies() {
        QCOMPARE(replyBytes(Reply::AddressTypeNotSupported), bytes({5, 8, 0, 1, 0, 0, 0, 0, 0, 0}));
        QCOMPARE(replyFor(OutboundResult::Kind::Connected), Reply::Succeeded);
        QCOMPARE(replyFor(OutboundResult::Kind::Refused), Reply::ConnectionRefused);
        QCOMPARE(replyFor(OutboundResult::Kind::SessionLost), Reply::ConnectionRefused);
        QCOMPARE(replyFor(OutboundResult::Kind::Timeout), Reply::GeneralFailure);
        QCOMPARE(replyFor(OutboundResult::Kind::NotConnected), Reply::GeneralFailure);
        QCOMPARE(replyFor(OutboundResult::Kind::Stopping), Reply::GeneralFailure);
    }

    void constantTimeComparison_data() {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("same") << QByteArray("secret") << QByteArray("secret") << true;
        QTest::newRow("last byte") << QByteArray("secreT") << QByteArray("secret") << false;
        QTest::newRow("prefix") << QByteArray("secre") << QByteArray("secret") << false;
        QTest::newRow("longer") << QByteArray("secrets") << QByteArray("secret") << false;
        QTest::newRow("repeat of b") << QByteArray("abab") << QByteArray("ab") << false;
        QTest::newRow("empty vs set") << QByteArray() << QByteArray("x") << false;
        QTest::newRow("set vs empty") << QByteArray("x") << QByteArray() << false;
        QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    }
    void constantTimeComparison() {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(constantTimeEquals(a, b), equal);
    }
};

QTEST_GUILESS_MAIN(TestSocks5Wire)
#include "tst_socks5wire.moc"
