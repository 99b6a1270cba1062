// The load cases #1-#35 of config.md §8, each a change from the "base" backend.
#include <QTest>

#include "ConfigTestSupport.h"
#include "nexustray/Config.h"

using namespace nexustray;
using configtest::baseYaml;
using configtest::Change;

namespace {

const QString kAttestationRequired =
    QStringLiteral("backend 'edge': attestation requires either command or hmacSecret(/File)");

BackendConfig loadSingle(const QByteArray& yaml) {
    const ConfigLoadResult result = loadConfigText(yaml);
    if (!result.ok())
        qWarning("unexpected errors: %s", qPrintable(configtest::describe(result.errors)));
    return result.config.backends.value(0);
}

} // namespace

class TestConfigCases : public QObject {
    Q_OBJECT

private slots:
    void table_data();
    void table();

    void case01Defaults();
    void case05SecretTrimmed();
    void case08PortOnly();
    void case09UdpTimeouts();
    void case17TcpDeduplicated();
    void case18Warning();
    void case19HostnamesDeduplicated();
    void case20LegacyHostname();
    void case23Weight_data();
    void case23Weight();
    void case26PlainStringMapping();
    void case30FlowControl();
    void case31HealthDefaults();
    void case32HealthUntouched();
};

void TestConfigCases::table_data() {
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("error"); // the only error expected; empty = accepted

    QTest::newRow("#1 base") << baseYaml() << QString();
    QTest::newRow("#2 command") << baseYaml(
                                       {{"attestation", "attestation: {command: /usr/bin/true}"}})
                                << QString();
    QTest::newRow("#3 no attestation") << baseYaml({{"attestation", ""}}) << kAttestationRequired;
    QTest::newRow("#3 null attestation")
        << baseYaml({{"attestation", "attestation:"}}) << kAttestationRequired;
    QTest::newRow("#4 blank secret")
        << baseYaml({{"attestation", "attestation: {hmacSecret: \"   \"}"}})
        << kAttestationRequired;
    QTest::newRow("#5 secret") << baseYaml({{"attestation",
                                             "attestation: {hmacSecret: \"top-secret\"}"}})
                               << QString();
    QTest::newRow("#6 hostnames in port mapping")
        << baseYaml({{"portMappings", "portMappings: {80: {hostnames: [a.example.com]}}"}})
        << "backend 'edge': unknown key \"hostnames\" (expected one of: default, hosts, proxyProtocol)";
    QTest::newRow("#7 unknown backend key")
        << baseYaml({{"authToken", "authToken: abc"}})
        << "backend 'edge': unknown key \"authToken\" (expected one of: name, hostnames, "
           "hostname, tcpPorts, udpRoutes, nexusAddresses, weight, attestation, portMappings, "
           "healthChecks, flowControl, socks5ListenAddr, socks5Username, socks5PasswordFile, "
           "enabled, tls, proxy)";
    QTest::newRow("#8 tcp only")
        << baseYaml({{"hostnames", ""},
                     {"tcpPorts", "tcpPorts: [22, 443]"},
                     {"portMappings", "portMappings: {22: {default: \"localhost:22\"}, 443: "
                                      "{default: \"localhost:443\"}}"}})
        << QString();
    QTest::newRow("#9 udp only")
        << baseYaml(
               {{"hostnames", ""},
                {"udpRoutes", "udpRoutes: [{port: 53, flowIdleTimeoutSeconds: 30}, {port: 67}]"},
                {"portMappings", "portMappings: {53: {default: \"localhost:53\"}, 67: "
                                 "{default: \"localhost:67\"}}"}})
        << QString();
    QTest::newRow("#10 hostnames + tcp + udp")
        << baseYaml({{"tcpPorts", "tcpPorts: [443]"}, {"udpRoutes", "udpRoutes: [{port: 53}]"}})
        << QString();
    const QString routeRule =
        QStringLiteral("backend 'edge': at least one hostname, tcpPort, or udpRoute is required");
    QTest::newRow("#11 no routes") << baseYaml({{"hostnames", ""}}) << routeRule;
    QTest::newRow("#11 empty hostnames") << baseYaml({{"hostnames", "hostnames: []"}}) << routeRule;
    QTest::newRow("#11 empty lists") << baseYaml({{"hostnames", "hostnames: []"},
                                                  {"tcpPorts", "tcpPorts: []"},
                                                  {"udpRoutes", "udpRoutes: []"}})
                                     << routeRule;
    QTest::newRow("#12 tcp route key")
        << baseYaml({{"hostnames", "hostnames: [\"tcp:53\"]"}})
        << "backend 'edge': invalid hostname 'tcp:53' (cannot use route key format)";
    QTest::newRow("#12 udp route key")
        << baseYaml({{"hostnames", "hostnames: [\"udp:53\"]"}})
        << "backend 'edge': invalid hostname 'udp:53' (cannot use route key format)";
    QTest::newRow("#13 tcp port 0") << baseYaml({{"tcpPorts", "tcpPorts: [0]"}})
                                    << "backend 'edge': invalid TCP port 0 (must be 1-65535)";
    QTest::newRow("#13 tcp port 70000")
        << baseYaml({{"tcpPorts", "tcpPorts: [70000]"}})
        << "backend 'edge': invalid TCP port 70000 (must be 1-65535)";
    QTest::newRow("#14 udp port 0") << baseYaml({{"udpRoutes", "udpRoutes: [{port: 0}]"}})
                                    << "backend 'edge': invalid UDP port 0";
    QTest::newRow("#14 udp port missing")
        << baseYaml({{"udpRoutes", "udpRoutes: [{flowIdleTimeoutSeconds: 5}]"}})
        << "backend 'edge': invalid UDP port 0";
    QTest::newRow("#15 negative udp timeout")
        << baseYaml({{"udpRoutes", "udpRoutes: [{port: 53, flowIdleTimeoutSeconds: -1}]"}})
        << "backend 'edge': udpRoutes[0].flowIdleTimeoutSeconds cannot be negative";
    QTest::newRow("#16 duplicate udp port")
        << baseYaml({{"udpRoutes", "udpRoutes: [{port: 53}, {port: 53}]"}})
        << "backend 'edge': duplicate UDP port 53 in udpRoutes";
    QTest::newRow("#17 tcp duplicates")
        << baseYaml({{"tcpPorts", "tcpPorts: [22, 80, 22, 443, 80]"}}) << QString();
    QTest::newRow("#18 tcp port without mapping")
        << baseYaml({{"tcpPorts", "tcpPorts: [443]"}}) << QString();
    QTest::newRow("#19 hostname duplicates")
        << baseYaml({{"hostnames", "hostnames: [\"App.Example.COM.\", \"app.example.com\"]"}})
        << QString();
    QTest::newRow("#20 legacy hostname")
        << baseYaml({{"hostnames", ""}, {"hostname", "hostname: legacy.example.com"}}) << QString();
    QTest::newRow("#21 blank hostname") << baseYaml({{"hostnames", "hostnames: [\"  \"]"}})
                                        << "backend 'edge': invalid hostname '  '";
    QTest::newRow("#22 empty nexusAddresses")
        << baseYaml({{"nexusAddresses", "nexusAddresses: []"}})
        << "backend 'edge': nexusAddresses is required";
    QTest::newRow("#22 missing nexusAddresses")
        << baseYaml({{"nexusAddresses", ""}}) << "backend 'edge': nexusAddresses is required";
    QTest::newRow("#23 weight 0") << baseYaml({{"weight", "weight: 0"}}) << QString();
    QTest::newRow("#23 weight -3") << baseYaml({{"weight", "weight: -3"}}) << QString();
    const QString noMapping =
        QStringLiteral("backend 'edge': at least one portMapping is required");
    QTest::newRow("#24 missing portMappings") << baseYaml({{"portMappings", ""}}) << noMapping;
    QTest::newRow("#24 empty portMappings")
        << baseYaml({{"portMappings", "portMappings: {}"}}) << noMapping;
    const QString mustSpecify = QStringLiteral(
        "backend 'edge': port 80: port mapping must specify a default or host overrides");
    QTest::newRow("#25 empty hosts")
        << baseYaml({{"portMappings", "portMappings: {80: {hosts: {}}}"}}) << mustSpecify;
    QTest::newRow("#25 blank default")
        << baseYaml({{"portMappings", "portMappings: {80: {default: \"  \"}}"}}) << mustSpecify;
    QTest::newRow("#25 null mapping")
        << baseYaml({{"portMappings", "portMappings: {80: }"}}) << mustSpecify;
    QTest::newRow("#25 blank plain string")
        << baseYaml({{"portMappings", "portMappings: {80: \" \"}"}}) << mustSpecify;
    QTest::newRow("#26 plain string mapping (nexus-tray accepts)")
        << baseYaml({{"portMappings", "portMappings: {80: \"localhost:80\"}"}}) << QString();
    for (const char* key :
         {"timeoutSeconds", "cacheHandshakeSeconds", "tokenTTLSeconds", "handshakeMaxAgeSeconds",
          "reauthIntervalSeconds", "reauthGraceSeconds", "maintenanceGraceCapSeconds"}) {
        QTest::addRow("#27 %s = -1", key)
            << baseYaml({{"attestation",
                          QStringLiteral("attestation: {hmacSecret: s3cret, %1: -1}").arg(key)}})
            << QStringLiteral("backend 'edge': attestation.%1 cannot be negative").arg(key);
    }
    QTest::newRow("#28 high >= default max")
        << baseYaml({{"flowControl", "flowControl: {highWaterMark: 100}"}})
        << "backend 'edge': flowControl.highWaterMark (100) must be less than maxBuffer (64)";
    QTest::newRow("#29 low >= default high")
        << baseYaml({{"flowControl", "flowControl: {lowWaterMark: 48}"}})
        << "backend 'edge': flowControl.lowWaterMark (48) must be less than highWaterMark (48)";
    QTest::newRow("#30 custom flow control")
        << baseYaml({{"flowControl",
                      "flowControl: {lowWaterMark: 8, highWaterMark: 32, maxBuffer: 40}"}})
        << QString();
    QTest::newRow("#31 health checks enabled")
        << baseYaml({{"healthChecks", "healthChecks: {enabled: true}"}}) << QString();
    QTest::newRow("#32 health checks disabled, negative")
        << baseYaml({{"healthChecks", "healthChecks: {inactivityTimeout: -5}"}}) << QString();
    QTest::newRow("#33 empty override target")
        << baseYaml({{"portMappings", "portMappings: {80: {default: \"localhost:8080\", hosts: "
                                      "{api.example.com: \"\"}}}"}})
        << "backend 'edge': port 80: port mapping override 'api.example.com' has empty target";
    QTest::newRow("#34 empty file") << QByteArray() << "config file is empty (nothing to decode)";
    QTest::newRow("#34 comments only") << QByteArray("# nothing here\n\n   # still nothing\n")
                                       << "config file is empty (nothing to decode)";
    QTest::newRow("#35 duplicate backend key")
        << baseYaml({{"weight", "weight: 2\nweight: 3"}})
        << "backend 'edge': mapping key \"weight\" already defined at line 7";
    QTest::newRow("#35 duplicate port key")
        << baseYaml({{"portMappings",
                      "portMappings:\n  80: {default: \"localhost:8080\"}\n  80: {default: "
                      "\"localhost:8081\"}"}})
        << "backend 'edge': mapping key \"80\" already defined at line 7";
    QTest::newRow("#35 duplicate top-level key")
        << QByteArray(baseYaml() + "backends: []\n")
        << "mapping key \"backends\" already defined at line 1";
    QTest::newRow("no backends") << QByteArray("backends: []\n") << "no backends defined in config";
    QTest::newRow("backends null") << QByteArray("backends:\n") << "no backends defined in config";
    QTest::newRow("null document") << QByteArray("---\n") << "no backends defined in config";
}

