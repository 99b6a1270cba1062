// Decoding rules of config.md §1: strict keys and types, Go's lenient numbers and booleans,
// duplicates, documents, and collecting every error with its backend.
#include <QTest>

#include "ConfigTestSupport.h"
#include "nexustray/Config.h"

using namespace nexustray;
using configtest::baseYaml;

class TestConfigDecoding : public QObject {
    Q_OBJECT

private slots:
    void refused_data();
    void refused();
    void integers_data();
    void integers();
    void booleans_data();
    void booleans();
    void scalarsAsStrings();
    void attestationFields();
    void nullValuesAreAbsent();
    void aliases();
    void onlyFirstDocument();
    void syntaxErrorHasLine();
    void allErrorsCollected();
    void typeErrorsDoNotCascade();
};

void TestConfigDecoding::refused_data() {
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("error");

    QTest::newRow("quoted int")
        << baseYaml({{"weight", "weight: \"2\""}}) << "backends[0].weight"
        << "backend 'edge': expected an integer, got the quoted string \"2\"";
    QTest::newRow("bool for int") << baseYaml({{"weight", "weight: true"}}) << "backends[0].weight"
                                  << "backend 'edge': expected an integer, got \"true\"";
    QTest::newRow("word for int") << baseYaml({{"weight", "weight: heavy"}}) << "backends[0].weight"
                                  << "backend 'edge': expected an integer, got \"heavy\"";
    QTest::newRow("list for int") << baseYaml({{"weight", "weight: [1]"}}) << "backends[0].weight"
                                  << "backend 'edge': expected an integer, got a list";
    QTest::newRow("int too large")
        << baseYaml({{"weight", "weight: 99999999999"}}) << "backends[0].weight"
        << "backend 'edge': expected an integer, got \"99999999999\"";
    QTest::newRow("quoted tcp port")
        << baseYaml({{"tcpPorts", "tcpPorts: [\"22\"]"}}) << "backends[0].tcpPorts[0]"
        << "backend 'edge': expected an integer, got the quoted "
           "string \"22\"";
    QTest::newRow("quoted port key")
        << baseYaml({{"portMappings", "portMappings: {\"443\": {default: \"localhost:1\"}}"}})
        << "backends[0].portMappings.443"
        << "backend 'edge': portMappings keys must be port numbers, got the quoted string \"443\"";
    QTest::newRow("word port key")
        << baseYaml({{"portMappings", "portMappings: {https: {default: \"localhost:1\"}}"}})
        << "backends[0].portMappings.https"
        << "backend 'edge': portMappings keys must be port numbers, got \"https\"";
    QTest::newRow("same port twice in two notations")
        << baseYaml({{"portMappings", "portMappings:\n  80: {default: \"localhost:1\"}\n  0x50: "
                                      "{default: \"localhost:2\"}"}})
        << "backends[0].portMappings.0x50"
        << "backend 'edge': port 80 is mapped twice (first at line 7)";
    QTest::newRow("string for mapping")
        << baseYaml({{"attestation", "attestation: \"x\""}}) << "backends[0].attestation"
        << "backend 'edge': expected a mapping, got the quoted string \"x\"";
    QTest::newRow("scalar for list")
        << baseYaml({{"hostnames", "hostnames: app.example.com"}}) << "backends[0].hostnames"
        << "backend 'edge': expected a list, got \"app.example.com\"";
    QTest::newRow("mapping for string")
        << baseYaml({{"name", "name: {first: edge}"}}) << "backends[0].name"
        << "backend #1: expected a string, got a mapping";
    QTest::newRow("quoted bool") << baseYaml({{"enabled", "enabled: \"true\""}})
                                 << "backends[0].enabled"
                                 << "backend 'edge': expected a boolean (true/false), got the "
                                    "quoted string \"true\"";
    QTest::newRow("number for bool")
        << baseYaml({{"healthChecks", "healthChecks: {enabled: 1}"}})
        << "backends[0].healthChecks.enabled"
        << "backend 'edge': expected a boolean (true/false), got \"1\"";
    QTest::newRow("udp route scalar")
        << baseYaml({{"udpRoutes", "udpRoutes: [53]"}}) << "backends[0].udpRoutes[0]"
        << "backend 'edge': expected a mapping, got \"53\"";
    QTest::newRow("port mapping list")
        << baseYaml({{"portMappings", "portMappings: {80: [localhost]}"}})
        << "backends[0].portMappings.80"
        << "backend 'edge': expected a mapping with default/hosts or a \"host:port\" string, "
           "got a list";
    QTest::newRow("hosts list") << baseYaml({{"portMappings",
                                              "portMappings: {80: {hosts: [a.example.com]}}"}})
                                << "backends[0].portMappings.80.hosts"
                                << "backend 'edge': expected a mapping, got a list";
    QTest::newRow("unknown attestation key")
        << baseYaml({{"attestation", "attestation: {hmacSecret: s, hmacsecret: t}"}})
        << "backends[0].attestation.hmacsecret"
        << "backend 'edge': unknown key \"hmacsecret\" (expected one of: command, args, env, "
           "timeoutSeconds, cacheHandshakeSeconds, hmacSecret, hmacSecretFile, hmacSecretKeyring, "
           "tokenTTLSeconds, "
           "handshakeMaxAgeSeconds, reauthIntervalSeconds, reauthGraceSeconds, "
           "maintenanceGraceCapSeconds, authorizerStatusUri, policyVersion, outboundAllowed, "
           "allowedOutboundPorts, tpm)";
    QTest::newRow("unknown healthChecks key")
        << baseYaml({{"healthChecks", "healthChecks: {interval: 5}"}})
        << "backends[0].healthChecks.interval"
        << "backend 'edge': unknown key \"interval\" (expected one of: enabled, "
           "inactivityTimeout, pongTimeout)";
    QTest::newRow("unknown flowControl key")
        << baseYaml({{"flowControl", "flowControl: {window: 5}"}})
        << "backends[0].flowControl.window"
        << "backend 'edge': unknown key \"window\" (expected one of: highWaterMark, "
           "lowWaterMark, maxBuffer)";
    QTest::newRow("unknown udp route key")
        << baseYaml({{"udpRoutes", "udpRoutes: [{port: 53, timeout: 5}]"}})
        << "backends[0].udpRoutes[0].timeout"
        << "backend 'edge': unknown key \"timeout\" (expected one of: port, "
           "flowIdleTimeoutSeconds)";
    QTest::newRow("duplicate env key")
        << baseYaml({{"attestation", "attestation:\n  command: tok\n  env:\n    A: 1\n    A: 2"}})
        << "backends[0].attestation.env.A"
        << "backend 'edge': mapping key \"A\" already defined at line 8";
    QTest::newRow("complex key") << baseYaml({{"weird", "? [a, b]\n: 1"}}) << "backends[0]"
                                 << "backend 'edge': mapping keys must be plain values, got a list";
    QTest::newRow("top level list") << QByteArray("- backends\n") << ""
                                    << "expected a mapping, got a list";
    QTest::newRow("top level scalar") << QByteArray("hello\n") << ""
                                      << "expected a mapping, got \"hello\"";
    QTest::newRow("unknown top level key")
        << QByteArray("backend: []\n") << "backend"
        << "unknown key \"backend\" (expected one of: backends, metrics)";
    QTest::newRow("backends mapping") << QByteArray("backends: {a: 1}\n") << "backends"
                                      << "expected a list, got a mapping";
    QTest::newRow("backend scalar") << QByteArray("backends: [edge]\n") << "backends[0]"
                                    << "backend #1: expected a mapping, got \"edge\"";
}

