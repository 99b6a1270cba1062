// The config structs' equality and the YAML writer (config/ConfigWriter): equality sees every
// setting, the writer writes every setting, and load -> write -> load gives an equal config for a
// file that uses every key of config.md.
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "BackendMutations.h"
#include "TestCa.h"
#include "config/ConfigWriter.h"
#include "nexustray/Config.h"

using namespace nexustray;
using configyaml::writeConfigYaml;

namespace {

QString describe(const ConfigLoadResult& r) {
    QStringList out;
    for (const ConfigIssue& issue : r.errors)
        out << issue.toString();
    return out.join(QLatin1Char('\n'));
}

// Every key of config.md §2, §3, §5 and §9 with a value that is not its default. (The legacy
// `hostname` key is not a setting of its own: it loads into `hostnames`.)
QByteArray everyKeyYaml(const QString& caFile, const QString& secretFile) {
    return QStringLiteral(
               "backends:\n"
               "  - name: full\n"
               "    enabled: false\n"
               "    hostnames: [\"a.example.com\", \"*.b.example.com\", \"Bücher.example\"]\n"
               "    tcpPorts: [2222, 443]\n"
               "    udpRoutes: [{port: 53, flowIdleTimeoutSeconds: 0}, {port: 54}]\n"
               "    nexusAddresses: [\"wss://h1.example.com/c\", \"ws://h2.example.com/c\"]\n"
               "    weight: 3\n"
               "    tls: {caFile: \"%1\", allowInsecure: true}\n"
               "    attestation:\n"
               "      command: /usr/bin/attest\n"
               "      args: [\"--x\", \"a b\", \"q\\\"uote\"]\n"
               "      env: {A: \"1\", B: \"two words\"}\n"
               "      timeoutSeconds: 20\n"
               "      cacheHandshakeSeconds: 60\n"
               "      hmacSecret: \"  s3cret  \"\n"
               "      hmacSecretFile: \"%2\"\n"
               "      tokenTTLSeconds: 40\n"
               "      handshakeMaxAgeSeconds: 120\n"
               "      reauthIntervalSeconds: 600\n"
               "      reauthGraceSeconds: 30\n"
               "      maintenanceGraceCapSeconds: 90\n"
               "      authorizerStatusUri: \"https://auth.example.com/status\"\n"
               "      policyVersion: \"2024\"\n"
               "      outboundAllowed: true\n"
               "      allowedOutboundPorts: [443, 8443]\n"
               "    portMappings:\n"
               "      443:\n"
               "        default: \"127.0.0.1:8443\"\n"
               "        hosts: {\"*.b.example.com\": \"127.0.0.1:9443\"}\n"
               "      2222: \"127.0.0.1:22\"\n"
               "      53: {default: \"127.0.0.1:5353\"}\n"
               "      54: {default: \"127.0.0.1:5354\"}\n"
               "    healthChecks: {enabled: true, inactivityTimeout: 30, pongTimeout: 4}\n"
               "    flowControl: {lowWaterMark: 8, highWaterMark: 20, maxBuffer: 30}\n"
               "    socks5ListenAddr: \"127.0.0.1:1080\"\n"
               "    socks5Username: \"alice\"\n"
               "    socks5PasswordFile: \"%2\"\n"
               "  - name: second\n"
               "    hostnames: [c.example.com]\n"
               "    nexusAddresses: [\"wss://h3.example.com/c\"]\n"
               "    attestation: {hmacSecret: x}\n"
               "    portMappings: {443: {default: \"127.0.0.1:1\"}}\n"
               "    healthChecks: {inactivityTimeout: -5}\n"
               "  - name: third\n"
               "    nexusAddresses: [\"wss://h4.example.com/c\"]\n"
               "    attestation:\n"
               "      tpm:\n"
               "        namekUrl: \"https://namek.example.com\"\n"
               "        caFile: \"%1\"\n"
               "        tcti: \"swtpm:path=/run/tpm.sock\"\n"
               "        stateDir: \"/var/lib/nexus-tray/tpm\"\n"
               "    portMappings: {443: {default: \"127.0.0.1:2\"}}\n"
               "metrics: {listen: \"[::1]:9464\"}\n")
        .arg(caFile, secretFile)
        .toUtf8();
}

BackendConfig sampleBackend() {
    BackendConfig b;
    b.name = QStringLiteral("sample");
    b.hostnames = {QStringLiteral("a.example.com")};
    b.tcpPorts = {443};
    b.udpRoutes = {{53, 10}};
    b.nexusAddresses = {QStringLiteral("wss://h.example.com/c")};
    b.attestation.hmacSecret = QStringLiteral("k");
    b.portMappings[443].defaultTarget = QStringLiteral("127.0.0.1:8443");
    b.portMappings[443].hosts.insert(QStringLiteral("a.example.com"),
                                     QStringLiteral("127.0.0.1:9443"));
    return b;
}

} // namespace

