// The PROXY protocol header (engine/relay/ProxyProtocolHeader) read back by the tests' own parser
// (tests/support/ProxyHeaderParser, from HAProxy's specification: text v1 and binary v2), for IPv4
// and IPv6 users, an unknown relay address, mixed families (IPv4 written IPv4-mapped), an
// unparsable client_ip (UNKNOWN / LOCAL), and the config key portMappings.<port>.proxyProtocol.
#include <QtTest>

#include "ProxyHeaderParser.h"
#include "relay/ProxyProtocolHeader.h"

using namespace nexustray;

using Parsed = nexustray::test::ParsedProxyHeader;
constexpr auto parseV1 = &nexustray::test::parseProxyV1;
constexpr auto parseV2 = &nexustray::test::parseProxyV2;

class TestProxyProtocol : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void headers_data() {
        QTest::addColumn<QString>("clientIp");
        QTest::addColumn<QString>("relay");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("destination");
        QTest::addColumn<int>("sourcePort");
        QTest::addColumn<bool>("v6");
        QTest::newRow("ipv4") << "203.0.113.7:51544"
                              << "198.51.100.1"
                              << "203.0.113.7"
                              << "198.51.100.1" << 51544 << false;
        QTest::newRow("ipv6") << "[2001:db8::7]:40000"
                              << "2001:db8::1"
                              << "2001:db8::7"
                              << "2001:db8::1" << 40000 << true;
        QTest::newRow("v6 user, v4 relay") << "[2001:db8::7]:1"
                                           << "198.51.100.1"
                                           << "2001:db8::7"
                                           << "::ffff:198.51.100.1" << 1 << true;
        QTest::newRow("v4 user, v6 relay") << "203.0.113.7:65535"
                                           << "2001:db8::1"
                                           << "::ffff:203.0.113.7"
                                           << "2001:db8::1" << 65535 << true;
    }

    void headers() {
        QFETCH(QString, clientIp);
        QFETCH(QString, relay);
        QFETCH(QString, source);
        QFETCH(QString, destination);
        QFETCH(int, sourcePort);
        QFETCH(bool, v6);
        const QByteArray tail = "GET / HTTP/1.1\r\n"; // what follows must stay untouched

        const QByteArray one =
            proxyProtocolHeader(ProxyProtocol::V1, clientIp, QHostAddress(relay), 443) + tail;
        const Parsed p1 = parseV1(one);
        QVERIFY2(p1.ok, one.constData());
        QCOMPARE(p1.command, v6 ? QStringLiteral("TCP6") : QStringLiteral("TCP4"));
        QCOMPARE(p1.source, QHostAddress(source));
        QCOMPARE(p1.destination, QHostAddress(destination));
        QCOMPARE(int(p1.sourcePort), sourcePort);
        QCOMPARE(int(p1.destinationPort), 443);
        QCOMPARE(one.mid(p1.length), tail);

        const QByteArray two =
            proxyProtocolHeader(ProxyProtocol::V2, clientIp, QHostAddress(relay), 8443) + tail;
        const Parsed p2 = parseV2(two);
        QVERIFY(p2.ok);
        QCOMPARE(p2.command, QStringLiteral("PROXY"));
        QCOMPARE(p2.family, v6 ? 2 : 1);
        QCOMPARE(p2.length, v6 ? 16 + 36 : 16 + 12);
        QCOMPARE(p2.source, QHostAddress(source));
        QCOMPARE(p2.destination, QHostAddress(destination));
        QCOMPARE(int(p2.sourcePort), sourcePort);
        QCOMPARE(int(p2.destinationPort), 8443);
        QCOMPARE(two.mid(p2.length), tail);
    }

    void unknownAddress() {
        for (const QString& bad :
             {QString(), QStringLiteral("nonsense"), QStringLiteral("2001:db8::7:80"),
              QStringLiteral("1.2.3.4:99999"), QStringLiteral("[1.2.3.4]:80")}) {
            const Parsed p1 =
                parseV1(proxyProtocolHeader(ProxyProtocol::V1, bad, QHostAddress::LocalHost, 80));
            QVERIFY2(p1.ok && p1.command == QLatin1String("UNKNOWN"), qPrintable(bad));
            const Parsed p2 =
                parseV2(proxyProtocolHeader(ProxyProtocol::V2, bad, QHostAddress::LocalHost, 80));
            QVERIFY2(p2.ok && p2.command == QLatin1String("LOCAL") && p2.family == 0,
                     qPrintable(bad));
        }
        QVERIFY(proxyProtocolHeader(ProxyProtocol::None, QStringLiteral("1.2.3.4:5"),
                                    QHostAddress::LocalHost, 80)
                    .isEmpty());
    }

    // A relay reached through a proxy by name has no known address: the destination is the
    // unspecified address of the user's family, the source stays exact.
    void unknownRelay() {
        const Parsed p1 = parseV1(proxyProtocolHeader(
            ProxyProtocol::V1, QStringLiteral("203.0.113.7:5"), QHostAddress(), 443));
        QVERIFY(p1.ok);
        QCOMPARE(p1.command, QStringLiteral("TCP4"));
        QCOMPARE(p1.source, QHostAddress(QStringLiteral("203.0.113.7")));
        QCOMPARE(p1.destination, QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(int(p1.destinationPort), 443);
        const Parsed p2 = parseV2(proxyProtocolHeader(
            ProxyProtocol::V2, QStringLiteral("[2001:db8::7]:6"), QHostAddress(), 80));
        QVERIFY(p2.ok);
        QCOMPARE(p2.family, 2);
        QCOMPARE(p2.source, QHostAddress(QStringLiteral("2001:db8::7")));
        QCOMPARE(p2.destination, QHostAddress(QHostAddress::AnyIPv6));
        QCOMPARE(int(p2.sourcePort), 6);
    }

    void configKey() {
        const auto load = [](const QByteArray& mapping) {
            return loadConfigText("backends:\n  - name: a\n    hostnames: [a.test]\n"
                                  "    nexusAddresses: [\"wss://relay.example.com/connect\"]\n"
                                  "    attestation: {hmacSecret: s}\n"
                                  "    portMappings:\n      443: " +
                                  mapping + "\n");
        };
        ConfigLoadResult r = load(
            "{default: \"127.0.0.1:8443\", proxyProtocol: v2, hosts: {x.a.test: \"127.0.0.1:1\"}}");
        QVERIFY(r.ok());
        QCOMPARE(r.config.backends.at(0).portMappings.value(443).proxyProtocol, ProxyProtocol::V2);
        r = load("{default: \"127.0.0.1:8443\", proxyProtocol: V1}");
        QCOMPARE(r.config.backends.at(0).portMappings.value(443).proxyProtocol, ProxyProtocol::V1);
        r = load("{default: \"127.0.0.1:8443\"}");
        QCOMPARE(r.config.backends.at(0).portMappings.value(443).proxyProtocol,
                 ProxyProtocol::None);
        r = load("{default: \"127.0.0.1:8443\", proxyProtocol: v3}");
        QVERIFY(!r.ok());
        QVERIFY2(r.errors.at(0).toString().contains(
                     QLatin1String("proxyProtocol must be v1, v2 or off")),
                 qPrintable(r.errors.at(0).toString()));
        QCOMPARE(r.errors.at(0).line, 7); // the "443:" line
    }
};

QTEST_GUILESS_MAIN(TestProxyProtocol)
#include "tst_proxyprotocol.moc"