void TestConfigDecoding::refused() {
    QFETCH(QByteArray, yaml);
    QFETCH(QString, key);
    QFETCH(QString, error);
    const ConfigLoadResult result = loadConfigText(yaml);
    QVERIFY2(result.errors.size() == 1, qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.errors[0].message, error);
    QCOMPARE(result.errors[0].key, key);
    QVERIFY(result.errors[0].line > 0);
}

void TestConfigDecoding::integers_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("expected");
    QTest::newRow("hex") << "0x3c" << 60;
    QTest::newRow("float truncated") << "2.7" << 2;
    QTest::newRow("octal") << "0o10" << 8;
    QTest::newRow("underscore") << "1_0" << 10;
    QTest::newRow("explicit int tag on a quoted value") << "!!int \"7\"" << 7;
}

void TestConfigDecoding::integers() {
    QFETCH(QString, text);
    QFETCH(int, expected);
    const ConfigLoadResult result = loadConfigText(
        baseYaml({{"attestation", "attestation: {hmacSecret: s, timeoutSeconds: " + text + "}"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.backends[0].attestation.timeoutSeconds, expected);
}

void TestConfigDecoding::booleans_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("expected");
    for (const char* t : {"true", "True", "yes", "Yes", "on", "ON", "y"})
        QTest::newRow(t) << t << true;
    for (const char* f : {"false", "FALSE", "no", "off", "Off", "n"})
        QTest::newRow(f) << f << false;
}

void TestConfigDecoding::booleans() {
    QFETCH(QString, text);
    QFETCH(bool, expected);
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"healthChecks", "healthChecks: {enabled: " + text + "}"},
                                 {"enabled", "enabled: " + text}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.backends[0].healthChecks.enabled, expected);
    QCOMPARE(result.config.backends[0].enabled, expected);
}

