// PortRouter: (relay port, hostname) -> local target (config.md §5, precedence of §4).
#include <QTest>

#include "config/PortRouter.h"
#include "nexustray/Config.h"

using namespace nexustray;

namespace {

// "pattern=target" pairs -> a mapping for port 443.
QMap<int, PortMapping> mappingFor(int port, const QString& defaultTarget,
                                  const QStringList& hosts) {
    PortMapping mapping;
    mapping.defaultTarget = defaultTarget;
    for (const QString& pair : hosts) {
        const qsizetype eq = pair.indexOf(u'=');
        mapping.hosts.insert(pair.left(eq), pair.mid(eq + 1));
    }
    QMap<int, PortMapping> mappings;
    mappings.insert(port, mapping);
    return mappings;
}

} // namespace

class TestPortRouter : public QObject {
    Q_OBJECT

private slots:
    void resolve_data();
    void resolve();
    void unknownPortHasNoRoute();
    void emptyRouterHasNoRoute();
    void portsAreIndependent();
    void fromLoadedConfig();
    void routeCarriesProxyProtocol();
};

void TestPortRouter::resolve_data() {
    QTest::addColumn<QString>("defaultTarget");
    QTest::addColumn<QStringList>("hosts");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("expected"); // empty = no route

    // The resolution cases of config.md §5.
    QTest::newRow("default only") << "localhost:8080" << QStringList() << "app.example.com"
                                  << "localhost:8080";
    QTest::newRow("exact, upper case host")
        << "localhost:8080" << QStringList{"api.example.com=localhost:9090"} << "API.EXAMPLE.COM"
        << "localhost:9090";
    const QStringList wildcard{"*.example.com=localhost:7070"};
    QTest::newRow("wildcard one label") << "localhost:8080" << wildcard << "foo.example.com"
                                        << "localhost:7070";
    QTest::newRow("wildcard two labels -> default")
        << "localhost:8080" << wildcard << "foo.bar.example.com"
        << "localhost:8080";
    QTest::newRow("wildcard apex -> default") << "localhost:8080" << wildcard << "example.com"
                                              << "localhost:8080";
    QTest::newRow("only wildcard, unmatched") << "" << wildcard << "unmatched.test"
                                              << "";
    const QStringList exactApex{"example.com=localhost:5353"};
    QTest::newRow("tcp route key -> default") << "localhost:53" << exactApex << "tcp:53"
                                              << "localhost:53";
    QTest::newRow("udp route key -> default") << "localhost:53" << exactApex << "udp:53"
                                              << "localhost:53";

    // Precedence and normalisation beyond the Go table.
    QTest::newRow("empty host -> default") << "localhost:8080" << wildcard << ""
                                           << "localhost:8080";
    QTest::newRow("empty host, no default") << "" << wildcard << ""
                                            << "";
    QTest::newRow("blank host used raw -> default") << "localhost:8080" << wildcard << "   "
                                                    << "localhost:8080";
    QTest::newRow("exact beats wildcard")
        << "localhost:8080"
        << QStringList{"*.example.com=localhost:7070", "foo.example.com=localhost:9090"}
        << "foo.example.com"
        << "localhost:9090";
    QTest::newRow("longest suffix wins")
        << "localhost:8080"
        << QStringList{"*.example.com=localhost:7070", "*.b.example.com=localhost:7171"}
        << "a.b.example.com"
        << "localhost:7171";
    QTest::newRow("wildcard host normalised") << "" << wildcard << " Foo.Example.COM. "
                                              << "localhost:7070";
    QTest::newRow("idn host matches punycode key")
        << "" << QStringList{"xn--bcher-kva.example=localhost:1"} << "Bücher.example"
        << "localhost:1";
    QTest::newRow("unnormalised key in hand-built mapping")
        << "" << QStringList{"API.Example.com.=localhost:2"} << "api.example.com"
        << "localhost:2";
    QTest::newRow("idn wildcard key")
        << "" << QStringList{"*.Bücher.example=localhost:3"} << "shop.xn--bcher-kva.example"
        << "localhost:3";
    QTest::newRow("no default, exact miss")
        << "" << QStringList{"a.example.com=localhost:1"} << "b.example.com"
        << "";
    QTest::newRow("host with port falls to default")
        << "localhost:8080" << QStringList{"app.example.com=localhost:1"} << "app.example.com:443"
        << "localhost:8080";
    QTest::newRow("leading dot host does not hit wildcard")
        << "localhost:8080" << wildcard << ".example.com"
        << "localhost:8080";
}

