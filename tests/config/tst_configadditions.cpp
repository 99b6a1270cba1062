// nexus-tray's own config decisions (config.md §9), warnings, issue locations and file loading.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "ConfigTestSupport.h"
#include "TestCa.h"
#include "nexustray/Config.h"

using namespace nexustray;
using configtest::baseYaml;

namespace {

QStringList messages(const QList<ConfigIssue>& issues) {
    QStringList out;
    for (const ConfigIssue& issue : issues)
        out << issue.message;
    return out;
}

bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

} // namespace

class TestConfigAdditions : public QObject {
    Q_OBJECT

private slots:
    void seedExample();
    void enabledFlag_data();
    void enabledFlag();
    void tlsBlock();
    void tlsErrors_data();
    void tlsErrors();
    void proxyKey_data();
    void proxyKey();
    void caFileProblems_data();
    void caFileProblems();
    void timeoutBound_data();
    void timeoutBound();
    void hostnameValidity_data();
    void hostnameValidity();
    void hostPatterns_data();
    void hostPatterns();
    void duplicateNormalisedHosts();
    void udpWarning();
    void secretFileWarning();
    void plainWebSocketWarning_data();
    void plainWebSocketWarning();
    void locations();
    void issueToString_data();
    void issueToString();
    void fileNotFound();
    void directoryIsNotAFile();
    void loadFromFile();
    void exampleConfigLoads();
    void tpmForm();
    void tpmDefaults();
    void tpmErrors_data();
    void tpmErrors();
    void tpmCaFileUnreadable();
    void keyringForm();
    void keyringErrors_data();
    void keyringErrors();
};

void TestConfigAdditions::seedExample() {
    // The seed README's example: the old plain-string mapping next to the structured one.
    const QByteArray yaml = R"(backends:
  - name: "mail-and-web"
    hostnames: ["mail.example.com", "www.example.com"]
    nexusAddresses:
      - "wss://nexus1.example.com:8443/connect"
      - "wss://nexus2.example.com:8443/connect"
    weight: 2
    attestation:
      command: "/usr/local/bin/nexus-attest"
      timeoutSeconds: 10
    portMappings:
      993: "localhost:993"
      443:
        default: "localhost:8443"
        hosts:
          api.example.com: "localhost:9443"
          "*.preview.example.com": "localhost:10443"
)";
    const ConfigLoadResult result = loadConfigText(yaml);
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QVERIFY(result.warnings.isEmpty());
    const BackendConfig& b = result.config.backends[0];
    QCOMPARE(b.nexusAddresses.size(), 2);
    QCOMPARE(b.weight, 2);
    QCOMPARE(b.portMappings.value(993).defaultTarget, QStringLiteral("localhost:993"));
    QVERIFY(b.portMappings.value(993).hosts.isEmpty());
    QCOMPARE(b.portMappings.value(443).hosts.value(QStringLiteral("*.preview.example.com")),
             QStringLiteral("localhost:10443"));
    QCOMPARE(b.portMappings.value(443).hosts.value(QStringLiteral("api.example.com")),
             QStringLiteral("localhost:9443"));
}

void TestConfigAdditions::enabledFlag_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<bool>("enabled");
    QTest::newRow("default") << "" << true;
    QTest::newRow("true") << "enabled: true" << true;
    QTest::newRow("false") << "enabled: false" << false;
    QTest::newRow("no") << "enabled: no" << false;
    QTest::newRow("on") << "enabled: on" << true;
}

