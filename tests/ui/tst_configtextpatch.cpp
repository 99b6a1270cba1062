// engine/configedit/ConfigTextPatch: form edits saved into a heavily commented config.yaml touch
// only the lines of what changed; every other line (comments above, beside and inside the
// mappings, blank lines, quoting, flow and block lists) stays byte for byte, and the result loads
// to exactly the edited Config. Where the text cannot be edited safely the patch refuses.
#include <QtTest>

#include <functional>

#include "BackendMutations.h"
#include "TestCa.h"
#include "config/ConfigWriter.h"
#include "configedit/ConfigTextPatch.h"

using namespace nexustray;
using namespace nexustray::configedit;

namespace {

const QByteArray kCommented =
    "# nexus-tray test config: comments everywhere.\n"
    "\n"
    "backends:\n"
    "  # The web backend.\n"
    "  - name: web            # the public site\n"
    "    enabled: true\n"
    "    hostnames:           # claimed names\n"
    "      - app.example.com  # primary\n"
    "      - \"*.preview.example.com\"\n"
    "    nexusAddresses: ['wss://relay1.example.com/connect', \"wss://relay2.example.com/connect\"]"
    "  # two relays\n"
    "    weight: 2            # twice the share\n"
    "\n"
    "    attestation:\n"
    "      # Secret from a file.\n"
    "      hmacSecretFile: /etc/nexus/web.secret   # keep it 0600\n"
    "      tokenTTLSeconds: 30\n"
    "    portMappings:        # public -> local\n"
    "      443:\n"
    "        default: \"127.0.0.1:8443\"   # TLS\n"
    "        hosts:\n"
    "          # API goes elsewhere.\n"
    "          api.example.com: '127.0.0.1:9443'\n"
    "      80:\n"
    "        default: 127.0.0.1:8080\n"
    "    healthChecks:\n"
    "      enabled: true          # ping when silent\n"
    "      inactivityTimeout: 60\n"
    "      pongTimeout: 5\n"
    "\n"
    "  # The mail backend (switched off).\n"
    "  - name: mail\n"
    "    enabled: false   # off for now\n"
    "    hostnames: [\"mail.example.com\"]\n"
    "    nexusAddresses:\n"
    "      - wss://relay1.example.com/connect\n"
    "    attestation:\n"
    "      command: /usr/local/bin/attest   # token command\n"
    "      args: [\"--tpm\"]\n"
    "      timeoutSeconds: 20\n"
    "    portMappings:\n"
    "      993:\n"
    "        default: \"localhost:993\"\n"
    "\n"
    "# trailing comment at the end of the file\n";

using Lines = QMap<QByteArray, int>; // a multiset of lines

Lines linesOf(const QByteArray& text) {
    Lines out;
    for (const QByteArray& line : text.split('\n'))
        ++out[line];
    return out;
}

// Lines of `a` that `b` does not have (as many times as they are missing).
QByteArrayList minus(const Lines& a, const Lines& b) {
    QByteArrayList out;
    for (auto it = a.cbegin(); it != a.cend(); ++it) {
        for (int i = b.value(it.key()); i < it.value(); ++i)
            out << it.key();
    }
    std::sort(out.begin(), out.end());
    return out;
}

QByteArrayList sorted(QByteArrayList l) {
    std::sort(l.begin(), l.end());
    return l;
}

Config loaded(const QByteArray& text);

// `text` loads to `wanted`: each backend as it is there, or as the loader reads it back from the
// whole rewrite (a new BackendConfig() is not normalised yet, e.g. its health-check numbers).
bool loadsAs(const QByteArray& text, const Config& wanted) {
    const Config got = loaded(text);
    const Config rewritten = loaded(configyaml::writeConfigYaml(wanted));
    if (got.backends.size() != wanted.backends.size())
        return false;
    for (qsizetype i = 0; i < got.backends.size(); ++i) {
        if (got.backends[i] != wanted.backends[i] && got.backends[i] != rewritten.backends[i])
            return false;
    }
    return true;
}

Config loaded(const QByteArray& text) {
    const ConfigLoadResult r = loadConfigText(text);
    if (!r.ok())
        qWarning() << r.errors.constFirst().toString();
    return r.config;
}

BackendConfig& backend(Config& c, const char* name) {
    for (BackendConfig& b : c.backends) {
        if (b.name == QLatin1String(name))
            return b;
    }
    qFatal("no backend %s", name);
}

} // namespace