void TestPortRouter::resolve() {
    QFETCH(QString, defaultTarget);
    QFETCH(QStringList, hosts);
    QFETCH(QString, host);
    QFETCH(QString, expected);
    const PortRouter router(mappingFor(443, defaultTarget, hosts));
    const std::optional<QString> target = router.resolve(443, host);
    if (expected.isEmpty()) {
        QVERIFY2(!target, qPrintable(target.value_or(QString())));
    } else {
        QVERIFY(target.has_value());
        QCOMPARE(*target, expected);
    }
}

void TestPortRouter::unknownPortHasNoRoute() {
    const PortRouter router(mappingFor(443, QStringLiteral("localhost:8443"), {}));
    QVERIFY(!router.resolve(80, QStringLiteral("app.example.com")));
    QVERIFY(!router.resolve(80, QString()));
}

void TestPortRouter::emptyRouterHasNoRoute() {
    const PortRouter router;
    QVERIFY(!router.resolve(443, QStringLiteral("app.example.com")));
}

void TestPortRouter::portsAreIndependent() {
    QMap<int, PortMapping> mappings =
        mappingFor(443, QString(), {"api.example.com=localhost:9443"});
    mappings.insert(80, mappingFor(80, QStringLiteral("localhost:8080"), {}).value(80));
    const PortRouter router(mappings);
    QCOMPARE(router.resolve(443, QStringLiteral("api.example.com")).value_or(QString()),
             QStringLiteral("localhost:9443"));
    QCOMPARE(router.resolve(80, QStringLiteral("api.example.com")).value_or(QString()),
             QStringLiteral("localhost:8080"));
    QVERIFY(!router.resolve(443, QStringLiteral("www.example.com")));
}

void TestPortRouter::fromLoadedConfig() {
    const QByteArray yaml = R"(backends:
  - name: edge
    hostnames: [api.example.com, "*.preview.example.com"]
    nexusAddresses: ["wss://hub.example.com/connect"]
    attestation: {hmacSecret: s3cret}
    portMappings:
      443:
        default: "localhost:8443"
        hosts:
          API.example.com: "localhost:9443"
          "*.preview.example.com": "localhost:10443"
      993: "localhost:993"
)";
    const ConfigLoadResult result = loadConfigText(yaml);
    QVERIFY(result.ok());
    const PortRouter router(result.config.backends.at(0).portMappings);
    QCOMPARE(router.resolve(443, QStringLiteral("api.example.com")).value_or(QString()),
             QStringLiteral("localhost:9443"));
    QCOMPARE(router.resolve(443, QStringLiteral("pr-7.preview.example.com")).value_or(QString()),
             QStringLiteral("localhost:10443"));
    QCOMPARE(router.resolve(443, QStringLiteral("example.com")).value_or(QString()),
             QStringLiteral("localhost:8443"));
    QCOMPARE(router.resolve(993, QStringLiteral("mail.example.com")).value_or(QString()),
             QStringLiteral("localhost:993"));
}

// Every route of a port carries its mapping's proxyProtocol: host overrides inherit it.
void TestPortRouter::routeCarriesProxyProtocol() {
    QMap<int, PortMapping> mappings =
        mappingFor(443, QStringLiteral("localhost:8443"),
                   {"api.example.com=localhost:9443", "*.preview.example.com=localhost:10443"});
    mappings[443].proxyProtocol = ProxyProtocol::V2;
    mappings.insert(80, mappingFor(80, QStringLiteral("localhost:8080"), {}).value(80));
    const PortRouter router(mappings);
    for (const char* host : {"api.example.com", "x.preview.example.com", "other.example.com"}) {
        const auto route = router.route(443, QString::fromLatin1(host));
        QVERIFY(route.has_value());
        QCOMPARE(route->proxyProtocol, ProxyProtocol::V2);
    }
    QCOMPARE(router.route(443, QStringLiteral("api.example.com"))->target,
             QStringLiteral("localhost:9443"));
    QCOMPARE(router.route(80, QStringLiteral("api.example.com"))->proxyProtocol,
             ProxyProtocol::None);
}

QTEST_GUILESS_MAIN(TestPortRouter)
#include "tst_portrouter.moc"