void TestConfigAdditions::enabledFlag() {
    QFETCH(QString, line);
    QFETCH(bool, enabled);
    const ConfigLoadResult result = loadConfigText(baseYaml({{"enabled", line}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.backends[0].enabled, enabled);
}

void TestConfigAdditions::tlsBlock() {
    test::TestCa ca;
    QVERIFY2(ca.isValid(), qPrintable(ca.error()));
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"tls", "tls: {caFile: \" " + ca.caPemPath() + " \"}"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.backends[0].tls.caFile, ca.caPemPath());
    QVERIFY(result.warnings.isEmpty());
}

void TestConfigAdditions::caFileProblems_data() {
    QTest::addColumn<QString>("name"); // inside a temporary directory
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing") << "absent.pem" << QByteArray() << "no such file";
    QTest::newRow("directory") << "dir" << QByteArray() << "not a regular file";
    QTest::newRow("empty") << "empty.pem" << QByteArray("") << "contains no PEM certificate";
    QTest::newRow("not PEM") << "junk.pem" << QByteArray("not a certificate\n")
                             << "contains no PEM certificate";
    QTest::newRow("unreadable") << "secret.pem" << QByteArray("x") << "cannot be read";
}

void TestConfigAdditions::caFileProblems() {
    // A caFile that cannot be used is a load error naming file, line and key (it used to be
    // ignored, and the backend then failed TLS at every dial).
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString caPath = dir.filePath(name);
    if (name == QLatin1String("dir"))
        QVERIFY(QDir(dir.path()).mkdir(name));
    else if (name != QLatin1String("absent.pem"))
        QVERIFY(writeFile(caPath, content));
    if (name == QLatin1String("secret.pem")) {
        QVERIFY(QFile::setPermissions(caPath, QFile::WriteOwner));
        QFile probe(caPath);
        if (probe.open(QIODevice::ReadOnly))
            QSKIP("running with privileges that read any file (root)");
    }
    const QString configPath = dir.filePath(QStringLiteral("config.yaml"));
    QVERIFY(writeFile(configPath, baseYaml({{"tls", "tls:\n  caFile: \"" + caPath + "\""}})));
    const ConfigLoadResult result = loadConfigFile(configPath);
    QCOMPARE(result.errors.size(), 1);
    const ConfigIssue& issue = result.errors[0];
    QCOMPARE(issue.file, configPath);
    QCOMPARE(issue.line, 8);
    QCOMPARE(issue.key, QStringLiteral("backends[0].tls.caFile"));
    QVERIFY2(issue.message.startsWith(
                 QStringLiteral("backend 'edge': tls.caFile '%1': %2").arg(caPath, reason)),
             qPrintable(issue.message));
}

void TestConfigAdditions::timeoutBound_data() {
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("ok");
    QTest::newRow("one day") << "86400" << true;
    QTest::newRow("one day + 1") << "86401" << false;
    QTest::newRow("int overflow in ms") << "2147484" << false;
    QTest::newRow("int max") << "2147483647" << false;
}

void TestConfigAdditions::timeoutBound() {
    // The limit becomes a millisecond timer: seconds * 1000 must not wrap around.
    QFETCH(QString, value);
    QFETCH(bool, ok);
    const ConfigLoadResult result = loadConfigText(
        baseYaml(
            {{"attestation", "attestation:\n  command: /bin/true\n  timeoutSeconds: " + value}}),
        QStringLiteral("c.yaml"));
    QCOMPARE(result.ok(), ok);
    if (ok)
        return;
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors[0].toString(),
             QStringLiteral("c.yaml:7:23: backends[0].attestation.timeoutSeconds: backend 'edge': "
                            "attestation.timeoutSeconds %1 is too large (at most 86400, one day)")
                 .arg(value));
}

void TestConfigAdditions::tlsErrors_data() {
    QTest::addColumn<QString>("tls");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown key") << "tls: {allowInsecure: false, certFile: c.pem}"
                                 << "backends[0].tls.certFile"
                                 << "backend 'edge': unknown key \"certFile\" (expected one of: "
                                    "caFile, allowInsecure)";
    QTest::newRow("scalar") << "tls: ca.pem"
                            << "backends[0].tls"
                            << "backend 'edge': expected a mapping, got \"ca.pem\"";
    QTest::newRow("caFile list") << "tls: {caFile: [a, b]}"
                                 << "backends[0].tls.caFile"
                                 << "backend 'edge': expected a string, got a list";
}

void TestConfigAdditions::tlsErrors() {
    QFETCH(QString, tls);
    QFETCH(QString, key);
    QFETCH(QString, error);
    const ConfigLoadResult result = loadConfigText(baseYaml({{"tls", tls}}));
    QCOMPARE(messages(result.errors), QStringList{error});
    QCOMPARE(result.errors[0].key, key);
}

