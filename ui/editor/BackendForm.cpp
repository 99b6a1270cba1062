#include "BackendForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "KeyringMove.h"
#include "PortListText.h"

namespace nexustray::ui {

namespace {

enum AttestationMode { SecretFileMode = 0, SecretMode = 1, CommandMode = 2, KeyringMode = 3 };
enum MappingColumn { MappingPort = 0, MappingHost = 1, MappingTarget = 2 };

// Field labels, in the order they are created (retranslate() walks them by index).
const char* const kFieldLabels[] = {
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Name:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Enabled:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Hostnames (one per line):"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Relay addresses (one per line):"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Weight:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "TLS CA file:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Attestation:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Secret file:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Secret:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Command:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Arguments:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Command timeout (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Cache handshake tokens (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Token lifetime (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Health checks:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Ping after silence (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Pong timeout (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "TCP ports:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "UDP routes:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Outbound:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "Allowed outbound ports:"),
    QT_TRANSLATE_NOOP("nexustray::ui::BackendForm", "SOCKS5 listen address:"),
};

QStringList linesOf(const QPlainTextEdit* edit) {
    QStringList out;
    const QStringList lines = edit->toPlainText().split(QLatin1Char('\n'));
    for (const QString& line : lines) {
        const QString t = line.trimmed();
        if (!t.isEmpty())
            out << t;
    }
    return out;
}

QString joinArgs(const QStringList& args) {
    QStringList quoted;
    for (const QString& a : args) {
        if (a.isEmpty() || a.contains(QLatin1Char(' ')) || a.contains(QLatin1Char('"')))
            quoted << QLatin1Char('"') +
                          QString(a).replace(QLatin1Char('"'), QLatin1String("\"\"\"")) +
                          QLatin1Char('"');
        else
            quoted << a;
    }
    return quoted.join(QLatin1Char(' '));
}

// The spin box's value, or `stored` when the box shows it clamped to its range (e.g. a health
// check's 0 shown as 1): a field the user did not touch does not change the file.
int spinValue(const QSpinBox* spin, int stored) {
    return spin->value() == qBound(spin->minimum(), stored, spin->maximum()) ? stored
                                                                             : spin->value();
}

QSpinBox* makeSpin(QWidget* parent, const QString& name, int min, int max) {
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(name);
    spin->setRange(min, max);
    return spin;
}

} // namespace

BackendForm::BackendForm(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("backendForm"));
    auto field = [this](QFormLayout* form, QWidget* widget) {
        auto* label = new QLabel(widget->parentWidget());
        label->setBuddy(widget);
        m_labels << label;
        form->addRow(label, widget);
    };