void TestConfigCases::table() {
    QFETCH(QByteArray, yaml);
    QFETCH(QString, error);
    const ConfigLoadResult result = loadConfigText(yaml, QStringLiteral("config.yaml"));
    if (error.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
        QCOMPARE(result.config.backends.size(), 1);
        return;
    }
    QVERIFY2(!result.ok(), "accepted, expected refusal");
    QVERIFY2(result.errors.size() == 1, qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.errors.first().message, error);
    QCOMPARE(result.errors.first().file, QStringLiteral("config.yaml"));
}

void TestConfigCases::case01Defaults() {
    const BackendConfig b = loadSingle(baseYaml());
    QCOMPARE(b.name, QStringLiteral("edge"));
    QVERIFY(b.enabled);
    QCOMPARE(b.hostnames, QStringList{QStringLiteral("app.example.com")});
    QCOMPARE(b.nexusAddresses, QStringList{QStringLiteral("wss://hub.example.com/connect")});
    QCOMPARE(b.weight, 1);
    QCOMPARE(b.attestation.tokenTTLSeconds, 30);
    QCOMPARE(b.attestation.timeoutSeconds, 15);
    QCOMPARE(b.attestation.cacheHandshakeSeconds, 0);
    QCOMPARE(b.attestation.hmacSecret, QStringLiteral("s3cret"));
    QVERIFY(!b.attestation.usesCommand());
    QCOMPARE(b.flowControl.highWaterMark, 48);
    QCOMPARE(b.flowControl.lowWaterMark, 16);
    QCOMPARE(b.flowControl.maxBuffer, 64);
    QVERIFY(!b.healthChecks.enabled);
    QCOMPARE(b.portMappings.size(), 1);
    QCOMPARE(b.portMappings.value(80).defaultTarget, QStringLiteral("localhost:8080"));
    QVERIFY(b.portMappings.value(80).hosts.isEmpty());
    QVERIFY(b.tls.caFile.isEmpty());
    QCOMPARE(b.line, 2);
}