// `proxy: URL | none` (the relay dial's HTTP CONNECT proxy): checked at load with file:line.
void TestConfigAdditions::proxyKey_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("value"); // BackendConfig::proxy when accepted
    QTest::addColumn<QString>("error"); // the issue's toString() when refused
    QTest::newRow("absent") << QString() << QString() << QString();
    QTest::newRow("url") << "proxy: \"http://u:p%40ss@proxy.corp:3128\""
                         << "http://u:p%40ss@proxy.corp:3128" << QString();
    QTest::newRow("none") << "proxy: None"
                          << "none" << QString();
    QTest::newRow("https") << "proxy: https://proxy.corp:443" << QString()
                           << "c.yaml:7:12: backends[0].proxy: backend 'edge': proxy: proxy URL "
                              "\"https://proxy.corp:443\": scheme https is not supported (http:// "
                              "only, the proxy must speak HTTP CONNECT) (or none)";
    QTest::newRow("bad port") << "proxy: http://proxy.corp:x" << QString()
                              << "c.yaml:7:12: backends[0].proxy: backend 'edge': proxy: malformed "
                                 "proxy URL \"http://proxy.corp:x\" (or none)";
    QTest::newRow("list") << "proxy: [a]" << QString()
                          << "c.yaml:7:12: backends[0].proxy: backend 'edge': expected a string, "
                             "got a list";
}

void TestConfigAdditions::proxyKey() {
    QFETCH(QString, line);
    QFETCH(QString, value);
    QFETCH(QString, error);
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{QStringLiteral("proxy"), line}}), QStringLiteral("c.yaml"));
    if (error.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(messages(result.errors).join(QLatin1Char('\n'))));
        QCOMPARE(result.config.backends.first().proxy, value);
        return;
    }
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors[0].toString(), error);
}

void TestConfigAdditions::hostnameValidity_data() {
    QTest::addColumn<QString>("entry");
    QTest::addColumn<QString>("normalised"); // expected hostnames[0] when accepted
    QTest::addColumn<QString>("error");      // expected message when refused

    QTest::newRow("idn") << "Bücher.example"
                         << "xn--bcher-kva.example" << QString();
    QTest::newRow("punycode") << "xn--bcher-kva.example"
                              << "xn--bcher-kva.example" << QString();
    QTest::newRow("wildcard") << "*.Preview.example.com"
                              << "*.preview.example.com" << QString();
    QTest::newRow("single label") << "localhost"
                                  << "localhost" << QString();
    QTest::newRow("underscore") << "foo_bar.example.com" << QString()
                                << "backend 'edge': invalid hostname 'foo_bar.example.com' (not "
                                   "a valid DNS name)";
    QTest::newRow("empty label") << "a..b" << QString()
                                 << "backend 'edge': invalid hostname 'a..b' (not a valid DNS "
                                    "name)";
    QTest::newRow("double trailing dot")
        << "example.com.." << QString()
        << "backend 'edge': invalid hostname 'example.com..' (not a valid DNS name)";
    QTest::newRow("port") << "app.example.com:443" << QString()
                          << "backend 'edge': invalid hostname 'app.example.com:443' (not a "
                             "valid DNS name)";
    QTest::newRow("leading hyphen") << "-bad.example.com" << QString()
                                    << "backend 'edge': invalid hostname '-bad.example.com' (not "
                                       "a valid DNS name)";
    QTest::newRow("label of 64") << QString(64, u'a') + ".com" << QString()
                                 << "backend 'edge': invalid hostname '" + QString(64, u'a') +
                                        ".com' (not a valid DNS name)";
    QTest::newRow("wildcard one label")
        << "*.com" << QString()
        << "backend 'edge': invalid hostname '*.com' (a wildcard needs at least two labels after "
           "'*.')";
    QTest::newRow("wildcard idn")
        << "*.Bücher.example" << QString()
        << "backend 'edge': invalid hostname '*.Bücher.example' (write it as "
           "'*.xn--bcher-kva.example')";
    QTest::newRow("route key after trimming")
        << " tcp:53" << QString()
        << "backend 'edge': invalid hostname ' tcp:53' (cannot use route key format)";
    QTest::newRow("route key upper case")
        << "UDP:53" << QString()
        << "backend 'edge': invalid hostname 'UDP:53' (cannot use route key format)";
    QTest::newRow("dot") << "." << QString() << "backend 'edge': invalid hostname '.'";
}

void TestConfigAdditions::hostnameValidity() {
    QFETCH(QString, entry);
    QFETCH(QString, normalised);
    QFETCH(QString, error);
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"hostnames", "hostnames: [\"" + entry + "\"]"}}));
    if (error.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
        QCOMPARE(result.config.backends[0].hostnames, QStringList{normalised});
    } else {
        QCOMPARE(messages(result.errors), QStringList{error});
        QCOMPARE(result.errors[0].key, QStringLiteral("backends[0].hostnames[0]"));
    }
}

