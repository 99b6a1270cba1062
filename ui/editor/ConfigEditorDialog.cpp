#include "ConfigEditorDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

#include "config/ConfigWriter.h"
#include "configedit/ConfigFileEditor.h"

namespace nexustray::ui {

namespace {

constexpr int kValidateDelayMs = 200;

enum AttestationMode { SecretFileMode = 0, SecretMode = 1, CommandMode = 2 };
enum MappingColumn { MappingPort = 0, MappingHost = 1, MappingTarget = 2 };

// Form labels, in the order they are created (retranslate() walks them by index).
const char* const kFieldLabels[] = {
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Name:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Enabled:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Hostnames (one per line):"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Relay addresses (one per line):"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Weight:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "TLS CA file:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Attestation:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Secret file:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Secret:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Command:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Arguments:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Command timeout (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Cache handshake tokens (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Token lifetime (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Health checks:"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Ping after silence (s):"),
    QT_TRANSLATE_NOOP("nexustray::ui::ConfigEditorDialog", "Pong timeout (s):"),
};

const char kTemplate[] = "# nexus-tray configuration. config.example.yaml shows every key.\n"
                         "backends:\n"
                         "  - name: my-laptop\n"
                         "    hostnames: [\"app.example.com\"]\n"
                         "    nexusAddresses: [\"wss://nexus.example.com/connect\"]\n"
                         "    attestation:\n"
                         "      hmacSecretFile: /path/to/hmac.secret\n"
                         "    portMappings:\n"
                         "      443:\n"
                         "        default: \"127.0.0.1:8443\"\n";

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

QSpinBox* makeSpin(QWidget* parent, const QString& name, int min, int max) {
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(name);
    spin->setRange(min, max);
    return spin;
}

} // namespace

ConfigEditorDialog::ConfigEditorDialog(const QString& path, QWidget* parent)
    : QDialog(parent)
    , m_path(path) {
    setObjectName(QStringLiteral("configEditor"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/nexus-tray.svg")));
    resize(900, 680);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("editorTabs"));
    auto* formPage = new QWidget(m_tabs);
    auto* yamlPage = new QWidget(m_tabs);
    buildForm(formPage);
    buildYaml(yamlPage);
    m_tabs->addTab(formPage, QString());
    m_tabs->addTab(yamlPage, QString());
    connect(m_tabs, &QTabWidget::currentChanged, this, &ConfigEditorDialog::onTabChanged);

    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(this);
    m_saveButton = buttons->addButton(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    m_cancelButton = buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConfigEditorDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConfigEditorDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_errorLabel);
    layout->addWidget(buttons);

    m_validateTimer = new QTimer(this);
    m_validateTimer->setSingleShot(true);
    m_validateTimer->setInterval(kValidateDelayMs);
    connect(m_validateTimer, &QTimer::timeout, this, [this] { validateNow(); });

    retranslate();
    reload();
}

ConfigEditorDialog::~ConfigEditorDialog() = default;

void ConfigEditorDialog::buildForm(QWidget* page) {
    auto field = [this](QFormLayout* form, QWidget* widget) {
        auto* label = new QLabel(widget->parentWidget());
        label->setBuddy(widget);
        m_formLabels << label;
        form->addRow(label, widget);
    };

    m_backendList = new QListWidget(page);
    m_backendList->setObjectName(QStringLiteral("backendList"));
    m_addBackend = new QPushButton(page);
    m_addBackend->setObjectName(QStringLiteral("addBackendButton"));
    m_removeBackend = new QPushButton(page);
    m_removeBackend->setObjectName(QStringLiteral("removeBackendButton"));
    connect(m_addBackend, &QPushButton::clicked, this, &ConfigEditorDialog::addBackend);
    connect(m_removeBackend, &QPushButton::clicked, this, &ConfigEditorDialog::removeBackend);
    connect(m_backendList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_loadingFields)
            return;
        m_current = row;
        loadBackendFields();
    });
    auto* left = new QWidget(page);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_backendList, 1);
    auto* leftButtons = new QHBoxLayout;
    leftButtons->addWidget(m_addBackend);
    leftButtons->addWidget(m_removeBackend);
    leftLayout->addLayout(leftButtons);

    auto* scroll = new QScrollArea(page);
    scroll->setWidgetResizable(true);
    m_fields = new QWidget(scroll);
    auto* fieldsLayout = new QVBoxLayout(m_fields);

    auto* general = new QGroupBox(m_fields);
    general->setObjectName(QStringLiteral("generalGroup"));
    auto* generalForm = new QFormLayout(general);
    m_name = new QLineEdit(general);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    field(generalForm, m_name);
    m_enabled = new QCheckBox(general);
    m_enabled->setObjectName(QStringLiteral("enabledCheck"));
    field(generalForm, m_enabled);
    m_hostnames = new QPlainTextEdit(general);
    m_hostnames->setObjectName(QStringLiteral("hostnamesEdit"));
    m_hostnames->setMaximumHeight(80);
    field(generalForm, m_hostnames);
    m_addresses = new QPlainTextEdit(general);
    m_addresses->setObjectName(QStringLiteral("addressesEdit"));
    m_addresses->setMaximumHeight(64);
    field(generalForm, m_addresses);
    m_weight = makeSpin(general, QStringLiteral("weightSpin"), 1, 1000000);
    field(generalForm, m_weight);
    auto* caRow = new QWidget(general);
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

    auto* attestation = new QGroupBox(m_fields);
    attestation->setObjectName(QStringLiteral("attestationGroup"));
    auto* attestationForm = new QFormLayout(attestation);
    m_attestationMode = new QComboBox(attestation);
    m_attestationMode->setObjectName(QStringLiteral("attestationMode"));
    m_attestationMode->addItems({QString(), QString(), QString()});
    field(attestationForm, m_attestationMode);
    m_secretFile = new QLineEdit(attestation);
    m_secretFile->setObjectName(QStringLiteral("secretFileEdit"));
    field(attestationForm, m_secretFile);
    m_secret = new QLineEdit(attestation);
    m_secret->setObjectName(QStringLiteral("secretEdit"));
    m_secret->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    field(attestationForm, m_secret);
    m_command = new QLineEdit(attestation);
    m_command->setObjectName(QStringLiteral("commandEdit"));
    field(attestationForm, m_command);
    m_args = new QLineEdit(attestation);
    m_args->setObjectName(QStringLiteral("argsEdit"));
    field(attestationForm, m_args);
    m_timeout = makeSpin(attestation, QStringLiteral("timeoutSpin"), 1, 3600);
    field(attestationForm, m_timeout);
    m_cacheHandshake = makeSpin(attestation, QStringLiteral("cacheHandshakeSpin"), 0, 86400);
    field(attestationForm, m_cacheHandshake);
    m_tokenTtl = makeSpin(attestation, QStringLiteral("tokenTtlSpin"), 1, 86400);
    field(attestationForm, m_tokenTtl);
    connect(m_attestationMode, &QComboBox::currentIndexChanged, this,
            &ConfigEditorDialog::updateAttestationFields);

    auto* mappings = new QGroupBox(m_fields);
    mappings->setObjectName(QStringLiteral("mappingsGroup"));
    auto* mappingsLayout = new QVBoxLayout(mappings);
    m_portMappings = new QTableWidget(0, 3, mappings);
    m_portMappings->setObjectName(QStringLiteral("portMappingsTable"));
    m_portMappings->horizontalHeader()->setStretchLastSection(true);
    m_portMappings->horizontalHeader()->resizeSection(MappingHost, 220);
    m_portMappings->verticalHeader()->hide();
    m_portMappings->setMinimumHeight(120);
    m_addMapping = new QPushButton(mappings);
    m_addMapping->setObjectName(QStringLiteral("addMappingButton"));
    m_removeMapping = new QPushButton(mappings);
    connect(m_addMapping, &QPushButton::clicked, this, [this] {
        addPortMappingRow(443, QString(), QStringLiteral("127.0.0.1:8443"));
        onFormEdited();
    });
    connect(m_removeMapping, &QPushButton::clicked, this, [this] {
        const int row = m_portMappings->currentRow();
        if (row >= 0) {
            m_portMappings->removeRow(row);
            onFormEdited();
        }
    });
    auto* mappingButtons = new QHBoxLayout;
    mappingButtons->addWidget(m_addMapping);
    mappingButtons->addWidget(m_removeMapping);
    mappingButtons->addStretch(1);
    mappingsLayout->addWidget(m_portMappings);
    mappingsLayout->addLayout(mappingButtons);

    auto* health = new QGroupBox(m_fields);
    health->setObjectName(QStringLiteral("healthGroup"));
    auto* healthForm = new QFormLayout(health);
    m_healthEnabled = new QCheckBox(health);
    m_healthEnabled->setObjectName(QStringLiteral("healthEnabledCheck"));
    field(healthForm, m_healthEnabled);
    m_inactivity = makeSpin(health, QStringLiteral("inactivitySpin"), 1, 86400);
    field(healthForm, m_inactivity);
    m_pong = makeSpin(health, QStringLiteral("pongSpin"), 1, 3600);
    field(healthForm, m_pong);

    m_formNote = new QLabel(m_fields);
    m_formNote->setObjectName(QStringLiteral("formNote"));
    m_formNote->setWordWrap(true);

    fieldsLayout->addWidget(m_formNote);
    fieldsLayout->addWidget(general);
    fieldsLayout->addWidget(attestation);
    fieldsLayout->addWidget(mappings);
    fieldsLayout->addWidget(health);
    fieldsLayout->addStretch(1);
    scroll->setWidget(m_fields);

    auto* splitter = new QSplitter(Qt::Horizontal, page);
    splitter->addWidget(left);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({180, 700});
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(splitter);

    // Every edit goes back into the form model.
    const auto edited = [this] { onFormEdited(); };
    for (QLineEdit* e : {m_name, m_secretFile, m_secret, m_command, m_args, m_caFile})
        connect(e, &QLineEdit::textChanged, this, edited);
    for (QPlainTextEdit* e : {m_hostnames, m_addresses})
        connect(e, &QPlainTextEdit::textChanged, this, edited);
    for (QSpinBox* s : {m_weight, m_timeout, m_cacheHandshake, m_tokenTtl, m_inactivity, m_pong})
        connect(s, &QSpinBox::valueChanged, this, edited);
    for (QCheckBox* c : {m_enabled, m_healthEnabled})
        connect(c, &QCheckBox::toggled, this, edited);
    connect(m_attestationMode, &QComboBox::currentIndexChanged, this, edited);
    connect(m_portMappings, &QTableWidget::itemChanged, this, edited);
}

