// The metrics endpoint's HTTP serving as a plugin (issue 10): QtHttpServer (and QtWebSockets behind
// it) live in nexus-tray-metrics.so (MetricsHttpPlugin.cpp), which MetricsServer loads on its first
// listen(), so a run that never serves metrics does not map them. The metrics themselves
// (ServiceMetrics) stay in the executable; only Qt types and std::function cross this interface.
#pragma once

#include <QByteArray>
#include <QtPlugin>

#include <functional>

class QObject;
class QTcpServer;

namespace nexustray::app {

// The bodies of the three routes, computed by the executable on the serving thread.
struct MetricsRoutes {
    std::function<QByteArray()> metrics;        // GET /metrics: Prometheus text
    std::function<int(QByteArray* body)> ready; // GET /ready: HTTP status (200/503), JSON body
    std::function<QByteArray()> status;         // GET /status: JSON
};

class MetricsHttp {
public:
    virtual ~MetricsHttp() = default;
    // Serves `routes` on `tcp` (already listening); returns the HTTP server, which takes `tcp` as
    // its child. Deleting the returned object ends the serving.
    virtual QObject* serve(QTcpServer* tcp, const MetricsRoutes& routes) = 0;
};

inline constexpr char kMetricsPluginFileName[] = "nexus-tray-metrics.so";

} // namespace nexustray::app

// With the version: a plugin of another build is refused (its MetricsRoutes may differ).
#define NexusTrayMetricsHttp_iid                                                                   \
    "io.github.atdexters_lab.nexus_tray.MetricsHttp/" NEXUS_TRAY_VERSION "/1"
Q_DECLARE_INTERFACE(nexustray::app::MetricsHttp, NexusTrayMetricsHttp_iid)
