// --demo as a plugin (issue 10): the demo (Demo.cpp, DemoHttpService.cpp), the hub emulator
// (hub/, QtWebSockets) and the client it runs live in nexus-tray-demo.so (DemoPlugin.cpp), which
// main.cpp loads only for --demo, so no other run maps them. The executable hands over its
// QCoreApplication; nothing but the exit code comes back.
#pragma once

#include <QtPlugin>

namespace nexustray::app {

class DemoRunner {
public:
    virtual ~DemoRunner() = default;
    // Runs the demo on QCoreApplication::instance() until SIGINT/SIGTERM or a failed session;
    // returns the exit code (0, or 1: the demo could not start or its session failed).
    virtual int run() = 0;
};

inline constexpr char kDemoPluginFileName[] = "nexus-tray-demo.so";

} // namespace nexustray::app

// With the version: the plugin carries its own copy of the engine, so only this build's is used.
#define NexusTrayDemo_iid "io.github.atdexters_lab.nexus_tray.Demo/" NEXUS_TRAY_VERSION "/1"
Q_DECLARE_INTERFACE(nexustray::app::DemoRunner, NexusTrayDemo_iid)
