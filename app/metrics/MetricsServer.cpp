#include "MetricsServer.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QTcpServer>

#include "LogFormat.h"
#include "ServiceMetrics.h"
#include "nexustray/ListenAddress.h"

namespace nexustray::app {

MetricsServer::MetricsServer(Client* client, QObject* parent)
    : QObject(parent)
    , m_metrics(std::make_unique<ServiceMetrics>(client)) {}

MetricsServer::~MetricsServer() = default;

bool MetricsServer::listen(const QString& listenAddr) {
    ListenAddress where;
    if (const QString problem = parseListenAddress(listenAddr, &where); !problem.isEmpty()) {
        m_error = QStringLiteral("metrics address '%1': %2 (e.g. 127.0.0.1:9464)")
                      .arg(listenAddr, problem);
        return false;
    }
    // A new server first: when it cannot listen, the running one (if any) keeps serving.
    auto http = std::make_unique<QHttpServer>();
    auto* tcp = new QTcpServer(http.get()); // owned by the HTTP server either way
    if (!tcp->listen(where.address, where.port)) {
        m_error = QStringLiteral("cannot listen for metrics on %1: %2")
                      .arg(listenAddr, tcp->errorString());
        return false;
    }
    stop();
    m_http = std::move(http);
    m_tcp = tcp;
    m_error.clear();
    ServiceMetrics* metrics = m_metrics.get();
    m_http->route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [metrics] {
        return QHttpServerResponse(QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"),
                                   metrics->prometheusText());
    });
    m_http->route(QStringLiteral("/ready"), QHttpServerRequest::Method::Get, [metrics] {
        QByteArray body;
        const int status = metrics->readiness(&body);
        return QHttpServerResponse(QByteArrayLiteral("application/json"), body,
                                   status == 200
                                       ? QHttpServerResponder::StatusCode::Ok
                                       : QHttpServerResponder::StatusCode::ServiceUnavailable);
    });
    m_http->route(QStringLiteral("/status"), QHttpServerRequest::Method::Get, [metrics] {
        return QHttpServerResponse(QByteArrayLiteral("application/json"), metrics->statusJson());
    });
    m_http->bind(tcp);
    m_exposed = !where.address.isLoopback();
    m_address = QStringLiteral("%1:%2")
                    .arg(where.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + where.address.toString() + QLatin1Char(']')
                             : where.address.toString())
                    .arg(tcp->serverPort());
    return true;
}

void MetricsServer::stop() {
    if (!m_http)
        return;
    // The port is free at once; the server itself goes when the event loop is back, so that a
    // stop from inside a request (or a reload queued next to one) never deletes it under a scrape.
    m_tcp->close();
    QHttpServer* old = m_http.release();
    old->setParent(this); // deleted with this object if the event loop has already ended
    old->deleteLater();
    m_tcp = nullptr;
    m_address.clear();
    m_exposed = false;
}

bool MetricsServer::start(const QString& listenAddr) {
    if (!listen(listenAddr)) {
        qCCritical(lcApp).noquote() << m_error;
        return false;
    }
    qCInfo(lcApp).noquote()
        << QStringLiteral("metrics on http://%1/metrics (also /ready, /status)").arg(m_address);
    if (m_exposed)
        qCWarning(lcApp).noquote()
            << QStringLiteral("the metrics endpoint %1 is reachable from other hosts: it shows "
                              "hostnames, relays and client addresses; prefer a loopback address")
                   .arg(m_address);
    return true;
}

} // namespace nexustray::app
