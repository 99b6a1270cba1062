// Shared state of the hub emulator: listeners, sessions, routing. Sessions and user streams call
// back into it; everything runs on the thread that created the HubEmulator.
#pragma once

#include "hub/HubEmulator.h"
#include "hub/JwtValidator.h"
#include "hub/PreludeSniffer.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTcpServer>

class QWebSocketServer;

namespace nexustray::hub {

class HubUdpPort;

// Accepts backend TCP connections; with TLS it wraps them in a server-side QSslSocket.
class BackendListener : public QTcpServer {
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;
    std::optional<QSslConfiguration> tls;

protected:
    void incomingConnection(qintptr descriptor) override;
};

class HubEmulatorPrivate : public QObject {
    Q_OBJECT
public:
    HubEmulatorPrivate(HubEmulator* q, HubOptions options);
    ~HubEmulatorPrivate() override;

    bool start(QString* error);
    void stop();

    // Routing (protocol.md §6.5, §8.2, config.md §4): exact > wildcard > tcp:<port> (only when
    // the user sent neither SNI nor Host). Weighted round robin among the sessions of a route.
    void routeUser(HubUserStream* stream, const PreludeResult& prelude);
    void sessionAuthenticated(HubSession* session);
    void sessionFinished(HubSession* session);
    void userFinished(HubUserStream* stream);
    // A session for a new UDP flow on this port: weighted round robin among the authenticated
    // sessions claiming udp:<port>; null when none does.
    HubSession* pickUdpSession(quint16 advertisedPort);

    HubEmulator* q;
    HubOptions options;
    JwtValidator validator;
    HubStats stats;

    BackendListener* backend = nullptr;
    QWebSocketServer* wsServer = nullptr;
    struct Relay {
        RelayPort port;
        QTcpServer* server = nullptr;
    };
    QList<Relay> relays;
    QList<HubUdpPort*> udpPorts;
    QList<QPointer<HubSession>> sessions;                // every live session, authenticated or not
    QSet<HubUserStream*> unroutedUsers;                  // still sniffing
    QHash<QString, QHash<HubSession*, qint64>> wrrState; // smooth WRR "current" per route

private:
    void onBackendConnection();
    void checkUpgradeRequest(QTcpSocket* socket);
    void onWebSocket();
    void onUserConnection(const RelayPort& port, QTcpServer* server);
    HubSession* pick(const QString& routeKey, const QList<HubSession*>& candidates);
    QList<HubSession*> authenticatedSessions() const;
};

// A user's address as the hub writes it: "ip:port", "[v6]:port" (IPv4-mapped IPv6 as IPv4).
QString hubEndpoint(const QHostAddress& address, quint16 port);

// Hostname rules shared by the stage checks and routing.
QString normalizeHubHostname(const QString& raw);
bool isHubWildcard(const QString& normalized);

} // namespace nexustray::hub