void TestConfigCases::case05SecretTrimmed() {
    const BackendConfig b =
        loadSingle(baseYaml({{"attestation", "attestation: {hmacSecret: \"  top-secret \"}"}}));
    QCOMPARE(b.attestation.hmacSecret, QStringLiteral("top-secret"));
}

void TestConfigCases::case08PortOnly() {
    const BackendConfig b = loadSingle(baseYaml(
        {{"hostnames", ""},
         {"tcpPorts", "tcpPorts: [22, 443]"},
         {"portMappings",
          "portMappings: {22: {default: \"localhost:22\"}, 443: {default: \"localhost:443\"}}"}}));
    QCOMPARE(b.tcpPorts, (QList<int>{22, 443}));
    QVERIFY(b.hostnames.isEmpty());
}

void TestConfigCases::case09UdpTimeouts() {
    const BackendConfig b = loadSingle(
        baseYaml({{"hostnames", ""},
                  {"udpRoutes", "udpRoutes: [{port: 53, flowIdleTimeoutSeconds: 30}, {port: 67}, "
                                "{port: 68, flowIdleTimeoutSeconds: 0}]"},
                  {"portMappings", "portMappings: {53: {default: \"localhost:53\"}, 67: {default: "
                                   "\"localhost:67\"}, 68: {default: \"localhost:68\"}}"}}));
    QCOMPARE(b.udpRoutes.size(), 3);
    QCOMPARE(b.udpRoutes[0].port, 53);
    QCOMPARE(b.udpRoutes[0].flowIdleTimeoutSeconds, std::optional<int>(30));
    QCOMPARE(b.udpRoutes[1].port, 67);
    QVERIFY(!b.udpRoutes[1].flowIdleTimeoutSeconds.has_value()); // absent != 0
    QCOMPARE(b.udpRoutes[2].flowIdleTimeoutSeconds, std::optional<int>(0));
}

