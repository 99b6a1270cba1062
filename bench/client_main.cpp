// nexus-bench-client: the client process of `nexus-bench` — only nexustray::Client (the real
// engine with its own WebSocket client), started and measured by the driver; see bench/main.cpp and
// docs/PERFORMANCE.md. A separate executable, so that the driver's libraries (OpenSSL for the TLS
// origin) are not mapped into the process whose memory the bench reports.
#include <QCoreApplication>

#include "ClientProcess.h"

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    return bench::runClientProcess(app);
}
