// Socks5Listener: binds socks5ListenAddr (IPv4, IPv6 in brackets, localhost), reports a bind
// failure or a bad address naming it, and hands each accepted descriptor to its handler.
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include "socks5/Socks5Listener.h"

using nexustray::socks5::Socks5Listener;

class TestSocks5Listener : public QObject {
    Q_OBJECT

private slots:
    void binds_data() {
        QTest::addColumn<QString>("listenAddr");
        QTest::addColumn<QHostAddress>("bound");
        QTest::newRow("IPv4") << "127.0.0.1:0" << QHostAddress(QHostAddress::LocalHost);
        QTest::newRow("localhost") << "localhost:0" << QHostAddress(QHostAddress::LocalHost);
        QTest::newRow("LocalHost") << "LocalHost:0" << QHostAddress(QHostAddress::LocalHost);
        QTest::newRow("IPv6") << "[::1]:0" << QHostAddress(QHostAddress::LocalHostIPv6);
        QTest::newRow("spaces") << " 127.0.0.1:0 " << QHostAddress(QHostAddress::LocalHost);
    }
    void binds() {
        QFETCH(QString, listenAddr);
        QFETCH(QHostAddress, bound);
        if (bound.protocol() == QAbstractSocket::IPv6Protocol) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHostIPv6))
                QSKIP("no IPv6 loopback here");
        }
        Socks5Listener listener([](qintptr) {});
        QVERIFY2(listener.start(listenAddr), qPrintable(listener.problem()));
        QCOMPARE(listener.serverAddress(), bound);
        QVERIFY(listener.serverPort() != 0);
    }

    void badAddress_data() {
        QTest::addColumn<QString>("listenAddr");
        QTest::addColumn<QString>("why");
        QTest::newRow("no port") << "127.0.0.1"
                                 << "expected host:port";
        QTest::newRow("bare IPv6") << "::1:1080"
                                   << "must be in brackets";
        QTest::newRow("bad port") << "127.0.0.1:http"
                                  << "invalid port 'http'";
        QTest::newRow("port too big") << "127.0.0.1:65536"
                                      << "invalid port '65536'";
        QTest::newRow("unclosed bracket") << "[::1:1080"
                                          << "expected [IPv6]:port";
        QTest::newRow("host name") << "proxy.example:1080"
                                   << "not an IP address or localhost";
        QTest::newRow("IPv4 in brackets") << "[127.0.0.1]:1080"
                                          << "only for IPv6";
    }
    void badAddress() {
        QFETCH(QString, listenAddr);
        QFETCH(QString, why);
        Socks5Listener listener([](qintptr) {});
        QVERIFY(!listener.start(listenAddr));
        QVERIFY(!listener.isListening());
        QVERIFY2(
            listener.problem().contains(QStringLiteral("socks5ListenAddr '%1'").arg(listenAddr)),
            qPrintable(listener.problem()));
        QVERIFY2(listener.problem().contains(why), qPrintable(listener.problem()));
    }

    void bindErrorNamesTheAddress() {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost));
        const QString address = QStringLiteral("127.0.0.1:%1").arg(taken.serverPort());
        Socks5Listener listener([](qintptr) {});
        QVERIFY(!listener.start(address));
        QVERIFY2(listener.problem().startsWith(
                     QStringLiteral("cannot listen on socks5ListenAddr '%1': ").arg(address)),
                 qPrintable(listener.problem()));
        QVERIFY2(listener.problem().contains(QStringLiteral("in use")),
                 qPrintable(listener.problem()));
    }

    // The descriptor goes to the handler untouched; a socket made from it is the client's peer.
    void descriptorHandedOver() {
        QList<qintptr> descriptors;
        Socks5Listener listener([&](qintptr d) { descriptors << d; });
        QVERIFY2(listener.start(QStringLiteral("127.0.0.1:0")), qPrintable(listener.problem()));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, listener.serverPort());
        QTRY_COMPARE(descriptors.size(), 1);
        QVERIFY(!listener.hasPendingConnections()); // not queued as a QTcpSocket
        QTcpSocket accepted;
        QVERIFY(accepted.setSocketDescriptor(descriptors.first()));
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(accepted.peerPort(), client.localPort());
        accepted.write("ping");
        QTRY_COMPARE(client.bytesAvailable(), qint64(4));
        QCOMPARE(client.readAll(), QByteArray("ping"));
    }
};

QTEST_GUILESS_MAIN(TestSocks5Listener)
#include "tst_socks5listener.moc"