class TestConfigTextPatch : public QObject {
    Q_OBJECT

    test::TestCa m_ca;

    // Applies `edit` to the config kCommented loads to, patches, and checks the result: it loads
    // to the edited Config and differs from kCommented by exactly these lines.
    void check(const std::function<void(Config&)>& edit, const QByteArrayList& removed,
               const QByteArrayList& added, const QList<int>& origins = {}) {
        Config wanted = loaded(kCommented);
        QCOMPARE(wanted.backends.size(), 2);
        edit(wanted);
        const ConfigPatchResult r = patchConfigText(kCommented, wanted, origins);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(loadsAs(r.text, wanted));
        const Lines before = linesOf(kCommented);
        const Lines after = linesOf(r.text);
        QCOMPARE(minus(before, after), sorted(removed));
        QCOMPARE(minus(after, before), sorted(added));
    }

private Q_SLOTS:
    void theFixtureLoads() {
        const ConfigLoadResult r = loadConfigText(kCommented);
        QVERIFY2(r.ok(), qPrintable(r.errors.value(0).toString()));
        QCOMPARE(r.config.backends.at(0).portMappings.value(443).hosts.size(), 1);
    }

    void nothingChangedKeepsTheText() {
        const ConfigPatchResult r = patchConfigText(kCommented, loaded(kCommented));
        QVERIFY(r.ok);
        QCOMPARE(r.text, kCommented);
    }

    void changedScalarsKeepTheirLineAndQuoting() {
        check(
            [](Config& c) {
                backend(c, "web").weight = 3;
                backend(c, "web").portMappings[443].defaultTarget =
                    QStringLiteral("127.0.0.1:8444");
                backend(c, "web").portMappings[443].hosts[QStringLiteral("api.example.com")] =
                    QStringLiteral("127.0.0.1:9444");
                backend(c, "mail").enabled = true;
                backend(c, "web").healthChecks.enabled = false;
            },
            {"    weight: 2            # twice the share",
             "        default: \"127.0.0.1:8443\"   # TLS",
             "          api.example.com: '127.0.0.1:9443'", "    enabled: false   # off for now",
             "      enabled: true          # ping when silent"},
            {"    weight: 3            # twice the share",
             "        default: \"127.0.0.1:8444\"   # TLS",
             "          api.example.com: '127.0.0.1:9444'", "    enabled: true   # off for now",
             "      enabled: false          # ping when silent"});
    }

    void addedKeysGetTheirSiblingsIndentation() {
        check(
            [](Config& c) {
                backend(c, "web").tls.allowInsecure = true;
                backend(c, "web").attestation.cacheHandshakeSeconds = 300;
            },
            {}, {"    tls:", "      allowInsecure: true", "      cacheHandshakeSeconds: 300"});
    }

    void removedKeysGoWithTheirBlockAndComments() {
        check(
            [](Config& c) {
                backend(c, "web").portMappings.remove(80);
                backend(c, "web").portMappings[443].hosts.clear();
            },
            {"      80:", "        default: 127.0.0.1:8080", "        hosts:",
             "          # API goes elsewhere.", "          api.example.com: '127.0.0.1:9443'"},
            {});
    }

    void switchingTheAttestationKind() {
        // Command -> secret file, as the form's attestation selector does.
        check(
            [](Config& c) {
                AttestationConfig& a = backend(c, "mail").attestation;
                a.command.clear();
                a.args.clear();
                a.hmacSecretFile = QStringLiteral("/etc/nexus/mail.secret");
            },
            {"      command: /usr/local/bin/attest   # token command", "      args: [\"--tpm\"]"},
            {"      hmacSecretFile: /etc/nexus/mail.secret"});
        // Secret file -> inline secret -> TPM.
        check(
            [](Config& c) {
                AttestationConfig& a = backend(c, "web").attestation;
                a.hmacSecretFile.clear();
                a.hmacSecret = QStringLiteral("s3cret value");
            },
            {"      # Secret from a file.",
             "      hmacSecretFile: /etc/nexus/web.secret   # keep it 0600"},
            {"      hmacSecret: s3cret value"});
        check(
            [](Config& c) {
                AttestationConfig& a = backend(c, "web").attestation;
                a.hmacSecretFile.clear();
                a.tpm.emplace();
                a.tpm->namekUrl = QStringLiteral("https://namek.example.com");
            },
            {"      # Secret from a file.",
             "      hmacSecretFile: /etc/nexus/web.secret   # keep it 0600"},
            {"      tpm:", "        namekUrl: https://namek.example.com"});
    }