void TestConfigAdditions::hostPatterns_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("stored"); // normalised key when accepted
    QTest::addColumn<QString>("error");
    QTest::newRow("exact upper") << "API.Example.com."
                                 << "api.example.com" << QString();
    QTest::newRow("wildcard idn") << "*.Bücher.example"
                                  << "*.xn--bcher-kva.example" << QString();
    QTest::newRow("idn") << "straße.de"
                         << "xn--strae-oqa.de" << QString();
    QTest::newRow("bare wildcard")
        << "*." << QString()
        << "backend 'edge': port 443: invalid hostname pattern '*.' in port mapping";
    QTest::newRow("blank") << "  " << QString()
                           << "backend 'edge': port 443: invalid hostname pattern '  ' in port "
                              "mapping";
    QTest::newRow("wildcard one label")
        << "*.com" << QString()
        << "backend 'edge': port 443: invalid hostname pattern '*.com' in port mapping (a "
           "wildcard needs at least two labels after '*.')";
    QTest::newRow("underscore")
        << "foo_bar.example.com" << QString()
        << "backend 'edge': port 443: invalid hostname pattern 'foo_bar.example.com' in port "
           "mapping (not a valid DNS name)";
    QTest::newRow("route key") << "tcp:53" << QString()
                               << "backend 'edge': port 443: invalid hostname pattern 'tcp:53' "
                                  "in port mapping (not a valid DNS name)";
    QTest::newRow("double wildcard")
        << "*.*.example.com" << QString()
        << "backend 'edge': port 443: invalid hostname pattern '*.*.example.com' in port mapping "
           "(not a valid DNS name)";
}

void TestConfigAdditions::hostPatterns() {
    QFETCH(QString, pattern);
    QFETCH(QString, stored);
    QFETCH(QString, error);
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"portMappings", "portMappings:\n  443:\n    hosts:\n      \"" +
                                                      pattern + "\": \"localhost:9443\""}}));
    if (error.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
        const PortMapping mapping = result.config.backends[0].portMappings.value(443);
        QCOMPARE(mapping.hosts.keys(), QStringList{stored});
        QVERIFY(mapping.defaultTarget.isEmpty()); // hosts alone are enough
    } else {
        QCOMPARE(messages(result.errors), QStringList{error});
        QCOMPARE(result.errors[0].key, "backends[0].portMappings.443.hosts." + pattern);
        QCOMPARE(result.errors[0].line, 9);
    }
}

void TestConfigAdditions::duplicateNormalisedHosts() {
    const ConfigLoadResult result = loadConfigText(
        baseYaml({{"portMappings", "portMappings:\n  443:\n    hosts:\n      api.example.com: "
                                   "\"localhost:1\"\n      API.Example.COM.: \"localhost:2\""}}));
    QCOMPARE(messages(result.errors),
             QStringList{QStringLiteral(
                 "backend 'edge': port 443: port mapping override 'API.Example.COM.' duplicates "
                 "'api.example.com' (both are 'api.example.com')")});
    QCOMPARE(result.errors[0].line, 10);
}

void TestConfigAdditions::udpWarning() {
    // UDP flows are relayed: the only warning left is a route without a portMappings entry.
    const ConfigLoadResult result = loadConfigText(
        baseYaml({{"udpRoutes", "udpRoutes: [{port: 80}, {port: 53}]"}}), QStringLiteral("c.yaml"));
    QVERIFY(result.ok());
    QCOMPARE(messages(result.warnings),
             (QStringList{QStringLiteral("backend 'edge': udpRoutes: port 53 has no portMappings "
                                         "entry; its flows have no route")}));
    QCOMPARE(result.warnings[0].key, QStringLiteral("backends[0].udpRoutes[1].port"));
    QCOMPARE(result.warnings[0].file, QStringLiteral("c.yaml"));
    QCOMPARE(result.config.backends[0].udpRoutes.size(), 2);
}

