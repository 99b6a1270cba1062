// engine/configedit: the tray's comment-preserving `enabled:` toggle, the atomic save that
// refuses invalid text and keeps a backup, and YAML generation for the editor's form.
#include <QTemporaryDir>
#include <QtTest>

#include "TestCa.h"
#include "configedit/ConfigFileEditor.h"

using namespace nexustray;
using namespace nexustray::configedit;

namespace {

const QByteArray kTwoBackends = "# my tunnels  (a comment that must survive)\n"
                                "backends:\n"
                                "  - name: web            # the web site\n"
                                "    hostnames: [\"app.example.com\"]   # trailing comment\n"
                                "    nexusAddresses:\n"
                                "      - \"wss://nexus.example.com/connect\"\n"
                                "    attestation:\n"
                                "      hmacSecret: \"s3cret\"\n"
                                "    portMappings:\n"
                                "      443: \"127.0.0.1:8443\"\n"
                                "\n"
                                "  # the mail backend, already switched off\n"
                                "  - name: mail\n"
                                "    enabled: false   # keep this comment\n"
                                "    hostnames: [mail.example.com]\n"
                                "    nexusAddresses: [\"wss://nexus.example.com/connect\"]\n"
                                "    attestation: {hmacSecret: \"other\"}\n"
                                "    portMappings: {993: \"127.0.0.1:993\"}\n";

bool enabledOf(const QByteArray& yaml, const QString& name) {
    const ConfigLoadResult r = loadConfigText(yaml);
    for (const BackendConfig& b : r.config.backends) {
        if (b.name == name)
            return b.enabled;
    }
    qFatal("no backend %s", qPrintable(name));
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString& path, const QByteArray& data) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(data), data.size());
}

} // namespace