    m_general = new QGroupBox(this);
    m_general->setObjectName(QStringLiteral("generalGroup"));
    auto* generalForm = new QFormLayout(m_general);
    m_name = new QLineEdit(m_general);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    field(generalForm, m_name);
    m_enabled = new QCheckBox(m_general);
    m_enabled->setObjectName(QStringLiteral("enabledCheck"));
    field(generalForm, m_enabled);
    m_hostnames = new QPlainTextEdit(m_general);
    m_hostnames->setObjectName(QStringLiteral("hostnamesEdit"));
    m_hostnames->setMaximumHeight(80);
    field(generalForm, m_hostnames);
    m_addresses = new QPlainTextEdit(m_general);
    m_addresses->setObjectName(QStringLiteral("addressesEdit"));
    m_addresses->setMaximumHeight(64);
    field(generalForm, m_addresses);
    m_weight = makeSpin(m_general, QStringLiteral("weightSpin"), 1, 1000000);
    field(generalForm, m_weight);
    auto* caRow = new QWidget(m_general);
    auto* caLayout = new QHBoxLayout(caRow);
    caLayout->setContentsMargins(0, 0, 0, 0);
    m_caFile = new QLineEdit(caRow);
    m_caFile->setObjectName(QStringLiteral("caFileEdit"));
    m_browseCa = new QPushButton(caRow);
    caLayout->addWidget(m_caFile, 1);
    caLayout->addWidget(m_browseCa);
    field(generalForm, caRow);
    connect(m_browseCa, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("TLS CA file"), QFileInfo(m_caFile->text()).absolutePath(),
            tr("PEM files (*.pem *.crt);;All files (*)"));
        if (!file.isEmpty())
            m_caFile->setText(file);
    });

    m_attestation = new QGroupBox(this);
    m_attestation->setObjectName(QStringLiteral("attestationGroup"));
    auto* attestationForm = new QFormLayout(m_attestation);
    m_attestationMode = new QComboBox(m_attestation);
    m_attestationMode->setObjectName(QStringLiteral("attestationMode"));
    m_attestationMode->addItems({QString(), QString(), QString(), QString()});
    field(attestationForm, m_attestationMode);
    m_secretFile = new QLineEdit(m_attestation);
    m_secretFile->setObjectName(QStringLiteral("secretFileEdit"));
    field(attestationForm, m_secretFile);
    m_secret = new QLineEdit(m_attestation);
    m_secret->setObjectName(QStringLiteral("secretEdit"));
    m_secret->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    field(attestationForm, m_secret);
    m_storeInKeyring = new QPushButton(m_attestation);
    m_storeInKeyring->setObjectName(QStringLiteral("storeInKeyringButton"));
    m_keyringStatus = new QLabel(m_attestation);
    m_keyringStatus->setObjectName(QStringLiteral("keyringStatus"));
    m_keyringStatus->setWordWrap(true);
    auto* keyringRow = new QHBoxLayout;
    keyringRow->addWidget(m_storeInKeyring);
    keyringRow->addWidget(m_keyringStatus, 1);
    attestationForm->addRow(keyringRow);
    m_keyringMove = new KeyringMove(this);
    connect(m_storeInKeyring, &QPushButton::clicked, this, &BackendForm::storeInKeyring);
    connect(m_keyringMove, &KeyringMove::finished, this, &BackendForm::onKeyringMoved);
    m_command = new QLineEdit(m_attestation);
    m_command->setObjectName(QStringLiteral("commandEdit"));
    field(attestationForm, m_command);
    m_args = new QLineEdit(m_attestation);
    m_args->setObjectName(QStringLiteral("argsEdit"));
    field(attestationForm, m_args);
    m_timeout = makeSpin(m_attestation, QStringLiteral("timeoutSpin"), 1, 3600);
    field(attestationForm, m_timeout);
    m_cacheHandshake = makeSpin(m_attestation, QStringLiteral("cacheHandshakeSpin"), 0, 86400);
    field(attestationForm, m_cacheHandshake);
    m_tokenTtl = makeSpin(m_attestation, QStringLiteral("tokenTtlSpin"), 1, 86400);
    field(attestationForm, m_tokenTtl);
    connect(m_attestationMode, &QComboBox::currentIndexChanged, this,
            &BackendForm::updateAttestationFields);

    m_mappings = new QGroupBox(this);
    m_mappings->setObjectName(QStringLiteral("mappingsGroup"));
    auto* mappingsLayout = new QVBoxLayout(m_mappings);
    m_portMappings = new QTableWidget(0, 3, m_mappings);
    m_portMappings->setObjectName(QStringLiteral("portMappingsTable"));
    m_portMappings->horizontalHeader()->setStretchLastSection(true);
    m_portMappings->horizontalHeader()->resizeSection(MappingHost, 220);
    m_portMappings->verticalHeader()->hide();
    m_portMappings->setMinimumHeight(120);
    m_addMapping = new QPushButton(m_mappings);
    m_addMapping->setObjectName(QStringLiteral("addMappingButton"));
    m_removeMapping = new QPushButton(m_mappings);
    connect(m_addMapping, &QPushButton::clicked, this, [this] {
        addPortMappingRow(443, QString(), QStringLiteral("127.0.0.1:8443"));
        onFieldEdited();
    });
    connect(m_removeMapping, &QPushButton::clicked, this, [this] {
        const int row = m_portMappings->currentRow();
        if (row >= 0) {
            m_portMappings->removeRow(row);
            onFieldEdited();
        }
    });
    auto* mappingButtons = new QHBoxLayout;
    mappingButtons->addWidget(m_addMapping);
    mappingButtons->addWidget(m_removeMapping);
    mappingButtons->addStretch(1);
    mappingsLayout->addWidget(m_portMappings);
    mappingsLayout->addLayout(mappingButtons);

    m_health = new QGroupBox(this);
    m_health->setObjectName(QStringLiteral("healthGroup"));
    auto* healthForm = new QFormLayout(m_health);
    m_healthEnabled = new QCheckBox(m_health);
    m_healthEnabled->setObjectName(QStringLiteral("healthEnabledCheck"));
    field(healthForm, m_healthEnabled);
    m_inactivity = makeSpin(m_health, QStringLiteral("inactivitySpin"), 1, 86400);
    field(healthForm, m_inactivity);
    m_pong = makeSpin(m_health, QStringLiteral("pongSpin"), 1, 3600);
    field(healthForm, m_pong);

    // Whole relay ports and outbound streams (protocol.md §8, §9).
    m_ports = new QGroupBox(this);
    m_ports->setObjectName(QStringLiteral("portsGroup"));
    auto* portsForm = new QFormLayout(m_ports);
    m_tcpPorts = new QLineEdit(m_ports);
    m_tcpPorts->setObjectName(QStringLiteral("tcpPortsEdit"));
    field(portsForm, m_tcpPorts);
    m_udpRoutes = new QLineEdit(m_ports);
    m_udpRoutes->setObjectName(QStringLiteral("udpRoutesEdit"));
    field(portsForm, m_udpRoutes);
    m_outboundAllowed = new QCheckBox(m_ports);
    m_outboundAllowed->setObjectName(QStringLiteral("outboundAllowedCheck"));
    field(portsForm, m_outboundAllowed);
    m_outboundPorts = new QLineEdit(m_ports);
    m_outboundPorts->setObjectName(QStringLiteral("outboundPortsEdit"));
    field(portsForm, m_outboundPorts);
    m_socks5Listen = new QLineEdit(m_ports);
    m_socks5Listen->setObjectName(QStringLiteral("socks5ListenEdit"));
    field(portsForm, m_socks5Listen);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("formNote"));
    m_note->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_note);
    layout->addWidget(m_general);
    layout->addWidget(m_attestation);
    layout->addWidget(m_mappings);
    layout->addWidget(m_health);
    layout->addWidget(m_ports);
    layout->addStretch(1);

    // Every edit is reported, so the dialog can store it in its model.
    const auto edited = [this] { onFieldEdited(); };
    for (QLineEdit* e : {m_name, m_secretFile, m_secret, m_command, m_args, m_caFile, m_tcpPorts,
                         m_udpRoutes, m_outboundPorts, m_socks5Listen})
        connect(e, &QLineEdit::textChanged, this, edited);
    for (QPlainTextEdit* e : {m_hostnames, m_addresses})
        connect(e, &QPlainTextEdit::textChanged, this, edited);
    for (QSpinBox* s : {m_weight, m_timeout, m_cacheHandshake, m_tokenTtl, m_inactivity, m_pong})
        connect(s, &QSpinBox::valueChanged, this, edited);
    for (QCheckBox* c : {m_enabled, m_healthEnabled, m_outboundAllowed})
        connect(c, &QCheckBox::toggled, this, edited);
    connect(m_attestationMode, &QComboBox::currentIndexChanged, this, edited);
    connect(m_portMappings, &QTableWidget::itemChanged, this, edited);

    retranslate();
}

