// Finding and loading nexus-tray's Qt plugins (issue 10): the parts that only some runs use —
// the keyring (nexus-tray-keyring.so), the metrics endpoint's HTTP server (nexus-tray-metrics.so),
// --demo (nexus-tray-demo.so) — are QPluginLoader plugins, so other runs never map them or the
// libraries behind them. One search path for all: $NEXUS_TRAY_PLUGIN_DIR (tests, unusual
// installs), the running executable's directory (the build tree), the installed location
// relative to the executable (<bindir>/../<libdir>/nexus-tray: an unpacked or relocated install),
// then as configured (<libdir>/nexus-tray). A plugin that is missing or does not load is an error
// naming each file tried, never a crash.
#pragma once

#include <QString>
#include <QStringList>

class QObject;

namespace nexustray {

// The directories searched, in order (empty and repeated entries left out).
QStringList pluginSearchPath();

struct PluginLoad {
    QObject* instance = nullptr; // set: loaded, implements the interface (stays loaded)
    QString path;                // the file loaded
    // Not loaded: "<dir>/<file>: no such file; <dir2>/<file>: <QPluginLoader's errorString>"
    // for every directory tried.
    QString error;
};

// Loads `fileName` from the first directory of `dirs` where it loads and its instance implements
// the interface `iid` (Q_DECLARE_INTERFACE; the caller then qobject_casts the instance).
PluginLoad loadPlugin(const QString& fileName, const char* iid,
                      const QStringList& dirs = pluginSearchPath());

} // namespace nexustray
