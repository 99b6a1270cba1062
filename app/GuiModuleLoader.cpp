#include "GuiModuleLoader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <dlfcn.h>

#include "PluginLoader.h"

namespace nexustray::app {

QStringList guiModuleCandidates() {
    QStringList candidates;
    for (const QString& dir : pluginSearchPath())
        candidates << QDir(dir).absoluteFilePath(QString::fromLatin1(kGuiModuleFileName));
    return candidates;
}

GuiModuleLoad loadGuiModule(const QStringList& candidates) {
    GuiModuleLoad load;
    for (const QString& path : candidates) {
        if (!QFileInfo::exists(path))
            continue;
        load.path = path;
        // RTLD_LOCAL: the module's symbols stay its own; it is never unloaded (Qt objects and
        // exit handlers of the module live until the process ends).
        void* handle = dlopen(QFile::encodeName(path).constData(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            load.error = QString::fromLocal8Bit(dlerror());
            return load;
        }
        auto interface = reinterpret_cast<GuiInterfaceFunction>(dlsym(handle, kGuiInterfaceSymbol));
        auto run = reinterpret_cast<GuiMainFunction>(dlsym(handle, kGuiMainSymbol));
        if (!interface || !run) {
            load.error =
                QStringLiteral("%1 is not a nexus-tray tray module (no %2)")
                    .arg(path, QLatin1String(interface ? kGuiMainSymbol : kGuiInterfaceSymbol));
            return load;
        }
        if (qstrcmp(interface(), kGuiModuleInterface) != 0) {
            load.error =
                QStringLiteral("%1 belongs to another build (%2, this is %3)")
                    .arg(path, QLatin1String(interface()), QLatin1String(kGuiModuleInterface));
            return load;
        }
        load.run = run;
        return load;
    }
    QStringList dirs;
    for (const QString& path : candidates)
        dirs << QFileInfo(path).absolutePath();
    load.error = QStringLiteral("no %1 in %2")
                     .arg(QLatin1String(kGuiModuleFileName), dirs.join(QStringLiteral(", ")));
    return load;
}

} // namespace nexustray::app