void ConfigEditorDialog::buildYaml(QWidget* page) {
    m_yamlNote = new QLabel(page);
    m_yamlNote->setObjectName(QStringLiteral("yamlNote"));
    m_yamlNote->setWordWrap(true);
    m_raw = new QPlainTextEdit(page);
    m_raw->setObjectName(QStringLiteral("rawEdit"));
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_raw->setTabChangesFocus(false);
    connect(m_raw, &QPlainTextEdit::textChanged, this, [this] {
        if (m_loadingFields)
            return;
        m_source = Source::Yaml;
        m_yamlDirtySinceForm = true;
        m_validateTimer->start();
    });
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(m_yamlNote);
    layout->addWidget(m_raw, 1);
}

void ConfigEditorDialog::retranslate() {
    setWindowTitle(tr("nexus-tray configuration — %1").arg(QFileInfo(m_path).fileName()));
    m_tabs->setTabText(int(Tab::Form), tr("Form"));
    m_tabs->setTabText(int(Tab::Yaml), tr("YAML"));
    for (int i = 0; i < m_formLabels.size() && i < int(std::size(kFieldLabels)); ++i)
        m_formLabels.at(i)->setText(tr(kFieldLabels[i]));
    m_addBackend->setText(tr("Add backend"));
    m_removeBackend->setText(tr("Remove"));
    m_browseCa->setText(tr("Browse…"));
    m_attestationMode->setItemText(SecretFileMode, tr("HMAC secret from a file"));
    m_attestationMode->setItemText(SecretMode, tr("HMAC secret in this file"));
    m_attestationMode->setItemText(CommandMode, tr("External token command"));
    m_enabled->setText(tr("connect this backend"));
    m_healthEnabled->setText(tr("send pings when the relay is silent"));
    m_hostnames->setPlaceholderText(tr("app.example.com\n*.preview.example.com"));
    m_addresses->setPlaceholderText(tr("wss://nexus.example.com/connect"));
    m_caFile->setPlaceholderText(tr("system certificates only"));
    m_args->setPlaceholderText(tr("arguments separated by spaces; quote with \""));
    m_portMappings->setHorizontalHeaderLabels(
        {tr("Public port"), tr("Hostname (empty = default)"), tr("Local target (host:port)")});
    m_addMapping->setText(tr("Add mapping"));
    m_removeMapping->setText(tr("Remove mapping"));
    if (auto* g = m_fields->findChild<QGroupBox*>(QStringLiteral("generalGroup")))
        g->setTitle(tr("Backend"));
    if (auto* g = m_fields->findChild<QGroupBox*>(QStringLiteral("attestationGroup")))
        g->setTitle(tr("Attestation"));
    if (auto* g = m_fields->findChild<QGroupBox*>(QStringLiteral("mappingsGroup")))
        g->setTitle(tr("Port mappings"));
    if (auto* g = m_fields->findChild<QGroupBox*>(QStringLiteral("healthGroup")))
        g->setTitle(tr("Health checks"));
    m_formNote->setText(
        tr("Saving from this form rewrites the whole file: comments and formatting are not "
           "kept. Edit in the YAML tab to keep them."));
    m_yamlNote->setText(tr("The file as it is, comments included. Errors are shown below as "
                           "you type."));
    m_saveButton->setText(tr("Save and apply"));
    m_cancelButton->setText(tr("Cancel"));
}

void ConfigEditorDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        validateNow();
    }
    QDialog::changeEvent(event);
}

void ConfigEditorDialog::reload() {
    QByteArray text;
    QString error;
    m_diskExisted = QFileInfo::exists(m_path) && configedit::readConfigText(m_path, &text, &error);
    m_diskText = m_diskExisted ? text : QByteArray();
    m_overwriteConfirmed = false;
    if (!m_diskExisted)
        text = QByteArray(kTemplate);
    m_loadingFields = true;
    m_raw->setPlainText(QString::fromUtf8(text));
    m_loadingFields = false;
    m_source = Source::Yaml;
    m_formDirty = false;
    m_yamlDirtySinceForm = false;
    const ConfigLoadResult loaded = loadConfigText(text, m_path);
    m_form = loaded.ok() ? loaded.config : Config();
    loadFormFromConfig();
    m_tabs->blockSignals(true);
    m_tabs->setCurrentIndex(int(loaded.ok() ? Tab::Form : Tab::Yaml));
    m_tabs->blockSignals(false);
    validateNow();
}

QByteArray ConfigEditorDialog::currentText() const {
    if (m_source == Source::Form)
        return configyaml::writeConfigYaml(m_form);
    return m_raw->toPlainText().toUtf8();
}

QString ConfigEditorDialog::rawText() const {
    return m_raw->toPlainText();
}

