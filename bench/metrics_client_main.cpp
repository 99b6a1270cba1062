// nexus-bench-metrics-client: the client process of `nexus-bench --only metrics` — the same
// nexustray::Client as nexus-bench-client, with the metrics endpoint of the app (MetricsServer:
// ServiceMetrics counting from the Client's signals, QtHttpServer serving /metrics) on the
// --metrics address. Its own executable, so that the other sections' client stays without it.
// QtHttpServer is in the app's plugin nexus-tray-metrics.so, found in the build's app directory.
#include <QCoreApplication>

#include <memory>

#include "ClientProcess.h"
#include "metrics/MetricsServer.h"

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("NEXUS_TRAY_PLUGIN_DIR"))
        qputenv("NEXUS_TRAY_PLUGIN_DIR", NEXUS_BENCH_PLUGIN_DIR);
    QCoreApplication app(argc, argv);
    std::unique_ptr<nexustray::app::MetricsServer> metrics;
    return bench::runClientProcess(app, [&](nexustray::Client& client, const QString& addr) {
        metrics = std::make_unique<nexustray::app::MetricsServer>(&client);
        return addr.isEmpty() || metrics->listen(addr);
    });
}
