#include "YamlTab.h"

#include <QEvent>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QVBoxLayout>

namespace nexustray::ui {

YamlTab::YamlTab(QWidget* parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("yamlTab"));
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("yamlNote"));
    m_note->setWordWrap(true);
    m_edit = new QPlainTextEdit(this);
    m_edit->setObjectName(QStringLiteral("rawEdit"));
    m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_edit->setTabChangesFocus(false);
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_loading)
            Q_EMIT edited();
    });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_note);
    layout->addWidget(m_edit, 1);
    retranslate();
}

YamlTab::~YamlTab() = default;

QString YamlTab::text() const {
    return m_edit->toPlainText();
}

void YamlTab::loadText(const QString& text) {
    m_loading = true;
    m_edit->setPlainText(text);
    m_loading = false;
}

void YamlTab::typeText(const QString& text) {
    m_edit->setPlainText(text);
}

void YamlTab::markLines(const QList<int>& lines) {
    QList<QTextEdit::ExtraSelection> selections;
    for (const int line : lines) {
        if (line <= 0)
            continue;
        const QTextBlock block = m_edit->document()->findBlockByNumber(line - 1);
        if (!block.isValid())
            continue;
        QTextEdit::ExtraSelection selection;
        selection.format.setBackground(QColor(0xff, 0xe0, 0xe0));
        selection.format.setProperty(QTextFormat::FullWidthSelection, true);
        selection.cursor = QTextCursor(block);
        selections << selection;
    }
    m_edit->setExtraSelections(selections);
}

void YamlTab::showRegeneratedNote() {
    m_note->setText(tr("This text was regenerated from the form: comments were not kept. Cancel "
                       "to keep the file as it was."));
}

void YamlTab::retranslate() {
    m_note->setText(tr("The file as it is, comments included. Errors are shown below as you "
                       "type."));
    m_edit->setAccessibleName(tr("Configuration file text"));
}

void YamlTab::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

} // namespace nexustray::ui