void TestConfigAdditions::secretFileWarning() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString secret = dir.filePath(QStringLiteral("secret"));
    QVERIFY(writeFile(secret, "s3cret\n"));
    const QByteArray yaml =
        baseYaml({{"attestation", "attestation: {hmacSecretFile: \"" + secret + "\"}"}});

    QVERIFY(QFile::setPermissions(secret, QFile::ReadOwner | QFile::WriteOwner));
    ConfigLoadResult result = loadConfigText(yaml);
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QVERIFY2(result.warnings.isEmpty(), qPrintable(configtest::describe(result.warnings)));

    QVERIFY(QFile::setPermissions(secret, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup |
                                              QFile::ReadOther));
    result = loadConfigText(yaml);
    QVERIFY(result.ok()); // a warning, not an error
    QCOMPARE(result.warnings.size(), 1);
    QVERIFY(result.warnings[0].message.contains(secret));
    QVERIFY(result.warnings[0].message.contains(QStringLiteral("readable by group or others")));
    QVERIFY2(result.warnings[0].message.contains(QStringLiteral("has mode 0644")),
             qPrintable(result.warnings[0].message));
    QCOMPARE(result.warnings[0].key, QStringLiteral("backends[0].attestation.hmacSecretFile"));

    // A missing file is the session's business (it is read when the session is built).
    result = loadConfigText(baseYaml(
        {{"attestation", "attestation: {hmacSecretFile: \"" + dir.filePath("missing") + "\"}"}}));
    QVERIFY(result.ok());
    QVERIFY(result.warnings.isEmpty());
}

void TestConfigAdditions::plainWebSocketWarning_data() {
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("warns");
    QTest::newRow("ws remote") << "ws://hub.example.com/connect" << true;
    QTest::newRow("ws remote ip") << "ws://192.0.2.7:8080/connect" << true;
    QTest::newRow("WS upper") << "WS://hub.example.com/connect" << true;
    QTest::newRow("ws localhost") << "ws://localhost:8080/connect" << false;
    QTest::newRow("ws 127.0.0.1") << "ws://127.0.0.1:8080/connect" << false;
    QTest::newRow("ws 127.1.2.3") << "ws://127.1.2.3/connect" << false;
    QTest::newRow("ws ::1") << "ws://[::1]:8080/connect" << false;
    QTest::newRow("wss remote") << "wss://hub.example.com/connect" << false;
    QTest::newRow("garbage (checked when dialled)") << "not a url" << false;
}

void TestConfigAdditions::plainWebSocketWarning() {
    QFETCH(QString, address);
    QFETCH(bool, warns);
    const ConfigLoadResult result = loadConfigText(baseYaml(
        {{"nexusAddresses", "nexusAddresses: [\"wss://ok.example.com/c\", \"" + address + "\"]"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.warnings.size(), warns ? 1 : 0);
    if (warns) {
        QCOMPARE(result.warnings[0].message, "backend 'edge': nexusAddresses[1] '" + address +
                                                 "' is not encrypted (ws://, TLS off); use wss://");
        QCOMPARE(result.warnings[0].key, QStringLiteral("backends[0].nexusAddresses"));
    }
}

void TestConfigAdditions::locations() {
    const QByteArray yaml = "backends:\n"                                   // 1
                            "  - name: edge\n"                              // 2
                            "    hostnames: [app.example.com]\n"            // 3
                            "    nexusAddresses: [\"wss://h.example/c\"]\n" // 4
                            "    attestation:\n"                            // 5
                            "      hmacSecret: s\n"                         // 6
                            "      timeoutSeconds: -4\n"                    // 7
                            "    portMappings:\n"                           // 8
                            "      443:\n"                                  // 9
                            "        hosts:\n"                              // 10
                            "          api.example.com: \"\"\n"             // 11
                            "    bogus: 1\n";                               // 12
    const ConfigLoadResult result = loadConfigText(yaml, QStringLiteral("/etc/nexus/config.yaml"));
    QCOMPARE(result.errors.size(), 3);

    const ConfigIssue& unknown = result.errors[0]; // key errors come first, as Go decodes first
    QCOMPARE(unknown.key, QStringLiteral("backends[0].bogus"));
    QCOMPARE(unknown.line, 12);
    QCOMPARE(unknown.column, 5);

    const ConfigIssue& negative = result.errors[1];
    QCOMPARE(negative.file, QStringLiteral("/etc/nexus/config.yaml"));
    QCOMPARE(negative.line, 7);
    QCOMPARE(negative.column, 23);
    QCOMPARE(negative.key, QStringLiteral("backends[0].attestation.timeoutSeconds"));
    QCOMPARE(negative.toString(),
             QStringLiteral("/etc/nexus/config.yaml:7:23: backends[0].attestation.timeoutSeconds: "
                            "backend 'edge': attestation.timeoutSeconds cannot be negative"));

    const ConfigIssue& target = result.errors[2];
    QCOMPARE(target.line, 11);
    QCOMPARE(target.column, 28);
    QCOMPARE(target.key, QStringLiteral("backends[0].portMappings.443.hosts.api.example.com"));
    QCOMPARE(target.message, QStringLiteral("backend 'edge': port 443: port mapping override "
                                            "'api.example.com' has empty target"));
}

void TestConfigAdditions::issueToString_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");
    QTest::newRow("all") << "c.yaml" << 3 << 5 << "backends[0].weight"
                         << "c.yaml:3:5: backends[0].weight: msg";
    QTest::newRow("no column") << "c.yaml" << 3 << 0 << "k"
                               << "c.yaml:3: k: msg";
    QTest::newRow("no line") << "c.yaml" << 0 << 0 << ""
                             << "c.yaml: msg";
    QTest::newRow("no file") << "" << 3 << 5 << "k"
                             << "3:5: k: msg";
    QTest::newRow("key only") << "" << 0 << 0 << "k"
                              << "k: msg";
    QTest::newRow("message only") << "" << 0 << 0 << ""
                                  << "msg";
}

void TestConfigAdditions::issueToString() {
    QFETCH(QString, file);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, key);
    QFETCH(QString, expected);
    ConfigIssue issue;
    issue.file = file;
    issue.line = line;
    issue.column = column;
    issue.key = key;
    issue.message = QStringLiteral("msg");
    QCOMPARE(issue.toString(), expected);
}

void TestConfigAdditions::fileNotFound() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("missing.yaml"));
    const ConfigLoadResult result = loadConfigFile(path);
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors[0].file, path);
    QVERIFY2(result.errors[0].message.startsWith("cannot read config file '" + path + "': "),
             qPrintable(result.errors[0].message));
    QVERIFY2(result.errors[0].message.contains(QStringLiteral("No such file")),
             qPrintable(result.errors[0].message));
    QVERIFY(result.config.backends.isEmpty());
}