void TestConfigCases::case17TcpDeduplicated() {
    const BackendConfig b = loadSingle(baseYaml({{"tcpPorts", "tcpPorts: [22, 80, 22, 443, 80]"}}));
    QCOMPARE(b.tcpPorts, (QList<int>{22, 80, 443}));
}

void TestConfigCases::case18Warning() {
    const ConfigLoadResult result = loadConfigText(baseYaml({{"tcpPorts", "tcpPorts: [443]"}}));
    QVERIFY(result.ok());
    QCOMPARE(result.warnings.size(), 1);
    QCOMPARE(result.warnings[0].key, QStringLiteral("backends[0].tcpPorts[0]"));
    QVERIFY2(result.warnings[0].message.startsWith(
                 QStringLiteral("backend 'edge': tcpPorts: port 443 has no portMappings entry")),
             qPrintable(result.warnings[0].message));
}

void TestConfigCases::case19HostnamesDeduplicated() {
    const BackendConfig b =
        loadSingle(baseYaml({{"hostnames", "hostnames: [\"App.Example.COM.\", \"app.example.com\", "
                                           "\"b.example.com\", \"B.example.com\"]"}}));
    QCOMPARE(b.hostnames,
             (QStringList{QStringLiteral("app.example.com"), QStringLiteral("b.example.com")}));
}

