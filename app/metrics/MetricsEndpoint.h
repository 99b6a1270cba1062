// Where the metrics endpoint (MetricsServer) listens, and whether it does: the address is
// --metrics, else the config's `metrics.listen`, else a fallback (the tray's default
// 127.0.0.1:9464; none headless). The front ends switch it on (headless: at start; tray: the
// menu's switch) and hand every reloaded or saved config to applyConfig(), which moves the
// endpoint when the config's address changed and --metrics was not given. A move to an address
// that cannot be bound is logged and the endpoint keeps serving where it was.
#pragma once

#include <QObject>
#include <QString>

#include "nexustray/Config.h"

namespace nexustray::app {

class MetricsServer;

class MetricsEndpoint : public QObject {
    Q_OBJECT
public:
    static constexpr const char* kDefaultAddress = "127.0.0.1:9464";

    MetricsEndpoint(MetricsServer* server, QString cliAddress, QString fallbackAddress,
                    QObject* parent = nullptr);

    // The config's metrics.listen at start (does not move anything).
    void setConfig(const Config& config) { m_configAddress = config.metrics.listen; }
    // CLI > config > fallback; empty = nowhere to listen.
    QString wantedAddress() const;
    // True when --metrics or metrics.listen names an address (the tray's "on at start").
    bool addressConfigured() const { return !m_cliAddress.isEmpty() || !m_configAddress.isEmpty(); }

    // On: listen on wantedAddress() (logging which setting chose it); false when that failed
    // (error() says why; the endpoint is off). Off: close the port. With no address, on is
    // remembered (a later config may name one) and nothing listens.
    bool setSwitchedOn(bool on);
    bool isSwitchedOn() const { return m_switchedOn; }
    QString error() const { return m_error; }

    // A reloaded / saved config: follows a changed metrics.listen unless --metrics was given.
    void applyConfig(const Config& config);

Q_SIGNALS:
    // After every change or failed attempt: listening, the bound address (host:port, empty when
    // off) and the error of the last attempt (empty when it worked).
    void stateChanged(bool listening, const QString& address, const QString& error);

private:
    bool listenOn(const QString& address);
    void report();

    MetricsServer* m_server;
    QString m_cliAddress;
    QString m_fallbackAddress;
    QString m_configAddress;
    QString m_servingRequest; // the address string the server listens for
    QString m_error;
    bool m_switchedOn = false;
};

} // namespace nexustray::app
