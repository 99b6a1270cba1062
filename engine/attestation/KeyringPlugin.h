// Finding and loading the keyring plugin (nexus-tray-keyring.so, attestation/keyring/, issue 10)
// with the plugin loader every nexus-tray plugin uses (common/PluginLoader.h): looked for in
// $NEXUS_TRAY_PLUGIN_DIR, the running executable's directory, the installed location
// (<libdir>/nexus-tray: relative to the executable, then as configured). A plugin that is missing
// or does not load is an error naming each file tried, never a crash and never a fallback.
#pragma once

#include <QString>
#include <QStringList>

namespace nexustray::attestation {

class KeyringBackend;

// "nexus-tray-keyring.so"
QString keyringPluginFileName();

struct KeyringPluginLoad {
    KeyringBackend* backend = nullptr; // set: loaded (it stays loaded for the process)
    // Not loaded: "<dir>/nexus-tray-keyring.so: no such file; <dir2>/...: <QPluginLoader's
    // errorString>" for every directory tried.
    QString error;
};

// Loads the plugin from the first directory of `dirs` (pluginSearchPath(), PluginLoader.h, for the
// process's plugin) where it loads.
KeyringPluginLoad loadKeyringPlugin(const QStringList& dirs);

// The process's plugin: loadKeyringPlugin(pluginSearchPath()) on the first call, once per
// process (thread safe); every later call returns that first result.
const KeyringPluginLoad& keyringPlugin();

} // namespace nexustray::attestation