class TestConfigFileEditor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void insertsEnabledAndKeepsEverythingElse() {
        const TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("web"), false);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!enabledOf(r.text, QStringLiteral("web")));
        QVERIFY(!enabledOf(r.text, QStringLiteral("mail")));
        // Exactly one line was added, indented like the backend's keys, after `name:`.
        const QList<QByteArray> before = kTwoBackends.split('\n');
        const QList<QByteArray> after = r.text.split('\n');
        QCOMPARE(after.size(), before.size() + 1);
        QCOMPARE(after.at(3), QByteArray("    enabled: false"));
        QCOMPARE(after.at(2), before.at(2));
        QCOMPARE(after.mid(4), before.mid(3));
    }

    void replacesAnExistingValueInPlace() {
        const TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("mail"), true);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(enabledOf(r.text, QStringLiteral("mail")));
        QVERIFY(r.text.contains("    enabled: true   # keep this comment\n"));
        QByteArray expected = kTwoBackends;
        expected.replace("enabled: false   # keep", "enabled: true   # keep");
        QCOMPARE(r.text, expected);
    }

    void unchangedWhenAlreadySo() {
        const TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("web"), true);
        QVERIFY(r.ok);
        QCOMPARE(r.text, kTwoBackends);
    }

    void flowStyleBackend() {
        const QByteArray yaml = "backends:\n"
                                "  - {name: a, hostnames: [a.example.com], nexusAddresses: "
                                "[\"wss://h.example.com/c\"], attestation: {hmacSecret: x}, "
                                "portMappings: {80: \"127.0.0.1:80\"}} # c\n";
        const TextEditResult r = setBackendEnabled(yaml, QStringLiteral("a"), false);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!enabledOf(r.text, QStringLiteral("a")));
        QVERIFY(r.text.endsWith("# c\n"));
        QVERIFY(r.text.contains("{enabled: false, name: a"));
    }

    void blockBackendAtEndOfFileWithoutNewline() {
        const QByteArray yaml = "backends:\n"
                                "  - name: a\n"
                                "    hostnames: [a.example.com]\n"
                                "    nexusAddresses: [\"wss://h.example.com/c\"]\n"
                                "    attestation:\n"
                                "      hmacSecret: x\n"
                                "    portMappings:\n"
                                "      80: \"127.0.0.1:8080\"";
        const TextEditResult r = setBackendEnabled(yaml, QStringLiteral("a"), false);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!enabledOf(r.text, QStringLiteral("a")));
    }

    void refusesUnknownBackendAndInvalidText() {
        TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("nope"), false);
        QVERIFY(!r.ok);
        QVERIFY(r.error.contains(QLatin1String("nope")));
        r = setBackendEnabled("backends: [", QStringLiteral("web"), false);
        QVERIFY(!r.ok);
        QVERIFY(!r.error.isEmpty());
    }

    void saveWritesAtomicallyWithBackup() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        writeAll(path, kTwoBackends);
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QByteArray edited =
            setBackendEnabled(kTwoBackends, QStringLiteral("web"), false).text;

        const SaveResult saved = saveConfigText(path, edited);
        QVERIFY2(saved.ok, qPrintable(saved.ioError));
        QCOMPARE(readAll(path), edited);
        QCOMPARE(saved.backupPath, path + QStringLiteral(".bak"));
        QCOMPARE(readAll(saved.backupPath), kTwoBackends);
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                             QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QCOMPARE(saved.config.backends.size(), 2);
        QVERIFY(!saved.config.backends.at(0).enabled);
        QCOMPARE(saved.config.sourceFile, path);
    }

    void saveRefusesInvalidTextAndTouchesNothing() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        writeAll(path, kTwoBackends);
        const QByteArray broken =
            QByteArray(kTwoBackends)
                .replace("hostnames: [\"app.example.com\"]", "hostnames: [\"app..example\"]\n"
                                                             "    bogusKey: 1");
        const SaveResult saved = saveConfigText(path, broken);
        QVERIFY(!saved.ok);
        QVERIFY(!saved.errors.isEmpty());
        QVERIFY(saved.errors.first().line > 0);
        QCOMPARE(readAll(path), kTwoBackends);
        QVERIFY(!QFileInfo::exists(path + QStringLiteral(".bak")));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files),
                 QStringList{QStringLiteral("config.yaml")});
    }

    void saveCreatesANewPrivateFile() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("new.yaml"));
        const SaveResult saved = saveConfigText(path, kTwoBackends);
        QVERIFY(saved.ok);
        QVERIFY(saved.backupPath.isEmpty());
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
    }

    void generatedYamlRoundTrips() {
        // tls.caFile must name a readable PEM bundle (checked at load); relative to the cwd.
        test::TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        const QString cwd = QDir::currentPath();
        QVERIFY(QDir::setCurrent(QFileInfo(ca.caPemPath()).path()));
        const auto restoreCwd = qScopeGuard([&cwd] { QDir::setCurrent(cwd); });
        const QString caName = QFileInfo(ca.caPemPath()).fileName();
        QCOMPARE(caName, QStringLiteral("ca.pem"));
        const ConfigLoadResult loaded = loadConfigText(
            "backends:\n"
            "  - name: full\n"
            "    enabled: false\n"
            "    hostnames: [\"a.example.com\", \"*.b.example.com\"]\n"
            "    tcpPorts: [2222]\n"
            "    udpRoutes: [{port: 53, flowIdleTimeoutSeconds: 0}]\n"
            "    nexusAddresses: [\"wss://h1.example.com/c\", \"wss://h2.example.com/c\"]\n"
            "    weight: 3\n"
            "    tls: {caFile: ca.pem}\n"
            "    attestation:\n"
            "      command: /usr/bin/attest\n"
            "      args: [\"--x\", \"a b\", \"q\\\"uote\"]\n"
            "      env: {A: \"1\"}\n"
            "      timeoutSeconds: 20\n"
            "      cacheHandshakeSeconds: 60\n"
            "      tokenTTLSeconds: 40\n"
            "      reauthIntervalSeconds: 600\n"
            "      policyVersion: \"2024\"\n"
            "      outboundAllowed: true\n"
            "      allowedOutboundPorts: [443]\n"
            "    portMappings:\n"
            "      443:\n"
            "        default: \"127.0.0.1:8443\"\n"
            "        hosts: {\"*.b.example.com\": \"127.0.0.1:9443\"}\n"
            "      2222: \"127.0.0.1:22\"\n"
            "    healthChecks: {enabled: true, inactivityTimeout: 30, pongTimeout: 4}\n"
            "    flowControl: {lowWaterMark: 8, highWaterMark: 20, maxBuffer: 30}\n");
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        const QByteArray yaml = generateYaml(loaded.config);
        const ConfigLoadResult again = loadConfigText(yaml);
        QVERIFY2(again.ok(), qPrintable(again.errors.value(0).toString() + "\n" + yaml));
        QCOMPARE(generateYaml(again.config), yaml);
        const BackendConfig& a = loaded.config.backends.first();
        const BackendConfig& b = again.config.backends.first();
        QCOMPARE(b.name, a.name);
        QCOMPARE(b.enabled, false);
        QCOMPARE(b.hostnames, a.hostnames);
        QCOMPARE(b.tcpPorts, a.tcpPorts);
        QCOMPARE(b.udpRoutes, a.udpRoutes);
        QCOMPARE(b.nexusAddresses, a.nexusAddresses);
        QCOMPARE(b.weight, 3);
        QCOMPARE(b.tls.caFile, a.tls.caFile);
        QCOMPARE(b.attestation.args, a.attestation.args);
        QCOMPARE(b.attestation.env, a.attestation.env);
        QCOMPARE(b.attestation.timeoutSeconds, 20);
        QCOMPARE(b.attestation.reauthIntervalSeconds, 600);
        QCOMPARE(b.attestation.allowedOutboundPorts, a.attestation.allowedOutboundPorts);
        QCOMPARE(b.portMappings.keys(), a.portMappings.keys());
        QCOMPARE(b.portMappings.value(443).hosts, a.portMappings.value(443).hosts);
        QCOMPARE(b.portMappings.value(2222).defaultTarget, QStringLiteral("127.0.0.1:22"));
        QCOMPARE(b.healthChecks.enabled, true);
        QCOMPARE(b.healthChecks.inactivityTimeoutSeconds, 30);
        QCOMPARE(b.flowControl.maxBuffer, 30);
    }
};

QTEST_GUILESS_MAIN(TestConfigFileEditor)
#include "tst_configfileeditor.moc"