void ConfigEditorDialog::setRawText(const QString& text) {
    showTab(Tab::Yaml);
    m_raw->setPlainText(text); // textChanged marks the YAML as the source
    validateNow();
}

void ConfigEditorDialog::showTab(Tab tab) {
    m_tabs->setCurrentIndex(int(tab));
}

ConfigEditorDialog::Tab ConfigEditorDialog::currentTab() const {
    return Tab(m_tabs->currentIndex());
}

void ConfigEditorDialog::onTabChanged(int index) {
    if (index == int(Tab::Form)) {
        if (m_source != Source::Yaml || !m_yamlDirtySinceForm)
            return;
        const ConfigLoadResult loaded = loadConfigText(m_raw->toPlainText().toUtf8(), m_path);
        if (!loaded.ok()) {
            m_tabs->blockSignals(true);
            m_tabs->setCurrentIndex(int(Tab::Yaml));
            m_tabs->blockSignals(false);
            showIssues(loaded.errors, true);
            m_errorLabel->setText(tr("Fix the YAML before switching to the form.") +
                                  QLatin1Char('\n') + m_errorLabel->text());
            return;
        }
        m_form = loaded.config;
        m_yamlDirtySinceForm = false;
        loadFormFromConfig();
        return;
    }
    // To the YAML tab: carry form edits over by regenerating the text.
    if (m_source == Source::Form && m_formDirty) {
        m_loadingFields = true;
        m_raw->setPlainText(QString::fromUtf8(configyaml::writeConfigYaml(m_form)));
        m_loadingFields = false;
        m_formDirty = false;
        m_yamlDirtySinceForm = false;
        m_source = Source::Yaml;
        m_yamlNote->setText(tr("This text was regenerated from the form: comments were not "
                               "kept. Cancel to keep the file as it was."));
        validateNow();
    }
}