BackendForm::~BackendForm() = default;

void BackendForm::retranslate() {
    for (int i = 0; i < m_labels.size() && i < int(std::size(kFieldLabels)); ++i)
        m_labels.at(i)->setText(tr(kFieldLabels[i]));
    m_browseCa->setText(tr("Browse…"));
    m_attestationMode->setItemText(SecretFileMode, tr("HMAC secret from a file"));
    m_attestationMode->setItemText(SecretMode, tr("HMAC secret in this file"));
    m_attestationMode->setItemText(CommandMode, tr("External token command"));
    m_attestationMode->setItemText(KeyringMode, tr("HMAC secret in the system keyring"));
    m_storeInKeyring->setText(tr("Store in keyring"));
    m_storeInKeyring->setToolTip(
        tr("Move the HMAC secret out of the config into the system keyring (service nexus-tray, "
           "key = the backend name) and use it from there"));
    m_enabled->setText(tr("connect this backend"));
    m_healthEnabled->setText(tr("send pings when the relay is silent"));
    m_hostnames->setPlaceholderText(tr("app.example.com\n*.preview.example.com"));
    m_addresses->setPlaceholderText(tr("wss://nexus.example.com/connect"));
    m_caFile->setPlaceholderText(tr("system certificates only"));
    m_caFile->setAccessibleName(tr("TLS CA file")); // its label names the row with the button
    m_portMappings->setAccessibleName(tr("Port mappings"));
    m_args->setPlaceholderText(tr("arguments separated by spaces; quote with \""));
    m_portMappings->setHorizontalHeaderLabels(
        {tr("Public port"), tr("Hostname (empty = default)"), tr("Local target (host:port)")});
    m_addMapping->setText(tr("Add mapping"));
    m_removeMapping->setText(tr("Remove mapping"));
    m_general->setTitle(tr("Backend"));
    m_attestation->setTitle(tr("Attestation"));
    m_mappings->setTitle(tr("Port mappings"));
    m_health->setTitle(tr("Health checks"));
    m_ports->setTitle(tr("Whole ports and outbound"));
    m_tcpPorts->setPlaceholderText(tr("e.g. 22, 443 (routed by the port mapping's default)"));
    m_udpRoutes->setPlaceholderText(tr("e.g. 53, 5353:30 (port or port:idle seconds)"));
    m_outboundAllowed->setText(tr("allow outbound connections through the relay"));
    m_outboundPorts->setPlaceholderText(tr("all ports the relay allows"));
    m_socks5Listen->setPlaceholderText(tr("off, e.g. 127.0.0.1:1080"));
    m_note->setText(tr("Saving from this form changes only the keys you edited: the file's "
                       "comments and formatting are kept. Where that is not possible, the "
                       "editor says so before it rewrites the whole file."));
}