    void changedListsKeepTheirStyle() {
        check(
            [](Config& c) {
                // Block list: unchanged items keep their lines (and comments).
                backend(c, "web").hostnames = {QStringLiteral("app.example.com"),
                                               QStringLiteral("www.example.com")};
                // Flow lists stay flow, in the quoting of their first item.
                backend(c, "mail").hostnames << QStringLiteral("imap.example.com");
                backend(c, "web").nexusAddresses.removeLast();
            },
            {"      - \"*.preview.example.com\"", "    hostnames: [\"mail.example.com\"]",
             "    nexusAddresses: ['wss://relay1.example.com/connect', "
             "\"wss://relay2.example.com/connect\"]  # two relays"},
            {"      - www.example.com",
             "    hostnames: [\"mail.example.com\", \"imap.example.com\"]",
             "    nexusAddresses: ['wss://relay1.example.com/connect']  # two relays"});
    }

    void addedPortMappingWithHostOverrides() {
        check(
            [](Config& c) {
                PortMapping m;
                m.hosts.insert(QStringLiteral("smtp.example.com"), QStringLiteral("localhost:587"));
                backend(c, "mail").portMappings.insert(587, m);
                backend(c, "mail").portMappings[993].hosts.insert(
                    QStringLiteral("*.imap.example.com"), QStringLiteral("localhost:1993"));
            },
            {},
            {"      587:", "        hosts:", "          smtp.example.com: localhost:587",
             "        hosts:", "          \"*.imap.example.com\": localhost:1993"});
    }

    void addedBackendIsAppendedInTheFilesStyle() {
        Config wanted = loaded(kCommented);
        BackendConfig ssh;
        ssh.name = QStringLiteral("ssh");
        ssh.hostnames = {QStringLiteral("ssh.example.com")};
        ssh.nexusAddresses = {QStringLiteral("wss://relay1.example.com/connect")};
        ssh.attestation.hmacSecretFile = QStringLiteral("/etc/nexus/ssh.secret");
        ssh.portMappings[22].defaultTarget = QStringLiteral("127.0.0.1:22");
        wanted.backends << ssh;
        const ConfigPatchResult r = patchConfigText(kCommented, wanted, {0, 1, -1});
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(loadsAs(r.text, wanted));
        QVERIFY(minus(linesOf(kCommented), linesOf(r.text)).isEmpty());
        // After the last backend, before the file's closing comment, a blank line between as
        // between the others; lists of scalars are flow lists, as most of the file's are.
        QVERIFY2(r.text.contains("        default: \"localhost:993\"\n\n  - name: ssh\n"
                                 "    hostnames: [ssh.example.com]\n"
                                 "    nexusAddresses: [\"wss://relay1.example.com/connect\"]\n"
                                 "    attestation:\n"
                                 "      hmacSecretFile: /etc/nexus/ssh.secret\n"
                                 "    portMappings:\n"
                                 "      22:\n"
                                 "        default: 127.0.0.1:22\n\n# trailing"),
                 r.text.constData());
        QVERIFY(r.text.endsWith("\n\n# trailing comment at the end of the file\n"));
    }