void ConfigEditorDialog::loadFormFromConfig() {
    m_current =
        m_form.backends.isEmpty() ? -1 : qBound(0, m_current, int(m_form.backends.size()) - 1);
    refreshBackendList();
    loadBackendFields();
}

void ConfigEditorDialog::refreshBackendList() {
    m_loadingFields = true;
    m_backendList->clear();
    for (const BackendConfig& b : std::as_const(m_form.backends))
        m_backendList->addItem(b.name.isEmpty() ? tr("(unnamed)") : b.name);
    m_backendList->setCurrentRow(m_current);
    m_loadingFields = false;
    m_removeBackend->setEnabled(m_current >= 0);
}

void ConfigEditorDialog::selectBackend(int index) {
    m_backendList->setCurrentRow(index);
}

void ConfigEditorDialog::loadBackendFields() {
    m_fields->setEnabled(m_current >= 0);
    m_removeBackend->setEnabled(m_current >= 0);
    const BackendConfig b = m_current >= 0 ? m_form.backends.at(m_current) : BackendConfig();
    m_loadingFields = true;
    m_name->setText(b.name);
    m_enabled->setChecked(b.enabled);
    m_hostnames->setPlainText(b.hostnames.join(QLatin1Char('\n')));
    m_addresses->setPlainText(b.nexusAddresses.join(QLatin1Char('\n')));
    m_weight->setValue(qMax(1, b.weight));
    m_caFile->setText(b.tls.caFile);
    const AttestationConfig& a = b.attestation;
    m_attestationMode->setCurrentIndex(a.usesCommand()               ? CommandMode
                                       : !a.hmacSecretFile.isEmpty() ? SecretFileMode
                                       : !a.hmacSecret.isEmpty()     ? SecretMode
                                                                     : SecretFileMode);
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
    updateAttestationFields();
    m_loadingFields = false;
}

void ConfigEditorDialog::addPortMappingRow(int port, const QString& host, const QString& target) {
    const bool loading = m_loadingFields;
    m_loadingFields = true;
    const int row = m_portMappings->rowCount();
    m_portMappings->insertRow(row);
    m_portMappings->setItem(row, MappingPort, new QTableWidgetItem(QString::number(port)));
    m_portMappings->setItem(row, MappingHost, new QTableWidgetItem(host));
    m_portMappings->setItem(row, MappingTarget, new QTableWidgetItem(target));
    m_loadingFields = loading;
}

void ConfigEditorDialog::updateAttestationFields() {
    auto* form = qobject_cast<QFormLayout*>(m_secretFile->parentWidget()->layout());
    if (!form)
        return;
    const int mode = m_attestationMode->currentIndex();
    form->setRowVisible(m_secretFile, mode == SecretFileMode);
    form->setRowVisible(m_secret, mode == SecretMode);
    form->setRowVisible(m_command, mode == CommandMode);
    form->setRowVisible(m_args, mode == CommandMode);
    form->setRowVisible(m_timeout, mode == CommandMode);
    form->setRowVisible(m_tokenTtl, mode != CommandMode);
}

