// The event dispatcher of the runs without the tray (--no-gui, --demo, --check-config ...): Qt's
// own UNIX one instead of GLib's. Nothing headless needs a GLib main loop, and GLib's costs about
// 0.2 MB of resident pages per process (docs/PERFORMANCE.md, "Round 4"). The tray keeps GLib's
// (its module creates the QApplication; desktop integration may expect GLib's main loop).
#pragma once

namespace nexustray::app {

// Sets QT_NO_GLIB=1 for this process unless the user set QT_NO_GLIB (to anything, even empty):
// an explicit setting wins. Call before the QCoreApplication exists; threads started later (the
// sessions') read the same variable. Returns true when it set the variable.
bool preferUnixEventDispatcher();

// The class name of the current thread's event dispatcher ("QEventDispatcherUNIX", ...), or an
// empty string when it has none yet.
const char* eventDispatcherName();

} // namespace nexustray::app
