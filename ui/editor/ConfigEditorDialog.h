// The configuration editor: a form for the backends (the list of backends beside a BackendForm for
// the selected one) and a raw YAML tab (YamlTab).
//
// - The YAML tab edits the file's text as it is: comments and layout are kept.
// - The form tab edits a Config; Save edits only the keys that changed in the file's text
//   (configedit::patchConfigText), so comments and formatting stay. Where that cannot be done
//   safely (e.g. YAML anchors) the dialog says so, and only a second Save rewrites the whole file
//   from the Config (comments are lost). Switching tabs carries the edits over: form -> YAML
//   shows the edited text, YAML -> form loads the text (only when it is valid).
// - Both are validated as the user types (loadConfigText): the exact error with its line and
//   column is shown, and in the YAML tab the line is highlighted.
// - Save refuses invalid text, keeps a ".bak" of the previous file and writes atomically
//   (configedit::saveConfigText); then configSaved() hands the loaded Config to the caller, which
//   applies it live.
#pragma once

#include <QDialog>

#include "nexustray/Config.h"

class QLabel;
class QListWidget;
class QPushButton;
class QTabWidget;
class QTimer;
class QWidget;

namespace nexustray::ui {

class BackendForm;
class YamlTab;

class ConfigEditorDialog : public QDialog {
    Q_OBJECT
public:
    enum class Tab { Form = 0, Yaml = 1 };

    // `path` is the file to edit; when it does not exist yet, the editor starts from a template.
    explicit ConfigEditorDialog(const QString& path, QWidget* parent = nullptr);
    ~ConfigEditorDialog() override;

    QString path() const { return m_path; }
    // (Re)reads the file from disk, discarding unsaved edits.
    void reload();

    // The YAML text that Save would write now.
    QByteArray currentText() const;
    QString rawText() const;
    void setRawText(const QString& text); // as if typed in the YAML tab (validates at once)
    void showTab(Tab tab);
    Tab currentTab() const;

    // Validates what Save would write; returns the errors (also shown in the dialog).
    QList<ConfigIssue> validateNow();
    QString errorText() const;

    // The form's model (what the form tab shows) and selecting a backend in it.
    Config formConfig() const { return m_form; }
    void selectBackend(int index);

    // Validates and writes; on success emits configSaved() and returns true. On failure the file
    // is untouched and the reason is shown.
    bool save();
    QString lastSaveError() const { return m_lastSaveError; }

Q_SIGNALS:
    void configSaved(const nexustray::Config& config);

public Q_SLOTS:
    void accept() override; // Save, then close when it worked

protected:
    void changeEvent(QEvent* event) override;

private:
    enum class Source { Yaml, Form }; // which tab holds the latest edits

    QWidget* buildFormTab();
    void retranslate();
    void onTabChanged(int index);
    void loadFormFromConfig();
    void loadBackendFields();
    void storeBackendFields();
    void onFormEdited();
    void onYamlEdited();
    void refreshBackendList();
    void addBackend();
    void removeBackend();
    void showIssues(const QList<ConfigIssue>& issues, bool fromYaml);
    // The form's Config was loaded from `text`: its edits are patched into it.
    void setFormBase(const QByteArray& text);
    // Why the form's edits cannot be saved in place (empty when they can).
    QString formRewriteReason() const;

    QString m_path;
    Config m_form;
    int m_current = -1;
    bool m_loadingList = false;
    Source m_source = Source::Yaml;
    bool m_formDirty = false;
    bool m_yamlDirtySinceForm = false;
    QString m_lastSaveError;
    // The text the form's Config was loaded from, and for each of its backends the index of the
    // backend in that text it was edited from (-1 = added in the form).
    QByteArray m_formBase;
    QList<int> m_origins;
    bool m_rewriteConfirmed = false; // the user saved once more after being told
    // The file as this editor last read or wrote it: Save refuses (once per outside change) to
    // overwrite changes made elsewhere in the meantime, e.g. a tunnel switched off from the tray
    // menu. A refusal remembers the file as it was shown to be changed; a second Save overwrites
    // only that very version, so a further outside change is refused again.
    QByteArray m_diskText;
    bool m_diskExisted = false;
    bool m_overwriteConfirmed = false;
    QByteArray m_confirmedText;
    bool m_confirmedExisted = false;
    QList<ConfigIssue> m_issues;
    QStringList m_formProblems; // problems the form finds before YAML (e.g. a bad port)

    QTabWidget* m_tabs = nullptr;
    QLabel* m_errorLabel = nullptr;
    QTimer* m_validateTimer = nullptr;
    QPushButton* m_saveButton = nullptr;
    QPushButton* m_cancelButton = nullptr;

    // Form tab.
    QListWidget* m_backendList = nullptr;
    QPushButton* m_addBackend = nullptr;
    QPushButton* m_removeBackend = nullptr;
    BackendForm* m_backendForm = nullptr;

    YamlTab* m_yamlTab = nullptr;
};

} // namespace nexustray::ui
