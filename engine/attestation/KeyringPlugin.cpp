// See KeyringPlugin.h.
#include "attestation/KeyringPlugin.h"

#include <QDir>
#include <QFileInfo>
#include <QPluginLoader>

#include "Logging.h"
#include "attestation/KeyringBackend.h"

namespace nexustray::attestation {

QString keyringPluginFileName() {
    return QStringLiteral(NEXUS_TRAY_KEYRING_PLUGIN_FILE);
}

QStringList keyringPluginSearchPath() {
    QStringList dirs;
    dirs << qEnvironmentVariable("NEXUS_TRAY_PLUGIN_DIR");
    // The executable's directory from /proc/self/exe rather than
    // QCoreApplication::applicationDirPath(), whose cache Qt fills unguarded: this runs on the
    // keyring thread.
    dirs << QFileInfo(QFileInfo(QStringLiteral("/proc/self/exe")).canonicalFilePath())
                .absolutePath();
    dirs << QStringLiteral(NEXUS_TRAY_PLUGIN_INSTALL_DIR);
    dirs.removeAll(QString());
    dirs.removeDuplicates();
    return dirs;
}

KeyringPluginLoad loadKeyringPlugin(const QStringList& dirs) {
    KeyringPluginLoad result;
    QStringList failures;
    for (const QString& dir : dirs) {
        const QString path = QDir(dir).absoluteFilePath(keyringPluginFileName());
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
        result.backend = qobject_cast<KeyringBackend*>(instance);
        if (!result.backend) {
            failures << path + QStringLiteral(": not a nexus-tray keyring plugin (%1)")
                                   .arg(QLatin1String(NexusTrayKeyringBackend_iid));
            loader.unload();
            continue;
        }
        qCDebug(lcAttestation).noquote() << "keyring plugin loaded from" << path;
        return result;
    }
    if (failures.isEmpty())
        failures << QStringLiteral("no directory to look for %1 in").arg(keyringPluginFileName());
    result.error = failures.join(QStringLiteral("; "));
    return result;
}

const KeyringPluginLoad& keyringPlugin() {
    // A function-local static: initialised once, other threads wait for it (C++11).
    static const KeyringPluginLoad loaded = [] {
        KeyringPluginLoad load = loadKeyringPlugin(keyringPluginSearchPath());
        if (!load.backend)
            qCWarning(lcAttestation).noquote()
                << "the keyring plugin could not be loaded:" << load.error;
        return load;
    }();
    return loaded;
}

} // namespace nexustray::attestation
