// The config editor's YAML tab: the file's text as it is (comments and layout kept), in a
// fixed-width editor whose error lines can be highlighted, with a note above it.
#pragma once

#include <QList>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace nexustray::ui {

class YamlTab : public QWidget {
    Q_OBJECT
public:
    explicit YamlTab(QWidget* parent = nullptr);
    ~YamlTab() override;

    QString text() const;
    // Replaces the text without edited(): the editor loads a file or regenerates the text.
    void loadText(const QString& text);
    // Replaces the text as if the user typed it: edited() follows.
    void typeText(const QString& text);

    // Highlights these lines (1-based); an empty list clears the highlight.
    void markLines(const QList<int>& lines);
    // Says in the note that the text was regenerated from the form (until the next language
    // change).
    void showRegeneratedNote();

Q_SIGNALS:
    // The user changed the text.
    void edited();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    bool m_loading = false;
    QLabel* m_note = nullptr;
    QPlainTextEdit* m_edit = nullptr;
};

} // namespace nexustray::ui