void TestConfigCases::case20LegacyHostname() {
    BackendConfig b =
        loadSingle(baseYaml({{"hostnames", ""}, {"hostname", "hostname: Legacy.Example.com"}}));
    QCOMPARE(b.hostnames, QStringList{QStringLiteral("legacy.example.com")});
    // Ignored when hostnames is non-empty.
    b = loadSingle(baseYaml({{"hostname", "hostname: legacy.example.com"}}));
    QCOMPARE(b.hostnames, QStringList{QStringLiteral("app.example.com")});
    // ... so even a bad legacy name is not looked at then.
    b = loadSingle(baseYaml({{"hostname", "hostname: \"tcp:53\""}}));
    QCOMPARE(b.hostnames, QStringList{QStringLiteral("app.example.com")});
}

void TestConfigCases::case23Weight_data() {
    QTest::addColumn<QString>("weight");
    QTest::addColumn<int>("expected");
    QTest::newRow("0") << "0" << 1;
    QTest::newRow("-3") << "-3" << 1;
    QTest::newRow("5") << "5" << 5;
    QTest::newRow("null") << "" << 1;
}

void TestConfigCases::case23Weight() {
    QFETCH(QString, weight);
    QFETCH(int, expected);
    QCOMPARE(loadSingle(baseYaml({{"weight", "weight: " + weight}})).weight, expected);
}

void TestConfigCases::case26PlainStringMapping() {
    const BackendConfig b =
        loadSingle(baseYaml({{"portMappings", "portMappings: {80: \" localhost:80 \"}"}}));
    QCOMPARE(b.portMappings.value(80).defaultTarget, QStringLiteral("localhost:80"));
    QVERIFY(b.portMappings.value(80).hosts.isEmpty());
}

void TestConfigCases::case30FlowControl() {
    const BackendConfig b = loadSingle(baseYaml(
        {{"flowControl", "flowControl: {lowWaterMark: 8, highWaterMark: 32, maxBuffer: 40}"}}));
    QCOMPARE(b.flowControl.lowWaterMark, 8);
    QCOMPARE(b.flowControl.highWaterMark, 32);
    QCOMPARE(b.flowControl.maxBuffer, 40);
    // Values <= 0 take their default before the ordering check.
    const BackendConfig d = loadSingle(baseYaml(
        {{"flowControl", "flowControl: {lowWaterMark: 0, highWaterMark: -1, maxBuffer: 0}"}}));
    QCOMPARE(d.flowControl.lowWaterMark, 16);
    QCOMPARE(d.flowControl.highWaterMark, 48);
    QCOMPARE(d.flowControl.maxBuffer, 64);
}

void TestConfigCases::case31HealthDefaults() {
    BackendConfig b = loadSingle(baseYaml({{"healthChecks", "healthChecks: {enabled: true}"}}));
    QVERIFY(b.healthChecks.enabled);
    QCOMPARE(b.healthChecks.inactivityTimeoutSeconds, 60);
    QCOMPARE(b.healthChecks.pongTimeoutSeconds, 5);
    b = loadSingle(
        baseYaml({{"healthChecks",
                   "healthChecks: {enabled: true, inactivityTimeout: -1, pongTimeout: 9}"}}));
    QCOMPARE(b.healthChecks.inactivityTimeoutSeconds, 60);
    QCOMPARE(b.healthChecks.pongTimeoutSeconds, 9);
}

void TestConfigCases::case32HealthUntouched() {
    const BackendConfig b =
        loadSingle(baseYaml({{"healthChecks", "healthChecks: {inactivityTimeout: -5}"}}));
    QVERIFY(!b.healthChecks.enabled);
    QCOMPARE(b.healthChecks.inactivityTimeoutSeconds, -5);
    QCOMPARE(b.healthChecks.pongTimeoutSeconds, 0);
}

QTEST_GUILESS_MAIN(TestConfigCases)
#include "tst_configcases.moc"
