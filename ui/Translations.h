// Loads the UI translations (compiled into the library from translations/*.ts) and Qt's own.
#pragma once

#include <QLocale>
#include <QString>

class QCoreApplication;

namespace nexustray::ui {

// Installs translators for `locale` on `app`. Returns the language that was loaded ("de"), or an
// empty string when the UI stays in English (the source language). English has its own file, so
// "en" is returned for English locales.
QString installTranslations(QCoreApplication* app, const QLocale& locale = QLocale());

// The resource directory that holds nexus-tray_<lang>.qm.
QString translationsDirectory();

} // namespace nexustray::ui
