// See PluginLoader.h.
#include "PluginLoader.h"

#include <QDir>
#include <QFileInfo>
#include <QPluginLoader>

namespace nexustray {

QStringList pluginSearchPath() {
    QStringList dirs;
    dirs << qEnvironmentVariable("NEXUS_TRAY_PLUGIN_DIR");
    // The executable's directory from /proc/self/exe rather than
    // QCoreApplication::applicationDirPath(), whose cache Qt fills unguarded: the keyring loads
    // its plugin on the keyring thread.
    const QDir exeDir =
        QFileInfo(QFileInfo(QStringLiteral("/proc/self/exe")).canonicalFilePath()).absoluteDir();
    dirs << exeDir.absolutePath();
    dirs << QDir::cleanPath(exeDir.filePath(QStringLiteral(NEXUS_TRAY_PLUGIN_RELDIR)));
    dirs << QStringLiteral(NEXUS_TRAY_PLUGIN_INSTALL_DIR);
    dirs.removeAll(QString());
    dirs.removeDuplicates();
    return dirs;
}

PluginLoad loadPlugin(const QString& fileName, const char* iid, const QStringList& dirs) {
    PluginLoad result;
    QStringList failures;
    for (const QString& dir : dirs) {
        const QString path = QDir(dir).absoluteFilePath(fileName);
        if (!QFileInfo(path).isFile()) {
            failures << path + QStringLiteral(": no such file");
            continue;
        }
        QPluginLoader loader(path);
        QObject* instance = loader.instance();
        if (!instance) {
            failures << path + QStringLiteral(": ") + loader.errorString();
            continue;
        }
        // The interface id carries its version: a plugin of another revision is refused here.
        if (!instance->qt_metacast(iid)) {
            failures << path + QStringLiteral(": not a nexus-tray plugin of interface %1")
                                   .arg(QLatin1String(iid));
            loader.unload();
            continue;
        }
        result.instance = instance;
        result.path = path;
        return result;
    }
    if (failures.isEmpty())
        failures << QStringLiteral("no directory to look for %1 in").arg(fileName);
    result.error = failures.join(QStringLiteral("; "));
    return result;
}

} // namespace nexustray
