// The tray mode of nexus-tray. GuiMode.cpp is compiled only with NEXUS_BUILD_GUI=ON (it is the one
// place of the app that may use Qt Widgets); main.cpp calls it only when NEXUS_HAVE_TRAY_UI is
// defined.
#pragma once

#include <QString>

namespace nexustray::app {

struct GuiModeOptions {
    QString configPath;
    bool demo = false;
    QString metricsAddr; // --metrics: serve /metrics, /ready, /status here
};

// Constructs the QApplication and runs the tray until it quits. Returns the exit code.
int runGuiMode(int& argc, char** argv, const GuiModeOptions& options);

} // namespace nexustray::app