void TestConfigAdditions::directoryIsNotAFile() {
    QTemporaryDir dir;
    const ConfigLoadResult result = loadConfigFile(dir.path());
    QVERIFY(!result.ok());
    QCOMPARE(result.errors[0].file, dir.path());
}

void TestConfigAdditions::loadFromFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config.yaml"));
    QVERIFY(writeFile(path, baseYaml({{"tcpPorts", "tcpPorts: [8443]"}})));
    const ConfigLoadResult result = loadConfigFile(path);
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QCOMPARE(result.config.sourceFile, path);
    QCOMPARE(result.warnings.size(), 1);
    QCOMPARE(result.warnings[0].file, path);
    QCOMPARE(result.warnings[0].line, 7);
}

void TestConfigAdditions::exampleConfigLoads() {
    // The example names a private CA file, which must exist (checked at load): point it at one.
    test::TestCa ca;
    QVERIFY2(ca.isValid(), qPrintable(ca.error()));
    QFile example(QStringLiteral(NEXUS_EXAMPLE_CONFIG));
    QVERIFY(example.open(QIODevice::ReadOnly));
    QByteArray text = example.readAll();
    const QByteArray examplePath = "/etc/nexus-tray/internal-ca.pem";
    QVERIFY(text.contains(examplePath));
    text.replace(examplePath, ca.caPemPath().toUtf8());
    const ConfigLoadResult result = loadConfigText(text, QStringLiteral(NEXUS_EXAMPLE_CONFIG));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    QVERIFY2(result.warnings.isEmpty(), qPrintable(configtest::describe(result.warnings)));
    QVERIFY(result.config.backends.size() >= 2);
    // The example shows every key; spot-check the nexus-tray additions and the legacy form.
    bool sawDisabled = false;
    bool sawCaFile = false;
    bool sawPlainString = false;
    for (const BackendConfig& b : result.config.backends) {
        sawDisabled |= !b.enabled;
        sawCaFile |= !b.tls.caFile.isEmpty();
        for (const PortMapping& m : b.portMappings)
            sawPlainString |= m.hosts.isEmpty() && !m.defaultTarget.isEmpty();
    }
    QVERIFY(sawDisabled);
    QVERIFY(sawCaFile);
    QVERIFY(sawPlainString);

    // The commented tpm backend loads once uncommented (its caFile pointed at a real CA).
    const qsizetype start = text.indexOf("  # - name: home");
    QVERIFY(start > 0);
    QByteArray tpmText = text.left(start);
    for (const QByteArray& line : text.mid(start).split('\n'))
        tpmText += (line.startsWith("  # ") ? "  " + line.mid(4) : line) + '\n';
    tpmText.replace("/etc/nexus-tray/namek-ca.pem", ca.caPemPath().toUtf8());
    const ConfigLoadResult withTpm = loadConfigText(tpmText);
    QVERIFY2(withTpm.ok(), qPrintable(configtest::describe(withTpm.errors) + tpmText));
    QCOMPARE(withTpm.config.backends.size(), result.config.backends.size() + 1);
    const BackendConfig& home = withTpm.config.backends.last();
    QVERIFY(home.attestation.usesTpm());
    QCOMPARE(home.attestation.tpm->namekUrl, QStringLiteral("https://namek.example.com"));
    QVERIFY(home.hostnames.isEmpty());
}