void ConfigEditorDialog::storeBackendFields() {
    m_formProblems.clear();
    if (m_current < 0 || m_current >= m_form.backends.size())
        return;
    BackendConfig& b = m_form.backends[m_current];
    b.name = m_name->text().trimmed();
    b.enabled = m_enabled->isChecked();
    b.hostnames = linesOf(m_hostnames);
    b.nexusAddresses = linesOf(m_addresses);
    b.weight = m_weight->value();
    b.tls.caFile = m_caFile->text().trimmed();
    AttestationConfig& a = b.attestation;
    const int mode = m_attestationMode->currentIndex();
    a.hmacSecretFile = mode == SecretFileMode ? m_secretFile->text().trimmed() : QString();
    a.hmacSecret = mode == SecretMode ? m_secret->text().trimmed() : QString();
    a.command = mode == CommandMode ? m_command->text().trimmed() : QString();
    a.args = mode == CommandMode ? QProcess::splitCommand(m_args->text()) : QStringList();
    a.timeoutSeconds = m_timeout->value();
    a.cacheHandshakeSeconds = m_cacheHandshake->value();
    a.tokenTTLSeconds = m_tokenTtl->value();
    b.portMappings.clear();
    for (int row = 0; row < m_portMappings->rowCount(); ++row) {
        auto text = [this, row](int column) {
            const QTableWidgetItem* item = m_portMappings->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        bool ok = false;
        const int port = text(MappingPort).toInt(&ok);
        if (!ok || port < 1 || port > 65535) {
            m_formProblems << tr("Port mappings, row %1: \"%2\" is not a port number (1-65535).")
                                  .arg(row + 1)
                                  .arg(text(MappingPort));
            continue;
        }
        const QString host = text(MappingHost);
        const QString target = text(MappingTarget);
        if (target.isEmpty()) {
            m_formProblems << tr("Port mappings, row %1: the local target is empty.").arg(row + 1);
            continue;
        }
        PortMapping& mapping = b.portMappings[port];
        if (host.isEmpty()) {
            if (!mapping.defaultTarget.isEmpty())
                m_formProblems << tr("Port mappings, row %1: port %2 already has a default "
                                     "target.")
                                      .arg(row + 1)
                                      .arg(port);
            mapping.defaultTarget = target;
        } else {
            mapping.hosts.insert(host, target);
        }
    }
    b.healthChecks.enabled = m_healthEnabled->isChecked();
    b.healthChecks.inactivityTimeoutSeconds = m_inactivity->value();
    b.healthChecks.pongTimeoutSeconds = m_pong->value();
}

void ConfigEditorDialog::onFormEdited() {
    if (m_loadingFields)
        return;
    storeBackendFields();
    m_source = Source::Form;
    m_formDirty = true;
    if (m_current >= 0 && m_current < m_backendList->count()) {
        const QString name = m_form.backends.at(m_current).name;
        m_backendList->item(m_current)->setText(name.isEmpty() ? tr("(unnamed)") : name);
    }
    validateNow();
}

void ConfigEditorDialog::addBackend() {
    storeBackendFields();
    BackendConfig b;
    b.name = tr("backend-%1").arg(m_form.backends.size() + 1);
    m_form.backends.append(b);
    m_current = int(m_form.backends.size()) - 1;
    refreshBackendList();
    loadBackendFields();
    m_source = Source::Form;
    m_formDirty = true;
    validateNow();
    m_name->setFocus();
    m_name->selectAll();
}

void ConfigEditorDialog::removeBackend() {
    if (m_current < 0)
        return;
    m_form.backends.removeAt(m_current);
    m_current = qMin(m_current, int(m_form.backends.size()) - 1);
    refreshBackendList();
    loadBackendFields();
    m_source = Source::Form;
    m_formDirty = true;
    validateNow();
}

QList<ConfigIssue> ConfigEditorDialog::validateNow() {
    m_validateTimer->stop();
    QList<ConfigIssue> issues;
    if (m_source == Source::Form && !m_formProblems.isEmpty()) {
        for (const QString& p : std::as_const(m_formProblems)) {
            ConfigIssue issue;
            issue.message = p;
            issues << issue;
        }
        showIssues(issues, false);
        return issues;
    }
    const ConfigLoadResult loaded = loadConfigText(currentText(), m_path);
    issues = loaded.errors;
    showIssues(issues, m_source == Source::Yaml);
    return issues;
}

void ConfigEditorDialog::showIssues(const QList<ConfigIssue>& issues, bool fromYaml) {
    m_issues = issues;
    QStringList lines;
    for (const ConfigIssue& issue : issues) {
        QString where;
        if (fromYaml && issue.line > 0)
            where = issue.column > 0 ? tr("Line %1, column %2").arg(issue.line).arg(issue.column)
                                     : tr("Line %1").arg(issue.line);
        QString text =
            issue.key.isEmpty() ? issue.message : issue.key + QStringLiteral(": ") + issue.message;
        lines << (where.isEmpty() ? text : where + QStringLiteral(": ") + text);
    }
    if (lines.isEmpty()) {
        m_errorLabel->setText(tr("The configuration is valid."));
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #1e8e3e; }"));
    } else {
        m_errorLabel->setText(lines.join(QLatin1Char('\n')));
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c5221f; }"));
    }
    m_saveButton->setEnabled(lines.isEmpty());

    QList<QTextEdit::ExtraSelection> selections;
    if (fromYaml) {
        for (const ConfigIssue& issue : issues) {
            if (issue.line <= 0)
                continue;
            const QTextBlock block = m_raw->document()->findBlockByNumber(issue.line - 1);
            if (!block.isValid())
                continue;
            QTextEdit::ExtraSelection selection;
            selection.format.setBackground(QColor(0xff, 0xe0, 0xe0));
            selection.format.setProperty(QTextFormat::FullWidthSelection, true);
            selection.cursor = QTextCursor(block);
            selections << selection;
        }
    }
    m_raw->setExtraSelections(selections);
}

