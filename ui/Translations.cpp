#include "Translations.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QTranslator>

namespace nexustray::ui {

QString translationsDirectory() {
    return QStringLiteral(":/i18n");
}

QString installTranslations(QCoreApplication* app, const QLocale& locale) {
    auto* own = new QTranslator(app);
    if (!own->load(locale, QStringLiteral("nexus-tray"), QStringLiteral("_"),
                   translationsDirectory())) {
        delete own;
        return {};
    }
    QCoreApplication::installTranslator(own);
    auto* qt = new QTranslator(app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    return own->language().section(QLatin1Char('_'), 0, 0);
}

} // namespace nexustray::ui