    void removedBackendGoesWithTheCommentsAboveIt() {
        QByteArrayList web;
        const QByteArrayList all = kCommented.split('\n');
        for (qsizetype i = all.indexOf("  # The web backend.");
             all.at(i) != "  # The mail backend (switched off)."; ++i)
            web << all.at(i);
        check([](Config& c) { c.backends.removeFirst(); }, web, {}, {1});
        // Matched by name when no origins are given.
        check([](Config& c) { c.backends.removeLast(); },
              {"", "  # The mail backend (switched off).", "  - name: mail",
               "    enabled: false   # off for now", "    hostnames: [\"mail.example.com\"]",
               "    nexusAddresses:", "      - wss://relay1.example.com/connect",
               "    attestation:", "      command: /usr/local/bin/attest   # token command",
               "      args: [\"--tpm\"]", "      timeoutSeconds: 20",
               "    portMappings:", "      993:", "        default: \"localhost:993\""},
              {});
    }

    void renamedBackendIsItsNameChanged() {
        check([](Config& c) { backend(c, "mail").name = QStringLiteral("post"); },
              {"  - name: mail"}, {"  - name: post"});
    }

    // Every setting of a backend (the shared mutation table), on every backend of the commented
    // fixture and of config.example.yaml (every key, legacy forms): edited in place, loads as
    // edited, and no line of the file is lost unless the edit replaced it.
    void everySettingIsEditedInPlace_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("commented fixture") << kCommented;
        QFile example(QStringLiteral(NEXUS_EXAMPLE_CONFIG));
        QVERIFY(example.open(QIODevice::ReadOnly));
        // The example names a private CA file, which must exist (checked at load): point it at one.
        QVERIFY2(m_ca.isValid(), qPrintable(m_ca.error()));
        QTest::newRow("config.example.yaml") << example.readAll().replace(
            "/etc/nexus-tray/internal-ca.pem", m_ca.caPemPath().toUtf8());
    }

    void everySettingIsEditedInPlace() {
        QFETCH(QByteArray, text);
        const Config original = loaded(text);
        QVERIFY(original.backends.size() >= 2);
        int edited = 0;
        for (const test::BackendMutation& m : test::backendMutations()) {
            for (int i = 0; i < original.backends.size(); ++i) {
                Config wanted = original;
                m.apply(wanted.backends[i]);
                const ConfigLoadResult rewritten =
                    loadConfigText(configyaml::writeConfigYaml(wanted));
                if (!rewritten.ok() || rewritten.config != wanted)
                    continue; // not a config the loader can produce (e.g. tpm beside a command)
                const ConfigPatchResult r = patchConfigText(text, wanted);
                const QByteArray what =
                    QByteArray(m.field) + " of backend " + QByteArray::number(i);
                QVERIFY2(r.ok, (what + ": " + r.error.toUtf8()).constData());
                QVERIFY2(loadsAs(r.text, wanted), what.constData());
                const QByteArrayList lost = minus(linesOf(text), linesOf(r.text));
                QVERIFY2(lost.size() <= 1, (what + ": " + lost.join(" | ")).constData());
                ++edited;
            }
        }
        QVERIFY(edited > 50);
    }

    void refusesWhatItCannotEditSafely_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("anchors and aliases")
            << QByteArray("backends:\n"
                          "  - name: a\n"
                          "    hostnames: [a.example.com]\n"
                          "    nexusAddresses: &relays [\"wss://r.example.com/c\"]\n"
                          "    attestation: {hmacSecret: x}\n"
                          "    portMappings: {80: \"127.0.0.1:80\"}\n"
                          "  - name: b\n"
                          "    hostnames: [b.example.com]\n"
                          "    nexusAddresses: *relays\n"
                          "    attestation: {hmacSecret: y}\n"
                          "    portMappings: {80: \"127.0.0.1:80\"}\n");
        QTest::newRow("a key added to a flow mapping")
            << QByteArray("backends:\n"
                          "  - {name: a, hostnames: [a.example.com], nexusAddresses: "
                          "[\"wss://r.example.com/c\"], attestation: {hmacSecret: x}, "
                          "portMappings: {80: \"127.0.0.1:80\"}}\n"
                          "  - name: b\n"
                          "    hostnames: [b.example.com]\n"
                          "    nexusAddresses: [\"wss://r.example.com/c\"]\n"
                          "    attestation: {hmacSecret: y}\n"
                          "    portMappings: {80: \"127.0.0.1:80\"}\n");
    }

    void refusesWhatItCannotEditSafely() {
        QFETCH(QByteArray, text);
        Config wanted = loaded(text);
        QCOMPARE(wanted.backends.size(), 2);
        wanted.backends[0].weight = 5;
        const ConfigPatchResult r = patchConfigText(text, wanted);
        QVERIFY(!r.ok);
        QVERIFY(!r.error.isEmpty());
        QVERIFY(r.text.isEmpty());
    }

    void aScalarInAFlowMappingIsStillEdited() {
        const QByteArray text = "backends:\n"
                                "  - name: a   # first\n"
                                "    hostnames: [a.example.com]\n"
                                "    nexusAddresses: [\"wss://r.example.com/c\"]\n"
                                "    attestation: {hmacSecret: x, tokenTTLSeconds: 40}  # inline\n"
                                "    portMappings: {80: \"127.0.0.1:80\"}\n";
        Config wanted = loaded(text);
        wanted.backends[0].attestation.tokenTTLSeconds = 50;
        const ConfigPatchResult r = patchConfigText(text, wanted);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.text, QByteArray(text).replace("tokenTTLSeconds: 40", "tokenTTLSeconds: 50"));
    }

    // Positions are bytes: UTF-8 before an edit does not shift it; CRLF files get CRLF lines.
    void utf8AndCrlfFiles() {
        QByteArray text = QByteArray(kCommented)
                              .replace("# The web backend.", "# Größe ✓ — der Web-Dienst")
                              .replace("# primary", "# primär");
        Config wanted = loaded(text);
        backend(wanted, "web").weight = 7;
        backend(wanted, "web").hostnames << QStringLiteral("www.example.com");
        backend(wanted, "mail").tls.allowInsecure = true;
        ConfigPatchResult r = patchConfigText(text, wanted);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(loadsAs(r.text, wanted));
        QCOMPARE(minus(linesOf(text), linesOf(r.text)),
                 QByteArrayList{"    weight: 2            # twice the share"});
        QCOMPARE(minus(linesOf(r.text), linesOf(text)),
                 sorted({"    weight: 7            # twice the share", "      - www.example.com",
                         "    tls:", "      allowInsecure: true"}));

        text.replace("\n", "\r\n");
        wanted = loaded(text);
        backend(wanted, "web").weight = 7;
        backend(wanted, "mail").tls.allowInsecure = true;
        r = patchConfigText(text, wanted);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(loadsAs(r.text, wanted));
        QVERIFY(r.text.contains("    weight: 7            # twice the share\r\n"));
        QVERIFY(r.text.contains("    tls:\r\n      allowInsecure: true\r\n"));
        QCOMPARE(r.text.count('\n'), r.text.count("\r\n"));
    }

    // The legacy `993: "target"` becomes a mapping when a host override is added; the comment
    // at the end of its line stays there.
    void aValueReplacedByABlockKeepsItsLineComment() {
        const QByteArray text = "backends:\n"
                                "  - name: a\n"
                                "    hostnames: [a.example.com]\n"
                                "    nexusAddresses: [\"wss://r.example.com/c\"]\n"
                                "    attestation: {hmacSecret: x}\n"
                                "    portMappings:\n"
                                "      993: \"127.0.0.1:993\"   # legacy form\n"
                                "      80: \"127.0.0.1:80\"\n";
        Config wanted = loaded(text);
        wanted.backends[0].portMappings[993].hosts.insert(QStringLiteral("imap.example.com"),
                                                          QStringLiteral("127.0.0.1:1993"));
        const ConfigPatchResult r = patchConfigText(text, wanted);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(loadsAs(r.text, wanted));
        QVERIFY2(r.text.contains("      993:   # legacy form\n"
                                 "        default: \"127.0.0.1:993\"\n"
                                 "        hosts:\n"
                                 "          imap.example.com: \"127.0.0.1:1993\"\n"
                                 "      80: \"127.0.0.1:80\"\n"),
                 r.text.constData());
    }

    void refusesAnInvalidOriginal() {
        const ConfigPatchResult r = patchConfigText("backends: 3\n", Config());
        QVERIFY(!r.ok);
    }
};

QTEST_GUILESS_MAIN(TestConfigTextPatch)
#include "tst_configtextpatch.moc"
