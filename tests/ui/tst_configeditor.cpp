// ui/editor/ConfigEditorDialog on the offscreen platform: an edit made in the form and saved keeps
// the file's comments and formatting (only the edited lines change); where the file cannot be
// edited in place (YAML anchors), the dialog says so and rewrites it only on a second Save.
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "editor/ConfigEditorDialog.h"

using namespace nexustray;
using namespace nexustray::ui;

namespace {

const QByteArray kCommented = "# My tunnels. Do not lose this comment.\n"
                              "backends:\n"
                              "  # The web site.\n"
                              "  - name: web          # public\n"
                              "    hostnames: [\"app.example.com\"]   # flow list\n"
                              "    nexusAddresses:\n"
                              "      - 'wss://relay.example.com/connect'   # the relay\n"
                              "    weight: 2            # twice the share\n"
                              "    attestation:\n"
                              "      # the secret lives elsewhere\n"
                              "      hmacSecretFile: /etc/nexus/web.secret\n"
                              "    portMappings:\n"
                              "      443:\n"
                              "        default: \"127.0.0.1:8443\"   # local TLS\n"
                              "\n"
                              "  # Mail, switched off.\n"
                              "  - name: mail\n"
                              "    enabled: false   # keep this comment\n"
                              "    hostnames:\n"
                              "      - mail.example.com\n"
                              "    nexusAddresses: [\"wss://relay.example.com/connect\"]\n"
                              "    attestation:\n"
                              "      hmacSecret: \"s3cret\"   # inline\n"
                              "    portMappings:\n"
                              "      993: \"127.0.0.1:993\"   # legacy form\n"
                              "# end of file\n";

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

class TestConfigEditor : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;

private Q_SLOTS:
    void init() {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("config.yaml"));
        QFile::remove(m_path);
        QFile::remove(m_path + QStringLiteral(".bak"));
        writeAll(m_path, kCommented);
    }

    void formEditKeepsTheFilesComments() {
        ConfigEditorDialog editor(m_path);
        editor.show();
        QCOMPARE(editor.currentTab(), ConfigEditorDialog::Tab::Form);
        QSignalSpy saved(&editor, &ConfigEditorDialog::configSaved);
        editor.selectBackend(0);
        auto* weight = editor.findChild<QSpinBox*>(QStringLiteral("weightSpin"));
        QVERIFY(weight);
        QCOMPARE(weight->value(), 2);
        weight->setValue(5);
        editor.selectBackend(1);
        auto* hostnames = editor.findChild<QPlainTextEdit*>(QStringLiteral("hostnamesEdit"));
        QCOMPARE(hostnames->toPlainText(), QStringLiteral("mail.example.com"));
        hostnames->setPlainText(QStringLiteral("mail.example.com\nimap.example.com"));
        auto* enabled = editor.findChild<QCheckBox*>(QStringLiteral("enabledCheck"));
        enabled->setChecked(true);
        QVERIFY2(editor.errorText().isEmpty(), qPrintable(editor.errorText()));

        QVERIFY2(editor.save(), qPrintable(editor.lastSaveError()));
        QCOMPARE(saved.size(), 1);
        QByteArray expected = kCommented;
        expected.replace("    weight: 2            # twice the share",
                         "    weight: 5            # twice the share");
        expected.replace("    enabled: false   # keep this comment",
                         "    enabled: true   # keep this comment");
        expected.replace("      - mail.example.com\n",
                         "      - mail.example.com\n      - imap.example.com\n");
        QCOMPARE(readAll(m_path), expected);
        QCOMPARE(readAll(m_path + QStringLiteral(".bak")), kCommented);
        // Both tabs now show the file as saved.
        QCOMPARE(editor.rawText().toUtf8(), expected);
    }

    void formEditsShowInTheYamlTabWithTheComments() {
        ConfigEditorDialog editor(m_path);
        auto* name = editor.findChild<QLineEdit*>(QStringLiteral("nameEdit"));
        editor.selectBackend(1);
        name->setText(QStringLiteral("post"));
        editor.showTab(ConfigEditorDialog::Tab::Yaml);
        QCOMPARE(editor.rawText().toUtf8(),
                 QByteArray(kCommented).replace("  - name: mail\n", "  - name: post\n"));
    }

    void addingAndRemovingBackendsKeepsTheRest() {
        ConfigEditorDialog editor(m_path);
        editor.selectBackend(0);
        editor.findChild<QPushButton*>(QStringLiteral("removeBackendButton"))->click();
        QCOMPARE(editor.formConfig().backends.size(), 1);
        editor.findChild<QPushButton*>(QStringLiteral("addBackendButton"))->click();
        editor.findChild<QLineEdit*>(QStringLiteral("nameEdit"))->setText(QStringLiteral("ssh"));
        editor.findChild<QPlainTextEdit*>(QStringLiteral("hostnamesEdit"))
            ->setPlainText(QStringLiteral("ssh.example.com"));
        editor.findChild<QPlainTextEdit*>(QStringLiteral("addressesEdit"))
            ->setPlainText(QStringLiteral("wss://relay.example.com/connect"));
        editor.findChild<QLineEdit*>(QStringLiteral("secretFileEdit"))
            ->setText(QStringLiteral("/etc/nexus/ssh.secret"));
        editor.findChild<QPushButton*>(QStringLiteral("addMappingButton"))->click();
        QVERIFY2(editor.errorText().isEmpty(), qPrintable(editor.errorText()));
        QVERIFY2(editor.save(), qPrintable(editor.lastSaveError()));

        const QByteArray text = readAll(m_path);
        // The web backend went with the comment above it; mail's lines are all still there.
        QVERIFY(!text.contains("web"));
        QVERIFY(text.startsWith("# My tunnels. Do not lose this comment.\nbackends:\n"
                                "  # Mail, switched off.\n  - name: mail\n"));
        // The new backend follows the file's habits: a blank line between backends, strings
        // quoted as most of the file's are.
        QVERIFY2(
            text.contains("      993: \"127.0.0.1:993\"   # legacy form\n\n  - name: \"ssh\"\n"),
            text.constData());
        QVERIFY(text.endsWith("# end of file\n"));
        const ConfigLoadResult loaded = loadConfigText(text);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.config.backends.size(), 2);
        QCOMPARE(loaded.config.backends.at(1).name, QStringLiteral("ssh"));
        QCOMPARE(loaded.config.backends.at(1).portMappings.value(443).defaultTarget,
                 QStringLiteral("127.0.0.1:8443"));
    }

    // tcpPorts, udpRoutes, outbound and socks5ListenAddr (issue 14): edited in the form, saved
    // in place, shown again by a new editor; a bad item is named before saving.
    void portsAndOutboundFields() {
        {
            ConfigEditorDialog editor(m_path);
            editor.selectBackend(0);
            auto* tcp = editor.findChild<QLineEdit*>(QStringLiteral("tcpPortsEdit"));
            auto* udp = editor.findChild<QLineEdit*>(QStringLiteral("udpRoutesEdit"));
            auto* outbound = editor.findChild<QCheckBox*>(QStringLiteral("outboundAllowedCheck"));
            auto* outboundPorts = editor.findChild<QLineEdit*>(QStringLiteral("outboundPortsEdit"));
            auto* socks = editor.findChild<QLineEdit*>(QStringLiteral("socks5ListenEdit"));
            QVERIFY(tcp && udp && outbound && outboundPorts && socks);
            QVERIFY(tcp->text().isEmpty() && udp->text().isEmpty() && !outbound->isChecked());

            udp->setText(QStringLiteral("53:30, x"));
            QVERIFY2(editor.errorText().contains(QLatin1String("\"x\"")),
                     qPrintable(editor.errorText()));
            tcp->setText(QStringLiteral("22 2222"));
            udp->setText(QStringLiteral("53:30, 67, 5353:0"));
            outbound->setChecked(true);
            outboundPorts->setText(QStringLiteral("25, 587"));
            socks->setText(QStringLiteral("127.0.0.1:1080"));
            QVERIFY2(editor.errorText().isEmpty(), qPrintable(editor.errorText()));
            QVERIFY2(editor.save(), qPrintable(editor.lastSaveError()));
        }
        const QByteArray text = readAll(m_path);
        QVERIFY(text.contains("# My tunnels. Do not lose this comment."));
        QVERIFY(text.contains("    weight: 2            # twice the share"));
        const ConfigLoadResult loaded = loadConfigText(text);
        QVERIFY(loaded.ok());
        const BackendConfig& web = loaded.config.backends.at(0);
        QCOMPARE(web.tcpPorts, (QList<int>{22, 2222}));
        QCOMPARE(web.udpRoutes.size(), 3);
        QCOMPARE(web.udpRoutes.at(0).port, 53);
        QCOMPARE(web.udpRoutes.at(0).flowIdleTimeoutSeconds, std::optional<int>(30));
        QCOMPARE(web.udpRoutes.at(1).flowIdleTimeoutSeconds, std::optional<int>()); // hub default
        QCOMPARE(web.udpRoutes.at(2).flowIdleTimeoutSeconds, std::optional<int>(0));
        QVERIFY(web.attestation.outboundAllowed);
        QCOMPARE(web.attestation.allowedOutboundPorts, (QList<int>{25, 587}));
        QCOMPARE(web.socks5ListenAddr, QStringLiteral("127.0.0.1:1080"));
        QCOMPARE(loaded.config.backends.at(1).tcpPorts, QList<int>()); // mail untouched

        ConfigEditorDialog again(m_path);
        again.selectBackend(0);
        QCOMPARE(again.findChild<QLineEdit*>(QStringLiteral("udpRoutesEdit"))->text(),
                 QStringLiteral("53:30, 67, 5353:0"));
        QCOMPARE(again.findChild<QLineEdit*>(QStringLiteral("tcpPortsEdit"))->text(),
                 QStringLiteral("22, 2222"));
    }

    void fileThatCannotBeEditedInPlaceIsRewrittenOnlyAfterAWarning() {
        const QByteArray anchored = "# shared relays\n"
                                    "backends:\n"
                                    "  - name: a\n"
                                    "    hostnames: [a.example.com]\n"
                                    "    nexusAddresses: &relays [\"wss://r.example.com/c\"]\n"
                                    "    attestation: {hmacSecret: x}\n"
                                    "    portMappings: {80: \"127.0.0.1:80\"}\n"
                                    "  - name: b\n"
                                    "    hostnames: [b.example.com]\n"
                                    "    nexusAddresses: *relays\n"
                                    "    attestation: {hmacSecret: y}\n"
                                    "    portMappings: {80: \"127.0.0.1:81\"}\n";
        writeAll(m_path, anchored);
        ConfigEditorDialog editor(m_path);
        QSignalSpy saved(&editor, &ConfigEditorDialog::configSaved);
        editor.selectBackend(0);
        editor.findChild<QSpinBox*>(QStringLiteral("weightSpin"))->setValue(3);
        // Said before saving, as the user edits.
        const QString note = editor.findChild<QLabel*>(QStringLiteral("errorLabel"))->text();
        QVERIFY2(note.contains(QLatin1String("anchors")) &&
                     note.contains(QLatin1String("comments")),
                 qPrintable(note));
        QVERIFY(editor.errorText().isEmpty()); // not an error: Save stays possible

        QVERIFY(!editor.save());
        QVERIFY2(editor.lastSaveError().contains(QLatin1String("Save again")),
                 qPrintable(editor.lastSaveError()));
        QCOMPARE(saved.size(), 0);
        QCOMPARE(readAll(m_path), anchored);

        QVERIFY2(editor.save(), qPrintable(editor.lastSaveError()));
        QCOMPARE(saved.size(), 1);
        const QByteArray text = readAll(m_path);
        QVERIFY(!text.contains("# shared relays"));
        const ConfigLoadResult loaded = loadConfigText(text);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded.config.backends.at(0).weight, 3);
        QCOMPARE(loaded.config.backends.at(1).nexusAddresses,
                 QStringList{QStringLiteral("wss://r.example.com/c")});
    }
};

QTEST_MAIN(TestConfigEditor)
#include "tst_configeditor.moc"
