#include "ConfigEditorDialog.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "BackendForm.h"
#include "YamlTab.h"
#include "config/ConfigWriter.h"
#include "configedit/ConfigFileEditor.h"
#include "configedit/ConfigTextPatch.h"

namespace nexustray::ui {

namespace {

constexpr int kValidateDelayMs = 200;

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

} // namespace

ConfigEditorDialog::ConfigEditorDialog(const QString& path, QWidget* parent)
    : QDialog(parent)
    , m_path(path) {
    setObjectName(QStringLiteral("configEditor"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/nexus-tray.svg")));
    resize(900, 680);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("editorTabs"));
    m_tabs->addTab(buildFormTab(), QString());
    m_yamlTab = new YamlTab(m_tabs);
    connect(m_yamlTab, &YamlTab::edited, this, &ConfigEditorDialog::onYamlEdited);
    m_tabs->addTab(m_yamlTab, QString());
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

QWidget* ConfigEditorDialog::buildFormTab() {
    auto* page = new QWidget(m_tabs);
    m_backendList = new QListWidget(page);
    m_backendList->setObjectName(QStringLiteral("backendList"));
    m_addBackend = new QPushButton(page);
    m_addBackend->setObjectName(QStringLiteral("addBackendButton"));
    m_removeBackend = new QPushButton(page);
    m_removeBackend->setObjectName(QStringLiteral("removeBackendButton"));
    connect(m_addBackend, &QPushButton::clicked, this, &ConfigEditorDialog::addBackend);
    connect(m_removeBackend, &QPushButton::clicked, this, &ConfigEditorDialog::removeBackend);
    connect(m_backendList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_loadingList)
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
    m_backendForm = new BackendForm(scroll);
    // Every edit goes back into the form model.
    connect(m_backendForm, &BackendForm::edited, this, &ConfigEditorDialog::onFormEdited);
    scroll->setWidget(m_backendForm);

    auto* splitter = new QSplitter(Qt::Horizontal, page);
    splitter->addWidget(left);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({180, 700});
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(splitter);
    return page;
}

void ConfigEditorDialog::retranslate() {
    setWindowTitle(tr("nexus-tray configuration — %1").arg(QFileInfo(m_path).fileName()));
    m_tabs->setTabText(int(Tab::Form), tr("Form"));
    m_tabs->setTabText(int(Tab::Yaml), tr("YAML"));
    m_backendList->setAccessibleName(tr("Backends"));
    m_addBackend->setText(tr("Add backend"));
    m_removeBackend->setText(tr("Remove"));
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
    m_yamlTab->loadText(QString::fromUtf8(text));
    m_source = Source::Yaml;
    m_formDirty = false;
    m_yamlDirtySinceForm = false;
    const ConfigLoadResult loaded = loadConfigText(text, m_path);
    m_form = loaded.ok() ? loaded.config : Config();
    setFormBase(text);
    loadFormFromConfig();
    m_tabs->blockSignals(true);
    m_tabs->setCurrentIndex(int(loaded.ok() ? Tab::Form : Tab::Yaml));
    m_tabs->blockSignals(false);
    validateNow();
}

QByteArray ConfigEditorDialog::currentText() const {
    if (m_source == Source::Form) {
        const configedit::ConfigPatchResult patch =
            configedit::patchConfigText(m_formBase, m_form, m_origins);
        return patch.ok ? patch.text : configyaml::writeConfigYaml(m_form);
    }
    return m_yamlTab->text().toUtf8();
}

void ConfigEditorDialog::setFormBase(const QByteArray& text) {
    m_formBase = text;
    m_origins.clear();
    for (int i = 0; i < m_form.backends.size(); ++i)
        m_origins << i;
    m_rewriteConfirmed = false;
}

QString ConfigEditorDialog::formRewriteReason() const {
    if (m_source != Source::Form)
        return {};
    const configedit::ConfigPatchResult patch =
        configedit::patchConfigText(m_formBase, m_form, m_origins);
    return patch.ok ? QString() : patch.error;
}

QString ConfigEditorDialog::rawText() const {
    return m_yamlTab->text();
}

void ConfigEditorDialog::setRawText(const QString& text) {
    showTab(Tab::Yaml);
    m_yamlTab->typeText(text); // edited() marks the YAML as the source
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
        const ConfigLoadResult loaded = loadConfigText(m_yamlTab->text().toUtf8(), m_path);
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
        setFormBase(m_yamlTab->text().toUtf8());
        m_yamlDirtySinceForm = false;
        loadFormFromConfig();
        return;
    }
    // To the YAML tab: carry form edits over (edited in place, or regenerated when that cannot
    // be done).
    if (m_source == Source::Form && m_formDirty) {
        const bool regenerated = !formRewriteReason().isEmpty();
        const QByteArray text = currentText();
        m_yamlTab->loadText(QString::fromUtf8(text));
        setFormBase(text);
        m_formDirty = false;
        m_yamlDirtySinceForm = false;
        m_source = Source::Yaml;
        if (regenerated)
            m_yamlTab->showRegeneratedNote();
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
    m_loadingList = true;
    m_backendList->clear();
    for (const BackendConfig& b : std::as_const(m_form.backends))
        m_backendList->addItem(b.name.isEmpty() ? tr("(unnamed)") : b.name);
    m_backendList->setCurrentRow(m_current);
    m_loadingList = false;
    m_removeBackend->setEnabled(m_current >= 0);
}

void ConfigEditorDialog::selectBackend(int index) {
    m_backendList->setCurrentRow(index);
}

void ConfigEditorDialog::loadBackendFields() {
    m_backendForm->setEnabled(m_current >= 0);
    m_removeBackend->setEnabled(m_current >= 0);
    m_backendForm->load(m_current >= 0 ? m_form.backends.at(m_current) : BackendConfig());
}

void ConfigEditorDialog::storeBackendFields() {
    m_formProblems.clear();
    if (m_current < 0 || m_current >= m_form.backends.size())
        return;
    m_formProblems = m_backendForm->store(&m_form.backends[m_current]);
}

void ConfigEditorDialog::onFormEdited() {
    storeBackendFields();
    m_rewriteConfirmed = false;
    m_source = Source::Form;
    m_formDirty = true;
    if (m_current >= 0 && m_current < m_backendList->count()) {
        const QString name = m_form.backends.at(m_current).name;
        m_backendList->item(m_current)->setText(name.isEmpty() ? tr("(unnamed)") : name);
    }
    validateNow();
}

void ConfigEditorDialog::onYamlEdited() {
    m_source = Source::Yaml;
    m_yamlDirtySinceForm = true;
    m_validateTimer->start();
}

void ConfigEditorDialog::addBackend() {
    storeBackendFields();
    BackendConfig b;
    b.name = tr("backend-%1").arg(m_form.backends.size() + 1);
    m_form.backends.append(b);
    m_origins.append(-1);
    m_rewriteConfirmed = false;
    m_current = int(m_form.backends.size()) - 1;
    refreshBackendList();
    loadBackendFields();
    m_source = Source::Form;
    m_formDirty = true;
    validateNow();
    m_backendForm->focusName();
}

void ConfigEditorDialog::removeBackend() {
    if (m_current < 0)
        return;
    m_form.backends.removeAt(m_current);
    if (m_current < m_origins.size())
        m_origins.removeAt(m_current);
    m_rewriteConfirmed = false;
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
    const QString rewrite = lines.isEmpty() ? formRewriteReason() : QString();
    if (!rewrite.isEmpty()) {
        m_errorLabel->setText(
            tr("The configuration is valid, but the form's changes cannot be made in place (%1): "
               "saving rewrites the whole file, and its comments and formatting are lost.")
                .arg(rewrite));
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #b06000; }"));
    } else if (lines.isEmpty()) {
        m_errorLabel->setText(tr("The configuration is valid."));
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #1e8e3e; }"));
    } else {
        m_errorLabel->setText(lines.join(QLatin1Char('\n')));
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c5221f; }"));
    }
    m_saveButton->setEnabled(lines.isEmpty());

    QList<int> errorLines;
    if (fromYaml) {
        for (const ConfigIssue& issue : issues)
            errorLines << issue.line;
    }
    m_yamlTab->markLines(errorLines);
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
    const QString rewrite = formRewriteReason();
    if (!rewrite.isEmpty() && !m_rewriteConfirmed) {
        // The next Save is the user's explicit choice (for these very edits).
        m_rewriteConfirmed = true;
        m_lastSaveError =
            tr("Not saved: the form's changes cannot be made in place (%1). Saving rewrites the "
               "whole file from the form, and its comments and formatting are lost. Save again "
               "to rewrite it, or Cancel to keep the file as it is.")
                .arg(rewrite);
        m_errorLabel->setText(m_lastSaveError);
        m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c5221f; }"));
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
    m_yamlTab->loadText(QString::fromUtf8(text));
    m_form = result.config;
    setFormBase(text);
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
