// The tray UI is a loadable module (issue 10): the nexus-tray executable links no Qt Gui or
// Widgets, and only the tray mode loads nexus-tray-gui.so (GuiMode.cpp, the ui/ library and Qt
// Widgets), so headless runs (--no-gui, the systemd unit, --check-config …) never map or relocate
// them. This header is the contract between the executable (GuiModuleLoader) and the module
// (GuiModuleEntry.cpp): two C symbols and an interface string both sides must agree on.
#pragma once

#include "GuiMode.h"

namespace nexustray::app {

// Runs the tray (runGuiMode) with the executable's argc/argv; returns the exit code.
using GuiMainFunction = int (*)(int* argc, char** argv, const GuiModeOptions* options);
// The module's interface string; it must equal kGuiModuleInterface.
using GuiInterfaceFunction = const char* (*)();

inline constexpr char kGuiModuleFileName[] = "nexus-tray-gui.so";
inline constexpr char kGuiMainSymbol[] = "nexus_tray_gui_main";
inline constexpr char kGuiInterfaceSymbol[] = "nexus_tray_gui_interface";
// The version, and the revision of GuiModeOptions / GuiMainFunction (bump it when they change):
// a module of another build is refused instead of being called with a different layout.
inline constexpr char kGuiModuleInterface[] = NEXUS_TRAY_VERSION "/gui-1";

} // namespace nexustray::app
