// ProxySettings: NO_PROXY matching as curl and Go read it (suffix, leading dot, `*`, IPv4/IPv6
// literals and CIDR ranges, ports, case), proxy URL parsing (credentials percent-decoded, http
// only) and the route of a relay dial (backend key over environment, loopback never proxied).
#include <QtTest>

#include "websocket/ProxySettings.h"

using namespace nexustray;

class TestProxySettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void noProxy_data() {
        QTest::addColumn<QString>("noProxy");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<bool>("match");
        QTest::newRow("empty") << ""
                               << "relay.example.com" << 443 << false;
        QTest::newRow("star") << "*"
                              << "relay.example.com" << 443 << true;
        QTest::newRow("star in list") << "a.test, *"
                                      << "x.y" << 80 << true;
        QTest::newRow("exact") << "relay.example.com"
                               << "relay.example.com" << 443 << true;
        QTest::newRow("plain domain: subdomain") << "example.com"
                                                 << "relay.example.com" << 443 << true;
        QTest::newRow("plain domain: not a suffix of a label")
            << "example.com"
            << "relay.badexample.com" << 443 << false;
        QTest::newRow("leading dot: subdomain") << ".example.com"
                                                << "relay.example.com" << 443 << true;
        QTest::newRow("leading dot: the domain itself") << ".example.com"
                                                        << "example.com" << 443 << true;
        QTest::newRow("star dot") << "*.example.com"
                                  << "a.example.com" << 443 << true;
        QTest::newRow("other domain") << "example.org"
                                      << "relay.example.com" << 443 << false;
        QTest::newRow("case") << "EXAMPLE.com"
                              << "Relay.Example.COM" << 443 << true;
        QTest::newRow("spaces and empty entries") << " , foo.test ,, example.com "
                                                  << "relay.example.com" << 443 << true;
        QTest::newRow("port matches") << "example.com:443"
                                      << "relay.example.com" << 443 << true;
        QTest::newRow("port differs") << "example.com:8443"
                                      << "relay.example.com" << 443 << false;
        QTest::newRow("ipv4 exact") << "10.1.2.3"
                                    << "10.1.2.3" << 443 << true;
        QTest::newRow("ipv4 other") << "10.1.2.3"
                                    << "10.1.2.4" << 443 << false;
        QTest::newRow("ipv4 cidr in") << "10.0.0.0/8"
                                      << "10.200.1.1" << 443 << true;
        QTest::newRow("ipv4 cidr out") << "10.0.0.0/8"
                                       << "11.0.0.1" << 443 << false;
        QTest::newRow("cidr vs name") << "10.0.0.0/8"
                                      << "relay.test" << 443 << false;
        QTest::newRow("ipv4 with port") << "192.0.2.1:8443"
                                        << "192.0.2.1" << 8443 << true;
        QTest::newRow("ipv6 exact") << "2001:db8::1"
                                    << "2001:db8::1" << 443 << true;
        QTest::newRow("ipv6 bracketed host") << "2001:db8::1"
                                             << "[2001:DB8::1]" << 443 << true;
        QTest::newRow("ipv6 bracketed with port") << "[2001:db8::1]:443"
                                                  << "2001:db8::1" << 443 << true;
        QTest::newRow("ipv6 cidr in") << "2001:db8::/32"
                                      << "2001:db8:ffff::7" << 443 << true;
        QTest::newRow("ipv6 cidr out") << "2001:db8::/32"
                                       << "2001:db9::7" << 443 << false;
        QTest::newRow("trailing dot host") << "example.com"
                                           << "relay.example.com." << 443 << true;
    }
    void noProxy() {
        QFETCH(QString, noProxy);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(bool, match);
        QCOMPARE(proxy::noProxyMatches(noProxy, host, port), match);
    }

    void parseUrl() {
        QString error;
        QNetworkProxy p = proxy::parseProxyUrl(
            QStringLiteral("http://us%40er:p%3Ass%20w@proxy.corp:3128"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(p.type(), QNetworkProxy::HttpProxy);
        QCOMPARE(p.hostName(), QStringLiteral("proxy.corp"));
        QCOMPARE(p.port(), quint16(3128));
        QCOMPARE(p.user(), QStringLiteral("us@er"));
        QCOMPARE(p.password(), QStringLiteral("p:ss w"));

        p = proxy::parseProxyUrl(QStringLiteral("proxy.corp:8080"), &error);
        QVERIFY(error.isEmpty());
        QCOMPARE(p.port(), quint16(8080));
        p = proxy::parseProxyUrl(QStringLiteral("http://proxy.corp/"), &error);
        QVERIFY(error.isEmpty());
        QCOMPARE(p.port(), quint16(80)); // as Go
        QCOMPARE(proxy::describe(p), QStringLiteral("proxy.corp:80"));
    }

    void parseUrlRejects_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("https") << "https://proxy.corp:443"
                               << "scheme https";
        QTest::newRow("socks5") << "socks5://proxy.corp:1080"
                                << "scheme socks5";
        QTest::newRow("no host") << "http://:3128"
                                 << "malformed";
        QTest::newRow("bad port") << "http://proxy.corp:99999"
                                  << "malformed";
        QTest::newRow("path") << "http://proxy.corp:3128/x"
                              << "path";
    }
    void parseUrlRejects() {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        QString error;
        const QNetworkProxy p = proxy::parseProxyUrl(url, &error);
        QVERIFY2(error.contains(mentions), qPrintable(error));
        QCOMPARE(p.type(), QNetworkProxy::NoProxy);
    }

    void loopback() {
        for (const char* host :
             {"localhost", "LocalHost", "a.localhost", "127.0.0.1", "127.9.8.7", "::1"})
            QVERIFY2(proxy::isLoopbackHost(QString::fromLatin1(host)), host);
        for (const char* host : {"relay.test", "10.0.0.1", "::2", "localhost.example"})
            QVERIFY2(!proxy::isLoopbackHost(QString::fromLatin1(host)), host);
    }

    void route() {
        proxy::Environment env;
        env.httpsProxy = QStringLiteral("http://envproxy:3128");
        const QUrl relay(QStringLiteral("wss://relay.example.com/connect"));

        QCOMPARE(proxy::routeFor(relay, {}, env).proxy.hostName(), QStringLiteral("envproxy"));
        QCOMPARE(proxy::routeFor(relay, QStringLiteral("none"), env).proxy.type(),
                 QNetworkProxy::NoProxy);
        QCOMPARE(proxy::routeFor(relay, QStringLiteral("NONE"), env).proxy.type(),
                 QNetworkProxy::NoProxy);
        QCOMPARE(proxy::routeFor(relay, QStringLiteral("http://own:1"), env).proxy.hostName(),
                 QStringLiteral("own"));
        // Loopback relays: never, not even with a backend proxy.
        QCOMPARE(proxy::routeFor(QUrl(QStringLiteral("wss://127.0.0.1:9/c")),
                                 QStringLiteral("http://own:1"), env)
                     .proxy.type(),
                 QNetworkProxy::NoProxy);
        // NO_PROXY with the relay's port (443 by default for wss).
        env.noProxy = QStringLiteral("example.com:443");
        QCOMPARE(proxy::routeFor(relay, {}, env).proxy.type(), QNetworkProxy::NoProxy);
        env.noProxy = QStringLiteral("example.com:80");
        QCOMPARE(proxy::routeFor(relay, {}, env).proxy.type(), QNetworkProxy::HttpProxy);
        // NO_PROXY does not apply to the backend's own proxy (it overrides the environment).
        env.noProxy = QStringLiteral("*");
        QCOMPARE(proxy::routeFor(relay, QStringLiteral("http://own:1"), env).proxy.type(),
                 QNetworkProxy::HttpProxy);
        // ALL_PROXY is the fallback.
        env = {};
        env.allProxy = QStringLiteral("allproxy:8080");
        QCOMPARE(proxy::routeFor(relay, {}, env).proxy.hostName(), QStringLiteral("allproxy"));
        // A bad URL is an error naming it and where it came from.
        env.allProxy = QStringLiteral("socks5://s:1080");
        const proxy::Route bad = proxy::routeFor(relay, {}, env);
        QVERIFY2(bad.error.contains(QLatin1String("socks5")) &&
                     bad.error.contains(QLatin1String("ALL_PROXY")),
                 qPrintable(bad.error));
    }

    // The PROXY header's destination: the socket's peer when direct, the URL's IP literal when
    // proxied (the peer is the proxy then), null for a name only the proxy resolved.
    void relayAddress() {
        const QNetworkProxy direct(QNetworkProxy::NoProxy);
        const QNetworkProxy viaProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), 3128);
        const QHostAddress peer(QStringLiteral("198.51.100.1"));
        QCOMPARE(
            proxy::relayAddress(QUrl(QStringLiteral("wss://relay.test/connect")), direct, peer),
            peer);
        QCOMPARE(proxy::relayAddress(QUrl(QStringLiteral("wss://relay.test/connect")), direct,
                                     QHostAddress(QStringLiteral("::ffff:198.51.100.1"))),
                 peer);
        QCOMPARE(proxy::relayAddress(QUrl(QStringLiteral("wss://203.0.113.9/connect")), viaProxy,
                                     QHostAddress::LocalHost),
                 QHostAddress(QStringLiteral("203.0.113.9")));
        QCOMPARE(proxy::relayAddress(QUrl(QStringLiteral("wss://[2001:db8::1]:443/connect")),
                                     viaProxy, QHostAddress::LocalHost),
                 QHostAddress(QStringLiteral("2001:db8::1")));
        QVERIFY(proxy::relayAddress(QUrl(QStringLiteral("wss://relay.test/connect")), viaProxy,
                                    QHostAddress::LocalHost)
                    .isNull());
    }

    void environmentLowerCaseWins() {
        const QByteArray oldUpper = qgetenv("HTTPS_PROXY"), oldLower = qgetenv("https_proxy");
        qputenv("HTTPS_PROXY", "http://upper:1");
        qputenv("https_proxy", "http://lower:2");
        QCOMPARE(proxy::Environment::fromProcess().httpsProxy, QStringLiteral("http://lower:2"));
        qunsetenv("https_proxy");
        QCOMPARE(proxy::Environment::fromProcess().httpsProxy, QStringLiteral("http://upper:1"));
        if (oldUpper.isNull())
            qunsetenv("HTTPS_PROXY");
        else
            qputenv("HTTPS_PROXY", oldUpper);
        if (!oldLower.isNull())
            qputenv("https_proxy", oldLower);
    }
};

QTEST_GUILESS_MAIN(TestProxySettings)
#include "tst_proxysettings.moc"
