// The metrics, readiness and status endpoint (--metrics ADDR, issue 15) on QtHttpServer, which
// is in the plugin nexus-tray-metrics.so (MetricsHttp.h, issue 10) loaded on the first listen():
//   GET /metrics  Prometheus text exposition 0.0.4 (ServiceMetrics::prometheusText)
//   GET /ready    200 when every enabled backend has a connected session, else 503; JSON body
//   GET /status   JSON of what the status window shows (sessions, open streams)
// It runs on the Client's thread and reads the Client's snapshots there, so a scrape during a
// reload or shutdown sees a consistent picture and never touches a session thread.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QTcpServer;

namespace nexustray {
class Client;
}

namespace nexustray::app {

class ServiceMetrics;

class MetricsServer : public QObject {
    Q_OBJECT
public:
    // Starts counting from the Client's signals at once (before listen()).
    explicit MetricsServer(Client* client, QObject* parent = nullptr);
    ~MetricsServer() override;

    ServiceMetrics* metrics() const { return m_metrics.get(); }

    // `listenAddr` is host:port ("127.0.0.1:9464", "[::1]:9464", "localhost:9464"). false: error()
    // names the address and the reason (e.g. the port is in use, or the metrics module is missing:
    // then the files tried), and an endpoint already
    // listening keeps serving where it was. true: the endpoint moved there (the old port closed).
    bool listen(const QString& listenAddr);
    // Closes the port; a no-op when not listening.
    void stop();
    bool isListening() const { return m_tcp != nullptr; }
    QString error() const { return m_error; }
    QString address() const { return m_address; } // host:port actually bound; empty when stopped
    // True for an address other hosts can reach (the caller warns about it).
    bool isExposed() const { return m_exposed; }

    // listen() with the log lines of the front ends: where it serves, a warning for an exposed
    // address, or the error (then false: a start-up error).
    bool start(const QString& listenAddr);

private:
    std::unique_ptr<ServiceMetrics> m_metrics;
    std::unique_ptr<QObject> m_http; // the plugin's HTTP server
    QTcpServer* m_tcp = nullptr;     // owned by m_http; set while listening
    QString m_error;
    QString m_address;
    bool m_exposed = false;
};

} // namespace nexustray::app