void TestConfigAdditions::tpmForm() {
    // The form of issue 12: no hostnames, no nexusAddresses (namek's), every tpm key.
    test::TestCa ca;
    QVERIFY2(ca.isValid(), qPrintable(ca.error()));
    const ConfigLoadResult result = loadConfigText(
        baseYaml({{"hostnames", ""},
                  {"nexusAddresses", ""},
                  {"attestation", "attestation:\n  tpm:\n    namekUrl: \" https://namek.test \"\n"
                                  "    caFile: \"" +
                                      ca.caPemPath() +
                                      "\"\n    tcti: \"swtpm:path=/run/t.sock\"\n"
                                      "    stateDir: /var/lib/nt"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    const AttestationConfig& a = result.config.backends[0].attestation;
    QVERIFY(a.usesTpm());
    QVERIFY(!a.usesCommand());
    QCOMPARE(a.tpm->namekUrl, QStringLiteral("https://namek.test"));
    QCOMPARE(a.tpm->caFile, ca.caPemPath());
    QCOMPARE(a.tpm->tcti, QStringLiteral("swtpm:path=/run/t.sock"));
    QCOMPARE(a.tpm->stateDir, QStringLiteral("/var/lib/nt"));
    QCOMPARE(a.tpm->effectiveStateDir(QStringLiteral("edge")), QStringLiteral("/var/lib/nt"));
    QVERIFY(result.config.backends[0].hostnames.isEmpty());
    QVERIFY(result.config.backends[0].nexusAddresses.isEmpty());
}

void TestConfigAdditions::tpmDefaults() {
    const ConfigLoadResult result = loadConfigText(
        baseYaml({{"attestation", "attestation: {tpm: {namekUrl: \"https://namek.test/base\"}}"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    const TpmAttestationConfig& tpm = *result.config.backends[0].attestation.tpm;
    QCOMPARE(tpm.tcti, QStringLiteral("device:/dev/tpmrm0"));
    QVERIFY(tpm.stateDir.isEmpty());
    qputenv("XDG_STATE_HOME", "/xdg/state");
    QCOMPARE(tpm.effectiveStateDir(QStringLiteral("edge")),
             QStringLiteral("/xdg/state/nexus-tray/tpm/edge"));
    qunsetenv("XDG_STATE_HOME");
    QCOMPARE(tpm.effectiveStateDir(QStringLiteral("edge")),
             QDir::homePath() + QStringLiteral("/.local/state/nexus-tray/tpm/edge"));
}

void TestConfigAdditions::tpmErrors_data() {
    QTest::addColumn<QString>("attestation");
    QTest::addColumn<QString>("error"); // the whole issue, "file:line:column: key: message"
    QTest::newRow("http URL") << "attestation:\n  tpm:\n    namekUrl: http://namek.test"
                              << "c.yaml:7:19: backends[0].attestation.tpm.namekUrl: backend "
                                 "'edge': attestation.tpm.namekUrl 'http://namek.test' must be "
                                 "an https:// URL";
    QTest::newRow("no URL") << "attestation:\n  tpm:\n    tcti: \"device:/dev/tpm0\""
                            << "c.yaml:7:9: backends[0].attestation.tpm: backend 'edge': "
                               "attestation.tpm.namekUrl is required";
    QTest::newRow("unknown key")
        << "attestation:\n  tpm:\n    namekUrl: https://n.test\n    tctl: x"
        << "c.yaml:8:9: backends[0].attestation.tpm.tctl: backend 'edge': unknown key \"tctl\" "
           "(expected one of: namekUrl, caFile, tcti, stateDir, ownerPasswordFile, "
           "endorsementPasswordFile)";
    QTest::newRow("with hmacSecret")
        << "attestation:\n  hmacSecret: s\n  tpm:\n    namekUrl: https://n.test"
        << "c.yaml:8:9: backends[0].attestation.tpm: backend 'edge': attestation.tpm cannot be "
           "combined with command or hmacSecret(/File)";
    QTest::newRow("not a mapping") << "attestation:\n  tpm: https://n.test"
                                   << "c.yaml:6:12: backends[0].attestation.tpm: backend 'edge': "
                                      "expected a mapping, got \"https://n.test\"";
}

void TestConfigAdditions::tpmErrors() {
    QFETCH(QString, attestation);
    QFETCH(QString, error);
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"attestation", attestation}}), QStringLiteral("c.yaml"));
    QStringList all;
    for (const ConfigIssue& issue : result.errors)
        all << issue.toString();
    QCOMPARE(all, QStringList{error});
}

void TestConfigAdditions::tpmCaFileUnreadable() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString caPath = dir.filePath(QStringLiteral("absent.pem"));
    const ConfigLoadResult result = loadConfigText(
        baseYaml({{"attestation", "attestation:\n  tpm:\n    namekUrl: https://n.test\n"
                                  "    caFile: \"" +
                                      caPath + "\""}}),
        QStringLiteral("c.yaml"));
    QCOMPARE(result.errors.size(), 1);
    QCOMPARE(result.errors[0].line, 8);
    QCOMPARE(result.errors[0].key, QStringLiteral("backends[0].attestation.tpm.caFile"));
    QCOMPARE(
        result.errors[0].message,
        QStringLiteral("backend 'edge': attestation.tpm.caFile '%1': no such file").arg(caPath));
}

void TestConfigAdditions::keyringForm() {
    // issue 13: the secret lives in the system keyring; no secret in the file is needed.
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"attestation", "attestation: {hmacSecretKeyring: true}"}}));
    QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
    const AttestationConfig& a = result.config.backends[0].attestation;
    QVERIFY(a.usesKeyring());
    QVERIFY(!a.usesCommand());
    QVERIFY(!a.usesTpm());
    QVERIFY(a.hmacSecret.isEmpty());
    QVERIFY(a.hmacSecretFile.isEmpty());
    // false is the default: it selects nothing, so the secret is still required.
    const ConfigLoadResult off =
        loadConfigText(baseYaml({{"attestation", "attestation: {hmacSecretKeyring: false}"}}),
                       QStringLiteral("c.yaml"));
    QCOMPARE(off.errors.size(), 1);
    QCOMPARE(off.errors[0].message,
             QStringLiteral("backend 'edge': attestation requires either command or "
                            "hmacSecret(/File)"));
}