QString ConfigEditorDialog::errorText() const {
    return m_issues.isEmpty() ? QString() : m_errorLabel->text();
}

bool ConfigEditorDialog::save() {
    m_lastSaveError.clear();
    const QList<ConfigIssue> issues = validateNow();
    if (!issues.isEmpty()) {
        m_lastSaveError = tr("Not saved: the configuration has errors.");
        m_errorLabel->setText(m_lastSaveError + QLatin1Char('\n') + m_errorLabel->text());
        return false;
    }
    const QByteArray text = currentText();
    QByteArray onDisk;
    QString readError;
    const bool existsNow =
        QFileInfo::exists(m_path) && configedit::readConfigText(m_path, &onDisk, &readError);
    const bool changedOutside = existsNow != m_diskExisted || onDisk != m_diskText;
    const bool confirmed =
        m_overwriteConfirmed && existsNow == m_confirmedExisted && onDisk == m_confirmedText;
    if (changedOutside && !confirmed) {
        // The next Save is the user's explicit choice - for this version of the file only.
        m_overwriteConfirmed = true;
        m_confirmedExisted = existsNow;
        m_confirmedText = onDisk;
        m_lastSaveError =
            tr("Not saved: %1 was changed outside the editor after it was opened (for example a "
               "tunnel switched on or off from the tray menu). Save again to replace those "
               "changes with yours, or close the editor without saving and open it again to "
               "start from the file.")
                .arg(m_path);
        m_errorLabel->setText(m_lastSaveError);
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c5221f; }"));
        return false;
    }
    const configedit::SaveResult result = configedit::saveConfigText(m_path, text);
    if (!result.ok) {
        if (!result.errors.isEmpty()) {
            showIssues(result.errors, m_source == Source::Yaml);
            m_lastSaveError = tr("Not saved: the configuration has errors.");
        } else {
            m_lastSaveError = tr("Not saved: %1").arg(result.ioError);
        }
        m_errorLabel->setText(m_lastSaveError + QLatin1Char('\n') + m_errorLabel->text());
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c5221f; }"));
        return false;
    }
    // What is on disk now is the reference for both tabs.
    m_diskText = text;
    m_diskExisted = true;
    m_overwriteConfirmed = false;
    m_loadingFields = true;
    m_raw->setPlainText(QString::fromUtf8(text));
    m_loadingFields = false;
    m_form = result.config;
    m_source = Source::Yaml;
    m_formDirty = false;
    m_yamlDirtySinceForm = false;
    loadFormFromConfig();
    m_errorLabel->setText(result.backupPath.isEmpty()
                              ? tr("Saved.")
                              : tr("Saved; the previous version is in %1.").arg(result.backupPath));
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #1e8e3e; }"));
    Q_EMIT configSaved(result.config);
    return true;
}

void ConfigEditorDialog::accept() {
    if (save())
        QDialog::accept();
}

} // namespace nexustray::ui
