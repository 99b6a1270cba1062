// The UI's translations: compiled into the library, loaded for the user's locale, applied to live
// widgets, and complete (no unfinished or empty entry) in English and German.
#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

#include "Translations.h"
#include "editor/ConfigEditorDialog.h"
#include "nexustray/Client.h"
#include "status/Format.h"
#include "status/StatusWindow.h"
#include "tray/TrayController.h"

using namespace nexustray;
using namespace nexustray::ui;

namespace {

QString tsPath(const QString& lang) {
    return QDir(qEnvironmentVariable("NEXUS_TEST_DATA"))
        .filePath(QStringLiteral("../../translations/nexus-tray_%1.ts").arg(lang));
}

void removeTranslators() {
    for (QTranslator* t : QCoreApplication::instance()->findChildren<QTranslator*>()) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
}

QStringList menuTexts(QMenu* menu) {
    QStringList out;
    for (QAction* a : menu->actions())
        out << a->text();
    return out;
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { removeTranslators(); }

    void germanLoadsAndAppliesToLiveWidgets() {
        Client client{Config{}};
        TrayController::Options options;
        options.useTray = false;
        TrayController tray(&client, options);
        QVERIFY(menuTexts(tray.menu()).contains(QStringLiteral("Open status")));
        QCOMPARE(tray.statusWindow()->windowTitle(), QStringLiteral("nexus-tray status"));

        QCOMPARE(installTranslations(QCoreApplication::instance(), QLocale(QLocale::German)),
                 QStringLiteral("de"));
        QCOMPARE(QCoreApplication::translate("nexustray::ui::TrayController", "Open status"),
                 QStringLiteral("Status öffnen"));
        QCOMPARE(QCoreApplication::translate("nexustray::ui::Notifier", "%n tunnel event(s)",
                                             nullptr, 3),
                 QStringLiteral("3 Tunnel-Ereignisse"));
        QCOMPARE(QCoreApplication::translate("nexustray::ui::Notifier", "%n tunnel event(s)",
                                             nullptr, 1),
                 QStringLiteral("1 Tunnel-Ereignis"));
        // Widgets that exist already follow (LanguageChange).
        QTRY_VERIFY(menuTexts(tray.menu()).contains(QStringLiteral("Status öffnen")));
        QVERIFY(menuTexts(tray.menu()).contains(QStringLiteral("Beim Anmelden starten")));
        QVERIFY(menuTexts(tray.menu()).contains(QStringLiteral("Alle Tunnel aus")));
        QTRY_COMPARE(tray.statusWindow()->windowTitle(), QStringLiteral("nexus-tray-Status"));
    }

    // The editor's parts (the dialog, its backend form and its YAML tab) follow too, each with its
    // own translation context.
    void germanEditor() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ConfigEditorDialog editor(dir.filePath(QStringLiteral("config.yaml")));
        auto* addBackend = editor.findChild<QPushButton*>(QStringLiteral("addBackendButton"));
        auto* addMapping = editor.findChild<QPushButton*>(QStringLiteral("addMappingButton"));
        auto* yamlNote = editor.findChild<QLabel*>(QStringLiteral("yamlNote"));
        QVERIFY(addBackend && addMapping && yamlNote);
        QCOMPARE(addMapping->text(), QStringLiteral("Add mapping"));

        QCOMPARE(installTranslations(QCoreApplication::instance(), QLocale(QLocale::German)),
                 QStringLiteral("de"));
        QTRY_COMPARE(addBackend->text(), QStringLiteral("Backend hinzufügen"));
        QTRY_COMPARE(addMapping->text(), QStringLiteral("Zuordnung hinzufügen"));
        QTRY_COMPARE(yamlNote->text(),
                     QStringLiteral("Die Datei, wie sie ist, mit Kommentaren. "
                                    "Fehler erscheinen unten schon beim Tippen."));
    }

    // ui/status/Format.cpp's units are translated too (the durations of the stream and session
    // tables): formatted under the German translator they read German.
    void germanDurationsAndSizes() {
        QCOMPARE(formatDuration(42), QStringLiteral("42 s"));
        QCOMPARE(formatDuration(3 * 60 + 4), QStringLiteral("3 min 4 s"));
        QCOMPARE(installTranslations(QCoreApplication::instance(), QLocale(QLocale::German)),
                 QStringLiteral("de"));
        QCOMPARE(formatDuration(42), QStringLiteral("42 Sek."));
        QCOMPARE(formatDuration(3 * 60 + 4), QStringLiteral("3 Min. 4 Sek."));
        QCOMPARE(formatDuration(2 * 3600 + 5 * 60), QStringLiteral("2 Std. 5 Min."));
        QCOMPARE(formatDuration(3 * 86400 + 4 * 3600), QStringLiteral("3 Tg. 4 Std."));
        QCOMPARE(formatBytes(512), QStringLiteral("512 B"));
    }

    void englishAndFallback() {
        QCOMPARE(installTranslations(QCoreApplication::instance(),
                                     QLocale(QLocale::English, QLocale::UnitedKingdom)),
                 QStringLiteral("en"));
        QCOMPARE(QCoreApplication::translate("nexustray::ui::Notifier", "%n tunnel event(s)",
                                             nullptr, 2),
                 QStringLiteral("2 tunnel events"));
        removeTranslators();
        // A language without a file keeps the English source texts.
        QCOMPARE(installTranslations(QCoreApplication::instance(), QLocale(QLocale::Japanese)),
                 QString());
        QCOMPARE(QCoreApplication::translate("nexustray::ui::TrayController", "Open status"),
                 QStringLiteral("Open status"));
    }

    void tsFilesAreComplete_data() {
        // Every file in translations/ (adding a language is adding one file there).
        QTest::addColumn<QString>("lang");
        const QDir dir = QFileInfo(tsPath(QStringLiteral("en"))).dir();
        const QStringList files =
            dir.entryList({QStringLiteral("nexus-tray_*.ts")}, QDir::Files, QDir::Name);
        QVERIFY(files.contains(QStringLiteral("nexus-tray_de.ts")));
        QVERIFY(files.contains(QStringLiteral("nexus-tray_en.ts")));
        for (const QString& f : files) {
            const QString lang = f.mid(int(qstrlen("nexus-tray_"))).chopped(3);
            QTest::newRow(qPrintable(lang)) << lang;
        }
    }

    void tsFilesAreComplete() {
        QFETCH(QString, lang);
        QFile file(tsPath(lang));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QString ts = QString::fromUtf8(file.readAll());
        const int messages = int(ts.count(QStringLiteral("<message")));
        QVERIFY(messages > 150);
        QCOMPARE(ts.count(QStringLiteral("type=\"unfinished\"")), 0);
        QCOMPARE(ts.count(QStringLiteral("type=\"vanished\"")), 0);
        QCOMPARE(ts.count(QStringLiteral("<translation></translation>")), 0);
        QCOMPARE(ts.count(QStringLiteral("<numerusform></numerusform>")), 0);
        // Compiled into the library without any list to extend (ui/CMakeLists.txt globs).
        QVERIFY2(QFile::exists(QStringLiteral(":/i18n/nexus-tray_%1.qm").arg(lang)),
                 qPrintable(lang));
        // Both languages cover the same messages.
        QFile de(tsPath(QStringLiteral("de")));
        QVERIFY(de.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(de.readAll()).count(QStringLiteral("<message")), messages);
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
