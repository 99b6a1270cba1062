// nexus-tray-metrics.so: the MetricsHttp plugin (MetricsHttp.h) on QtHttpServer. It routes
// /metrics, /ready and /status to the executable's MetricsRoutes; the executable opens the port.
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QObject>
#include <QTcpServer>

#include "MetricsHttp.h"

namespace nexustray::app {

class MetricsHttpPlugin : public QObject, public MetricsHttp {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NexusTrayMetricsHttp_iid)
    Q_INTERFACES(nexustray::app::MetricsHttp)
public:
    QObject* serve(QTcpServer* tcp, const MetricsRoutes& routes) override {
        auto* http = new QHttpServer;
        tcp->setParent(http);
        http->route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [routes] {
            return QHttpServerResponse(
                QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"), routes.metrics());
        });
        http->route(QStringLiteral("/ready"), QHttpServerRequest::Method::Get, [routes] {
            QByteArray body;
            const int status = routes.ready(&body);
            return QHttpServerResponse(QByteArrayLiteral("application/json"), body,
                                       status == 200
                                           ? QHttpServerResponder::StatusCode::Ok
                                           : QHttpServerResponder::StatusCode::ServiceUnavailable);
        });
        http->route(QStringLiteral("/status"), QHttpServerRequest::Method::Get, [routes] {
            return QHttpServerResponse(QByteArrayLiteral("application/json"), routes.status());
        });
        http->bind(tcp);
        return http;
    }
};

} // namespace nexustray::app

#include "MetricsHttpPlugin.moc"
