// --demo: a complete tunnel inside one process. An in-process Nexus hub (HubEmulator) listens on
// loopback, a small web service (DemoHttpService) listens on 127.0.0.1, and a real
// nexustray::Client connects the two with an in-memory config:
//
//   curl --> hub relay port (advertised as 80) --> WebSocket --> Client --> demo web service
//
// When the session is connected it prints one line on stdout:
//   Demo tunnel up: curl http://demo.localhost:<relay port>/
#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "nexustray/Config.h"
#include "nexustray/Snapshots.h"

namespace nexustray {
class Client;
namespace hub {
class HubEmulator;
}
} // namespace nexustray

namespace nexustray::app {

class DemoHttpService;

class Demo : public QObject {
    Q_OBJECT
public:
    static constexpr auto kHostname = "demo.localhost";
    static constexpr quint16 kAdvertisedPort = 80;

    explicit Demo(QObject* parent = nullptr);
    ~Demo() override; // deletes the client (bounded stop), then stops the hub

    // Starts the web service, the hub and the client. relayListenPort 0 = an ephemeral port.
    bool start(quint16 relayListenPort = 0, QString* error = nullptr);

    Client* client() const { return m_client; }
    quint16 relayPort() const;

    // The config the demo runs (valid after start()); built in memory, never written to disk.
    static Config makeConfig(const QString& hubUrl, const QString& secret, quint16 servicePort);

Q_SIGNALS:
    // Emitted once, the first time a session reaches Connected (after the line was printed).
    void tunnelUp(quint16 relayPort);
    // A session gave up (state Failed): the demo cannot work.
    void failed(const QString& error);

private:
    void onSessionChanged(const nexustray::SessionSnapshot& snapshot);

    DemoHttpService* m_service = nullptr;
    hub::HubEmulator* m_hub = nullptr;
    Client* m_client = nullptr;
    bool m_announced = false;
};

} // namespace nexustray::app