void BackendForm::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void BackendForm::load(const BackendConfig& b) {
    m_loading = true;
    m_name->setText(b.name);
    m_enabled->setChecked(b.enabled);
    m_hostnames->setPlainText(b.hostnames.join(QLatin1Char('\n')));
    m_addresses->setPlainText(b.nexusAddresses.join(QLatin1Char('\n')));
    m_weight->setValue(qMax(1, b.weight));
    m_caFile->setText(b.tls.caFile);
    const AttestationConfig& a = b.attestation;
    m_attestationMode->setCurrentIndex(a.usesCommand()               ? CommandMode
                                       : a.usesKeyring()             ? KeyringMode
                                       : !a.hmacSecretFile.isEmpty() ? SecretFileMode
                                       : !a.hmacSecret.isEmpty()     ? SecretMode
                                                                     : SecretFileMode);
    m_keyringStatus->clear();
    m_secretFile->setText(a.hmacSecretFile);
    m_secret->setText(a.hmacSecret);
    m_command->setText(a.command);
    m_args->setText(joinArgs(a.args));
    m_timeout->setValue(a.timeoutSeconds);
    m_cacheHandshake->setValue(a.cacheHandshakeSeconds);
    m_tokenTtl->setValue(a.tokenTTLSeconds);
    m_portMappings->setRowCount(0);
    for (auto it = b.portMappings.cbegin(); it != b.portMappings.cend(); ++it) {
        if (!it->defaultTarget.isEmpty())
            addPortMappingRow(it.key(), QString(), it->defaultTarget);
        for (auto h = it->hosts.cbegin(); h != it->hosts.cend(); ++h)
            addPortMappingRow(it.key(), h.key(), h.value());
    }
    m_healthEnabled->setChecked(b.healthChecks.enabled);
    m_inactivity->setValue(b.healthChecks.inactivityTimeoutSeconds);
    m_pong->setValue(b.healthChecks.pongTimeoutSeconds);
    m_tcpPorts->setText(PortListText::formatPortList(b.tcpPorts));
    m_udpRoutes->setText(PortListText::formatUdpRoutes(b.udpRoutes));
    m_outboundAllowed->setChecked(a.outboundAllowed);
    m_outboundPorts->setText(PortListText::formatPortList(a.allowedOutboundPorts));
    m_socks5Listen->setText(b.socks5ListenAddr);
    updateAttestationFields();
    m_loading = false;
}

