// A stand-in tray module for tst_app_guimodule: the two entry points of app/GuiModule.h, with this
// build's interface string, or another build's when FAKE_GUI_STALE is defined.
// Its main returns 40 + argc, so the test sees that exactly this module was called.
#include "GuiModule.h"

#include <QtGlobal>

extern "C" Q_DECL_EXPORT int nexus_tray_gui_main(int* argc, char**,
                                                 const nexustray::app::GuiModeOptions*) {
    return 40 + *argc;
}

extern "C" Q_DECL_EXPORT const char* nexus_tray_gui_interface() {
#ifdef FAKE_GUI_STALE
    return "0.0.0/gui-0";
#else
    return nexustray::app::kGuiModuleInterface;
#endif
}