class TestConfigWriter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void equalityNoticesEveryField_data() { test::addBackendMutationRows(); }
    void equalityNoticesEveryField() {
        QFETCH(int, index);
        const BackendConfig base = sampleBackend();
        BackendConfig changed = base;
        test::backendMutations()[std::size_t(index)].apply(changed);
        QVERIFY(!(changed == base));
        QVERIFY(changed != base);
        Config a;
        a.backends = {base};
        Config b;
        b.backends = {changed};
        QVERIFY(a != b);
    }

    // The same table: a writer that forgot a field would write both configs alike.
    void writerWritesEveryField_data() { equalityNoticesEveryField_data(); }
    void writerWritesEveryField() {
        QFETCH(int, index);
        Config base;
        base.backends = {sampleBackend()};
        Config changed = base;
        test::backendMutations()[std::size_t(index)].apply(changed.backends[0]);
        QVERIFY(writeConfigYaml(changed) != writeConfigYaml(base));
    }

    void whereItWasReadFromIsNotASetting() {
        Config a;
        a.backends = {sampleBackend()};
        Config b = a;
        b.backends[0].line = 42;
        b.sourceFile = QStringLiteral("/elsewhere/config.yaml");
        QVERIFY(a == b);
        QCOMPARE(writeConfigYaml(b), writeConfigYaml(a));
    }

    void roundTripOfEveryKey() {
        test::TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString secretFile = dir.filePath(QStringLiteral("secret"));
        QFile secret(secretFile);
        QVERIFY(secret.open(QIODevice::WriteOnly));
        QVERIFY(secret.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        secret.write("file-secret\n");
        secret.close();

        const ConfigLoadResult loaded = loadConfigText(everyKeyYaml(ca.caPemPath(), secretFile));
        QVERIFY2(loaded.ok(), qPrintable(describe(loaded)));
        const BackendConfig& full = loaded.config.backends.first();
        // The file really sets what it claims (not defaults the writer could silently drop).
        QVERIFY(full.tls.allowInsecure);
        QCOMPARE(full.healthChecks.pongTimeoutSeconds, 4);
        QCOMPARE(full.udpRoutes.first().flowIdleTimeoutSeconds, std::optional<int>(0));
        QCOMPARE(full.udpRoutes.last().flowIdleTimeoutSeconds, std::optional<int>());
        QCOMPARE(loaded.config.backends.at(1).healthChecks.inactivityTimeoutSeconds, -5);
        QCOMPARE(loaded.config.backends.last().attestation.tpm->tcti,
                 QStringLiteral("swtpm:path=/run/tpm.sock"));
        QCOMPARE(loaded.config.metrics.listen, QStringLiteral("[::1]:9464"));

        const QByteArray yaml = writeConfigYaml(loaded.config);
        const ConfigLoadResult again = loadConfigText(yaml);
        QVERIFY2(again.ok(), qPrintable(describe(again) + QLatin1Char('\n') + yaml));
        QVERIFY2(again.config == loaded.config, yaml.constData());
        QCOMPARE(writeConfigYaml(again.config), yaml);
    }

    // A backend built with nothing but Config.h's defaults writes only what has no default.
    void defaultsAreNotWritten() {
        Config c;
        BackendConfig b;
        b.name = QStringLiteral("d");
        b.hostnames = {QStringLiteral("d.example.com")};
        b.nexusAddresses = {QStringLiteral("wss://h.example.com/c")};
        b.attestation.hmacSecret = QStringLiteral("k");
        b.portMappings[443].defaultTarget = QStringLiteral("127.0.0.1:1");
        c.backends = {b};
        const QByteArray yaml = writeConfigYaml(c);
        for (const char* key : {"enabled", "weight", "tls", "timeoutSeconds", "tokenTTLSeconds",
                                "healthChecks", "flowControl", "outboundAllowed"})
            QVERIFY2(!yaml.contains(key), key);
        const ConfigLoadResult again = loadConfigText(yaml);
        QVERIFY2(again.ok(), qPrintable(describe(again)));
        // healthChecks absent loads as 0/0 (config.md §2: not defaulted while disabled).
        BackendConfig expected = b;
        expected.healthChecks.inactivityTimeoutSeconds = 0;
        expected.healthChecks.pongTimeoutSeconds = 0;
        QVERIFY(again.config.backends.first() == expected);
    }
};

QTEST_GUILESS_MAIN(TestConfigWriter)
#include "tst_configwriter.moc"