QStringList BackendForm::store(BackendConfig* backend) const {
    QStringList problems;
    BackendConfig& b = *backend;
    b.name = m_name->text().trimmed();
    b.enabled = m_enabled->isChecked();
    b.hostnames = linesOf(m_hostnames);
    b.nexusAddresses = linesOf(m_addresses);
    b.weight = spinValue(m_weight, b.weight);
    b.tls.caFile = m_caFile->text().trimmed();
    AttestationConfig& a = b.attestation;
    const int mode = m_attestationMode->currentIndex();
    a.hmacSecretFile = mode == SecretFileMode ? m_secretFile->text().trimmed() : QString();
    a.hmacSecret = mode == SecretMode ? m_secret->text().trimmed() : QString();
    a.command = mode == CommandMode ? m_command->text().trimmed() : QString();
    a.args = mode == CommandMode ? QProcess::splitCommand(m_args->text()) : QStringList();
    a.hmacSecretKeyring = mode == KeyringMode;
    a.timeoutSeconds = spinValue(m_timeout, a.timeoutSeconds);
    a.cacheHandshakeSeconds = spinValue(m_cacheHandshake, a.cacheHandshakeSeconds);
    a.tokenTTLSeconds = spinValue(m_tokenTtl, a.tokenTTLSeconds);
    b.portMappings.clear();
    for (int row = 0; row < m_portMappings->rowCount(); ++row) {
        auto text = [this, row](int column) {
            const QTableWidgetItem* item = m_portMappings->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        bool ok = false;
        const int port = text(MappingPort).toInt(&ok);
        if (!ok || port < 1 || port > 65535) {
            problems << tr("Port mappings, row %1: \"%2\" is not a port number (1-65535).")
                            .arg(row + 1)
                            .arg(text(MappingPort));
            continue;
        }
        const QString host = text(MappingHost);
        const QString target = text(MappingTarget);
        if (target.isEmpty()) {
            problems << tr("Port mappings, row %1: the local target is empty.").arg(row + 1);
            continue;
        }
        PortMapping& mapping = b.portMappings[port];
        if (host.isEmpty()) {
            if (!mapping.defaultTarget.isEmpty())
                problems << tr("Port mappings, row %1: port %2 already has a default target.")
                                .arg(row + 1)
                                .arg(port);
            mapping.defaultTarget = target;
        } else {
            mapping.hosts.insert(host, target);
        }
    }
    b.healthChecks.enabled = m_healthEnabled->isChecked();
    b.healthChecks.inactivityTimeoutSeconds =
        spinValue(m_inactivity, b.healthChecks.inactivityTimeoutSeconds);
    b.healthChecks.pongTimeoutSeconds = spinValue(m_pong, b.healthChecks.pongTimeoutSeconds);
    b.tcpPorts = PortListText::parsePortList(m_tcpPorts->text(), tr("TCP ports"), &problems);
    b.udpRoutes = PortListText::parseUdpRoutes(m_udpRoutes->text(), tr("UDP routes"), &problems);
    a.outboundAllowed = m_outboundAllowed->isChecked();
    a.allowedOutboundPorts = PortListText::parsePortList(m_outboundPorts->text(),
                                                         tr("Allowed outbound ports"), &problems);
    b.socks5ListenAddr = m_socks5Listen->text().trimmed();
    return problems;
}

void BackendForm::focusName() {
    m_name->setFocus();
    m_name->selectAll();
}

void BackendForm::addPortMappingRow(int port, const QString& host, const QString& target) {
    const bool loading = m_loading;
    m_loading = true;
    const int row = m_portMappings->rowCount();
    m_portMappings->insertRow(row);
    m_portMappings->setItem(row, MappingPort, new QTableWidgetItem(QString::number(port)));
    m_portMappings->setItem(row, MappingHost, new QTableWidgetItem(host));
    m_portMappings->setItem(row, MappingTarget, new QTableWidgetItem(target));
    m_loading = loading;
}

void BackendForm::updateAttestationFields() {
    auto* form = qobject_cast<QFormLayout*>(m_attestation->layout());
    if (!form)
        return;
    const int mode = m_attestationMode->currentIndex();
    form->setRowVisible(m_secretFile, mode == SecretFileMode);
    form->setRowVisible(m_secret, mode == SecretMode);
    form->setRowVisible(m_command, mode == CommandMode);
    form->setRowVisible(m_args, mode == CommandMode);
    form->setRowVisible(m_timeout, mode == CommandMode);
    form->setRowVisible(m_tokenTtl, mode != CommandMode);
    m_storeInKeyring->setVisible(mode == SecretMode || mode == SecretFileMode);
    m_storeInKeyring->setEnabled(!m_keyringMove->running());
}

void BackendForm::storeInKeyring() {
    const int mode = m_attestationMode->currentIndex();
    m_storeInKeyring->setEnabled(false);
    m_keyringStatus->setText(tr("Storing the secret in the system keyring…"));
    m_keyringMove->start(m_name->text(), mode == SecretMode ? m_secret->text() : QString(),
                         mode == SecretFileMode ? m_secretFile->text() : QString());
}

void BackendForm::onKeyringMoved(bool ok, const QString& message) {
    m_storeInKeyring->setEnabled(true);
    m_keyringStatus->setText(message);
    if (!ok)
        return;
    // The secret leaves the config: the backend now reads it from the keyring.
    m_secret->clear();
    m_secretFile->clear();
    m_attestationMode->setCurrentIndex(KeyringMode);
    onFieldEdited();
}

void BackendForm::onFieldEdited() {
    if (!m_loading)
        Q_EMIT edited();
}

} // namespace nexustray::ui