void TestConfigDecoding::scalarsAsStrings() {
    // Go decodes any scalar into a string field.
    const ConfigLoadResult result = loadConfigText(
        baseYaml({{"name", "name: 123"},
                  {"attestation",
                   "attestation: {hmacSecret: s, policyVersion: 2, authorizerStatusUri: true}"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.backends[0].name, QStringLiteral("123"));
    QCOMPARE(result.config.backends[0].attestation.policyVersion, QStringLiteral("2"));
    QCOMPARE(result.config.backends[0].attestation.authorizerStatusUri, QStringLiteral("true"));
}

void TestConfigDecoding::attestationFields() {
    const QByteArray yaml = R"(backends:
  - name: edge
    hostnames: [app.example.com]
    nexusAddresses: ["wss://hub.example.com/connect"]
    socks5ListenAddr: "127.0.0.1:1080"
    attestation:
      command: "  /usr/local/bin/token  "
      args: [--stage, "two words"]
      env: {AUDIENCE: nexus, EMPTY: }
      timeoutSeconds: 0
      cacheHandshakeSeconds: 120
      hmacSecret: "  s3cret  "
      hmacSecretFile: "  /nonexistent/secret  "
      tokenTTLSeconds: 0
      handshakeMaxAgeSeconds: 1
      reauthIntervalSeconds: 2
      reauthGraceSeconds: 3
      maintenanceGraceCapSeconds: 4
      authorizerStatusUri: " https://auth.example.com/status "
      policyVersion: " v7 "
      outboundAllowed: yes
      allowedOutboundPorts: [443, 70000]
    portMappings: {443: {default: "localhost:8443"}}
)";
    const ConfigLoadResult result = loadConfigText(yaml);
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    const AttestationConfig& a = result.config.backends[0].attestation;
    QCOMPARE(a.command, QStringLiteral("  /usr/local/bin/token  ")); // used as written
    QVERIFY(a.usesCommand());
    QCOMPARE(a.args, (QStringList{QStringLiteral("--stage"), QStringLiteral("two words")}));
    QCOMPARE(a.env.value(QStringLiteral("AUDIENCE")), QStringLiteral("nexus"));
    QVERIFY(a.env.contains(QStringLiteral("EMPTY")));
    QCOMPARE(a.timeoutSeconds, 15);
    QCOMPARE(a.cacheHandshakeSeconds, 120);
    QCOMPARE(a.hmacSecret, QStringLiteral("s3cret"));
    QCOMPARE(a.hmacSecretFile, QStringLiteral("/nonexistent/secret")); // not read at load
    QCOMPARE(a.tokenTTLSeconds, 30);
    QCOMPARE(a.handshakeMaxAgeSeconds, 1);
    QCOMPARE(a.reauthIntervalSeconds, 2);
    QCOMPARE(a.reauthGraceSeconds, 3);
    QCOMPARE(a.maintenanceGraceCapSeconds, 4);
    QCOMPARE(a.authorizerStatusUri, QStringLiteral("https://auth.example.com/status"));
    QCOMPARE(a.policyVersion, QStringLiteral("v7"));
    QVERIFY(a.outboundAllowed);
    QCOMPARE(a.allowedOutboundPorts, (QList<int>{443, 70000})); // not range-checked
    QCOMPARE(result.config.backends[0].socks5ListenAddr, QStringLiteral("127.0.0.1:1080"));
}

void TestConfigDecoding::nullValuesAreAbsent() {
    const ConfigLoadResult result = loadConfigText(baseYaml({{"tcpPorts", "tcpPorts:"},
                                                             {"weight", "weight: ~"},
                                                             {"flowControl", "flowControl:"},
                                                             {"healthChecks", "healthChecks: null"},
                                                             {"tls", "tls:"},
                                                             {"enabled", "enabled:"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    const BackendConfig& b = result.config.backends[0];
    QVERIFY(b.tcpPorts.isEmpty());
    QCOMPARE(b.weight, 1);
    QCOMPARE(b.flowControl.maxBuffer, 64);
    QVERIFY(b.enabled);
}

void TestConfigDecoding::aliases() {
    const QByteArray yaml = R"(backends:
  - name: one
    hostnames: [one.example.com]
    nexusAddresses: ["wss://hub.example.com/connect"]
    attestation: &att {hmacSecret: shared}
    portMappings: &ports {443: {default: "localhost:8443"}}
  - name: two
    hostnames: [two.example.com]
    nexusAddresses: ["wss://hub.example.com/connect"]
    attestation: *att
    portMappings: *ports
)";
    const ConfigLoadResult result = loadConfigText(yaml);
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.backends.size(), 2);
    QCOMPARE(result.config.backends[1].attestation.hmacSecret, QStringLiteral("shared"));
    QCOMPARE(result.config.backends[1].portMappings.value(443).defaultTarget,
             QStringLiteral("localhost:8443"));
}

void TestConfigDecoding::onlyFirstDocument() {
    ConfigLoadResult result = loadConfigText(baseYaml() + "---\nbackends: []\n");
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.backends.size(), 1);
    result = loadConfigText(baseYaml() + "---\nnot: [valid\n");
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    result = loadConfigText("---\n" + baseYaml() + "...\n---\nsecond: doc\n");
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
}

void TestConfigDecoding::syntaxErrorHasLine() {
    const ConfigLoadResult result =
        loadConfigText("backends:\n  - name: edge\n    hostnames: [a, b\n    weight: 1\n",
                       QStringLiteral("broken.yaml"));
    QCOMPARE(result.errors.size(), 1);
    QVERIFY(result.errors[0].message.startsWith(QStringLiteral("YAML syntax error: ")));
    QCOMPARE(result.errors[0].file, QStringLiteral("broken.yaml"));
    QVERIFY(result.errors[0].line >= 3);
    QVERIFY(result.config.backends.isEmpty());
}

void TestConfigDecoding::allErrorsCollected() {
    const QByteArray yaml = R"(backends:
  - hostnames: [a.example.com]
    nexusAddresses: ["wss://hub.example.com/connect"]
    attestation: {hmacSecret: s}
    portMappings: {80: {default: "localhost:80"}}
  - name: b2
    hostnames: [b.example.com]
    tcpPorts: [0]
    nexusAddresses: ["wss://hub.example.com/connect"]
    portMappings: {80: {default: "localhost:80"}}
    flowControl: {lowWaterMark: 60}
)";
    const ConfigLoadResult result = loadConfigText(yaml);
    QStringList messages;
    for (const ConfigIssue& issue : result.errors)
        messages << issue.message;
    QCOMPARE(
        messages,
        (QStringList{QStringLiteral("backend #1: name is required"),
                     QStringLiteral("backend 'b2': invalid TCP port 0 (must be 1-65535)"),
                     QStringLiteral(
                         "backend 'b2': attestation requires either command or hmacSecret(/File)"),
                     QStringLiteral("backend 'b2': flowControl.lowWaterMark (60) must be less than "
                                    "highWaterMark (48)")}));
    QCOMPARE(result.errors[0].key, QStringLiteral("backends[0].name"));
    QCOMPARE(result.errors[0].line, 2); // the backend itself: there is no name key
}

void TestConfigDecoding::typeErrorsDoNotCascade() {
    // A bad tcpPorts value must not also trigger the route rule; a bad attestation value not
    // the "requires either" error.
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"hostnames", ""},
                                 {"tcpPorts", "tcpPorts: \"22\""},
                                 {"attestation", "attestation: {hmacSecret: [s]}"}}));
    QStringList messages;
    for (const ConfigIssue& issue : result.errors)
        messages << issue.message;
    QCOMPARE(messages,
             (QStringList{QStringLiteral("backend 'edge': expected a list, got the "
                                         "quoted string \"22\""),
                          QStringLiteral("backend 'edge': expected a string, got a list")}));
}

QTEST_GUILESS_MAIN(TestConfigDecoding)
#include "tst_configdecoding.moc"
