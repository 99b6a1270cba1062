// See KeyringPlugin.h.
#include "attestation/KeyringPlugin.h"

#include "Logging.h"
#include "PluginLoader.h"
#include "attestation/KeyringBackend.h"

namespace nexustray::attestation {

QString keyringPluginFileName() {
    return QStringLiteral(NEXUS_TRAY_KEYRING_PLUGIN_FILE);
}

KeyringPluginLoad loadKeyringPlugin(const QStringList& dirs) {
    KeyringPluginLoad result;
    const PluginLoad load = loadPlugin(keyringPluginFileName(), NexusTrayKeyringBackend_iid, dirs);
    result.backend = qobject_cast<KeyringBackend*>(load.instance);
    result.error = load.error;
    if (result.backend)
        qCDebug(lcAttestation).noquote() << "keyring plugin loaded from" << load.path;
    return result;
}

const KeyringPluginLoad& keyringPlugin() {
    // A function-local static: initialised once, other threads wait for it (C++11).
    static const KeyringPluginLoad loaded = [] {
        KeyringPluginLoad load = loadKeyringPlugin(pluginSearchPath());
        if (!load.backend)
            qCWarning(lcAttestation).noquote()
                << "the keyring plugin could not be loaded:" << load.error;
        return load;
    }();
    return loaded;
}

} // namespace nexustray::attestation
