// The module side of GuiModule.h: the two exported C entry points of nexus-tray-gui.so. Every
// other symbol of the module (its copies of the app, ui and engine libraries) stays local to it.
#include "GuiModule.h"

#include <QtGlobal>

extern "C" Q_DECL_EXPORT int nexus_tray_gui_main(int* argc, char** argv,
                                                 const nexustray::app::GuiModeOptions* options) {
    return nexustray::app::runGuiMode(*argc, argv, *options);
}

extern "C" Q_DECL_EXPORT const char* nexus_tray_gui_interface() {
    return nexustray::app::kGuiModuleInterface;
}
