#include "GuiMode.h"

#include <cstdio>

namespace nexustray::app {

// The tray UI arrives with its own issue. ui/CMakeLists.txt will then add its library to the
// nexus-tray target together with NEXUS_HAVE_TRAY_UI, and this file will construct the
// QApplication and hand over to it.

bool trayUiAvailable() {
#ifdef NEXUS_HAVE_TRAY_UI
    return true;
#else
    return false;
#endif
}

int runGuiMode(int& argc, char** argv, const GuiModeOptions& options) {
    Q_UNUSED(argc);
    Q_UNUSED(argv);
    Q_UNUSED(options);
    std::fputs("nexus-tray: the tray UI is not built yet; use --no-gui\n", stderr);
    return 2;
}

} // namespace nexustray::app