void TestConfigAdditions::keyringErrors_data() {
    QTest::addColumn<QString>("attestation");
    QTest::addColumn<QString>("error");
    const QString combined = QStringLiteral(
        "c.yaml:7:26: backends[0].attestation.hmacSecretKeyring: backend 'edge': "
        "attestation.hmacSecretKeyring cannot be combined with command, hmacSecret(/File) or tpm");
    QTest::newRow("with hmacSecret")
        << "attestation:\n  hmacSecret: s\n  hmacSecretKeyring: true" << combined;
    QTest::newRow("with hmacSecretFile")
        << "attestation:\n  hmacSecretFile: /nonexistent/s\n  hmacSecretKeyring: true" << combined;
    QTest::newRow("with command")
        << "attestation:\n  command: /usr/bin/true\n  hmacSecretKeyring: true" << combined;
    QTest::newRow("with tpm")
        << "attestation:\n  tpm: {namekUrl: https://n.test}\n  hmacSecretKeyring: true" << combined;
    QTest::newRow("not a bool")
        << "attestation:\n  hmacSecretKeyring: yes please"
        << "c.yaml:6:26: backends[0].attestation.hmacSecretKeyring: "
           "backend 'edge': expected a boolean (true/false), got \"yes please\"";
}

void TestConfigAdditions::keyringErrors() {
    QFETCH(QString, attestation);
    QFETCH(QString, error);
    const ConfigLoadResult result =
        loadConfigText(baseYaml({{"attestation", attestation}}), QStringLiteral("c.yaml"));
    QStringList all;
    for (const ConfigIssue& issue : result.errors)
        all << issue.toString();
    QCOMPARE(all, QStringList{error});
}

QTEST_GUILESS_MAIN(TestConfigAdditions)
#include "tst_configadditions.moc"
