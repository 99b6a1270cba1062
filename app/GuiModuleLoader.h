// Finds and loads the tray module (GuiModule.h) for the executable's tray mode, on the search path
// of every nexus-tray plugin (common/PluginLoader.h: $NEXUS_TRAY_PLUGIN_DIR, beside the running
// executable, <bindir>/../<libdir>/nexus-tray relative to it, the configured <libdir>/nexus-tray).
// It is loaded with dlopen, not QPluginLoader: no application object exists yet.
#pragma once

#include <QString>
#include <QStringList>

#include "GuiModule.h"

namespace nexustray::app {

struct GuiModuleLoad {
    GuiMainFunction run = nullptr; // null: not loaded, see error
    QString path;                  // the module that was loaded
    QString error; // e.g. "no nexus-tray-gui.so in /usr/lib/x86_64-linux-gnu/nexus-tray, …"
};

// The places looked in, in order (absolute file paths): pluginSearchPath()'s directories.
QStringList guiModuleCandidates();

// Loads the first candidate that exists (never unloaded). An existing module that fails to load or
// has another interface string is an error; it does not fall through to the next candidate.
GuiModuleLoad loadGuiModule(const QStringList& candidates = guiModuleCandidates());

} // namespace nexustray::app
