// Every view and action of the tray UI is reachable by keyboard and has an accessible name: walks
// the real widgets of the status window, the configuration editor (form with a backend, YAML tab)
// and the tray menu, as a screen reader and a keyboard user meet them. A widget a user can act on
// (button, field, box, list, table, text area) must take Tab focus, sit in its window's focus
// chain, and have a non-empty accessible name (its text, its label's buddy, or set explicitly);
// every menu entry and window action has text.
#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextEdit>
#include <QtTest>

#include "editor/ConfigEditorDialog.h"
#include "nexustray/Client.h"
#include "status/StatusWindow.h"
#include "tray/TrayController.h"

using namespace nexustray;
using namespace nexustray::ui;

namespace {

// A widget a user acts on (as opposed to labels, frames and containers).
bool isInteractive(const QWidget* w) {
    return qobject_cast<const QAbstractButton*>(w) || qobject_cast<const QLineEdit*>(w) ||
           qobject_cast<const QComboBox*>(w) || qobject_cast<const QAbstractItemView*>(w) ||
           qobject_cast<const QAbstractSpinBox*>(w) || qobject_cast<const QPlainTextEdit*>(w) ||
           qobject_cast<const QTextEdit*>(w);
}

QString describe(const QWidget* w) {
    QStringList path;
    for (const QWidget* p = w; p; p = p->parentWidget()) {
        path.prepend(QStringLiteral("%1(%2)").arg(QString::fromLatin1(p->metaObject()->className()),
                                                  p->objectName()));
    }
    return path.join(QLatin1String(" > "));
}

QString accessibleName(QWidget* w) {
    QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(w);
    return iface ? iface->text(QAccessible::Name).trimmed() : QString();
}

// The interactive widgets the user can see in `window` (every tab page is visited: QTabWidget
// hides the pages that are not current, so visibility is checked relative to the page).
QList<QWidget*> interactiveWidgets(QWidget* window) {
    QList<QWidget*> out;
    for (QWidget* w : window->findChildren<QWidget*>()) {
        if (!isInteractive(w) || w->isHidden())
            continue;
        // Parts of composite widgets (a combo box's list, a spin box's line edit, a table's
        // scroll bars and header buttons) are reached through their owner.
        if (qobject_cast<QComboBox*>(w->parentWidget()) ||
            qobject_cast<QAbstractSpinBox*>(w->parentWidget()) ||
            qobject_cast<QAbstractItemView*>(w->parentWidget()) ||
            QByteArray(w->metaObject()->className()) == "QTabBar" ||
            w->inherits("QComboBoxListView") || w->inherits("QTableCornerButton"))
            continue;
        bool hiddenByAncestor = false;
        for (QWidget* p = w->parentWidget(); p && p != window; p = p->parentWidget())
            hiddenByAncestor |= p->isHidden() && !(p->parentWidget() &&
                                                   p->parentWidget()->inherits("QStackedWidget"));
        if (!hiddenByAncestor)
            out << w;
    }
    return out;
}

QStringList problemsOf(QWidget* window) {
    QStringList problems;
    QSet<QWidget*> chain;
    QWidget* w = window;
    do {
        chain.insert(w);
        w = w->nextInFocusChain();
    } while (w && w != window && chain.size() < 10000);

    for (QWidget* widget : interactiveWidgets(window)) {
        if (!(widget->focusPolicy() & Qt::TabFocus))
            problems << QStringLiteral("no Tab focus: %1").arg(describe(widget));
        if (!chain.contains(widget))
            problems << QStringLiteral("not in the focus chain: %1").arg(describe(widget));
        if (accessibleName(widget).isEmpty())
            problems << QStringLiteral("no accessible name: %1").arg(describe(widget));
    }
    for (QAction* action : window->findChildren<QAction*>()) {
        if (!action->isSeparator() && action->isVisible() && action->text().trimmed().isEmpty() &&
            action->parent() != nullptr && !action->parent()->inherits("QLineEdit"))
            problems << QStringLiteral("action without text in %1").arg(describe(window));
    }
    return problems;
}

QByteArray configText() {
    return "backends:\n"
           "  - name: web\n"
           "    hostnames: [\"web.example.com\"]\n"
           "    nexusAddresses: [\"wss://127.0.0.1:9/connect\"]\n"
           "    attestation:\n"
           "      hmacSecret: \"secret\"\n"
           "    portMappings:\n"
           "      443: \"127.0.0.1:8443\"\n";
}

} // namespace

class TestAccessibility : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("xdg-config")).toUtf8());
        QAccessible::setActive(true);
    }

    void statusWindowIsKeyboardReachableAndNamed() {
        Client client{Config{}};
        TrayController::Options options;
        options.useTray = false;
        TrayController tray(&client, options);
        StatusWindow* window = tray.statusWindow();
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        const QStringList problems = problemsOf(window);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY(interactiveWidgets(window).size() >= 6); // the walk found the window's parts
    }

    void editorIsKeyboardReachableAndNamed() {
        const QString path = m_dir.filePath(QStringLiteral("config.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(configText());
        f.close();
        ConfigEditorDialog dialog(path);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QStringList problems = problemsOf(&dialog);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY(interactiveWidgets(&dialog).size() >= 10);

        // Each attestation kind shows its own fields: all of them are named and reachable too.
        auto* mode = dialog.findChild<QComboBox*>(QStringLiteral("attestationMode"));
        QVERIFY(mode && mode->count() >= 3);
        for (int i = 0; i < mode->count(); ++i) {
            mode->setCurrentIndex(i);
            const QStringList shown = problemsOf(&dialog);
            QVERIFY2(shown.isEmpty(), qPrintable(mode->itemText(i) + QLatin1String(": ") +
                                                 shown.join(QLatin1Char('\n'))));
        }
    }

    void trayMenuEntriesHaveText() {
        Client client{Config{}};
        TrayController::Options options;
        options.useTray = false;
        TrayController tray(&client, options);
        QVERIFY(!tray.menu()->actions().isEmpty());
        for (QAction* action : tray.menu()->actions()) {
            if (!action->isSeparator())
                QVERIFY2(!action->text().trimmed().isEmpty(), "a tray menu entry has no text");
        }
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
