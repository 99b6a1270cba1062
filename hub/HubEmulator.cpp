#include "hub/HubEmulator.h"

#include "Logging.h"
#include "hub/HubEmulator_p.h"
#include "hub/HubSession.h"
#include "hub/HubUdpPort.h"
#include "hub/HubUserStream.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

namespace nexustray::hub {

namespace {
constexpr int kMaxUpgradeRequest = 16 * 1024;
constexpr int kUpgradeTimeoutMs = 10000;
} // namespace

QString hubEndpoint(const QHostAddress& address, quint16 port) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4) {
        return QStringLiteral("%1:%2").arg(QHostAddress(v4).toString()).arg(port);
    }
    return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
}

QString normalizeHubHostname(const QString& raw) {
    QString s = raw.trimmed();
    if (s.endsWith(QLatin1Char('.'))) {
        s.chop(1);
    }
    if (s.isEmpty()) {
        return QString();
    }
    // IDNA to ASCII; on failure (e.g. "*" or "_") keep the name as it is.
    const QByteArray ace = QUrl::toAce(s);
    const QString result = ace.isEmpty() ? s : QString::fromLatin1(ace);
    return result.toLower();
}

bool isHubWildcard(const QString& normalized) {
    if (!normalized.startsWith(QLatin1String("*."))) {
        return false;
    }
    const QString rest = normalized.mid(2);
    if (rest.contains(QLatin1Char('*'))) {
        return false;
    }
    const QStringList labels = rest.split(QLatin1Char('.'));
    if (labels.size() < 2) {
        return false;
    }
    for (const QString& label : labels) {
        if (label.isEmpty()) {
            return false;
        }
    }
    return true;
}

void BackendListener::incomingConnection(qintptr descriptor) {
    if (!tls) {
        QTcpServer::incomingConnection(descriptor);
        return;
    }
    auto* socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    QSslConfiguration config = *tls;
    if (config.allowedNextProtocols().isEmpty()) {
        // Like the real hub: h2 is offered too, so a client that asks for h2 cannot upgrade.
        config.setAllowedNextProtocols({QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1")});
    }
    socket->setSslConfiguration(config);
    connect(socket, &QSslSocket::encrypted, socket, [socket] {
        if (socket->sslConfiguration().nextNegotiatedProtocol() == "h2") {
            socket->abort(); // an HTTP/2 connection can never become a WebSocket here
        }
    });
    connect(socket, &QSslSocket::sslErrors, socket, [socket] { socket->abort(); });
    socket->startServerEncryption();
    addPendingConnection(socket);
    Q_EMIT newConnection();
}

HubEmulatorPrivate::HubEmulatorPrivate(HubEmulator* qq, HubOptions o)
    : q(qq)
    , options(std::move(o))
    , validator(options.jwtSecret) {}

HubEmulatorPrivate::~HubEmulatorPrivate() {
    // Sessions and streams call back into this object while they die: delete them while it is
    // still whole (QObject would delete them only after our members are gone).
    for (HubUdpPort* port : std::as_const(udpPorts)) {
        delete port; // quietly: stop() has ended their flows
    }
    udpPorts.clear();
    const auto children = findChildren<QObject*>(QString(), Qt::FindDirectChildrenOnly);
    for (QObject* child : children) {
        if (qobject_cast<HubSession*>(child) || qobject_cast<HubUserStream*>(child)) {
            delete child;
        }
    }
}

bool HubEmulatorPrivate::start(QString* error) {
    auto fail = [&](const QString& why) {
        if (error) {
            *error = why;
        }
        stop();
        return false;
    };
    if (options.jwtSecret.isEmpty()) {
        return fail(QStringLiteral("jwtSecret is required"));
    }
    wsServer = new QWebSocketServer(QStringLiteral("nexus-hub-emulator"),
                                    QWebSocketServer::NonSecureMode, this);
    connect(wsServer, &QWebSocketServer::newConnection, this, &HubEmulatorPrivate::onWebSocket);

    backend = new BackendListener(this);
    backend->tls = options.tls;
    connect(backend, &QTcpServer::newConnection, this, &HubEmulatorPrivate::onBackendConnection);
    if (!backend->listen(options.address, options.backendPort)) {
        return fail(QStringLiteral("backend listen: ") + backend->errorString());
    }
    for (const RelayPort& port : std::as_const(options.relayPorts)) {
        auto* server = new QTcpServer(this);
        if (!server->listen(options.address, port.listenPort)) {
            return fail(QStringLiteral("relay listen %1: %2")
                            .arg(port.listenPort)
                            .arg(server->errorString()));
        }
        relays.append({port, server});
        connect(server, &QTcpServer::newConnection, this,
                [this, port, server] { onUserConnection(port, server); });
    }
    for (const RelayPort& port : std::as_const(options.udpRelayPorts)) {
        auto* udp = new HubUdpPort(port, this);
        udpPorts.append(udp);
        QString why;
        if (!udp->listen(&why)) {
            return fail(why);
        }
    }
    return true;
}

void HubEmulatorPrivate::stop() {
    if (backend) {
        backend->close();
    }
    for (const Relay& relay : std::as_const(relays)) {
        relay.server->close();
    }
    const auto live = sessions;
    for (const QPointer<HubSession>& session : live) {
        if (session) {
            session->closeSession(1001, QString());
        }
    }
    for (HubUdpPort* port : std::as_const(udpPorts)) {
        port->close();
    }
    const auto users = unroutedUsers;
    for (HubUserStream* user : users) {
        user->abortNow();
    }
    unroutedUsers.clear();
}

void HubEmulatorPrivate::onBackendConnection() {
    while (QTcpSocket* socket = backend->nextPendingConnection()) {
        socket->setParent(this);
        // Like the real hub (Go sets TCP_NODELAY on every connection): no Nagle delays of its own
        // in the latency figures.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(socket, &QTcpSocket::readyRead, this,
                [this, socket] { checkUpgradeRequest(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(kUpgradeTimeoutMs, socket, [socket] {
            if (socket->parent() && !qobject_cast<QWebSocketServer*>(socket->parent())) {
                socket->abort(); // still no upgrade request
            }
        });
    }
}

// Only GET /connect (query ignored) is upgraded; every other path gets the Go mux's 404.
void HubEmulatorPrivate::checkUpgradeRequest(QTcpSocket* socket) {
    const QByteArray head = socket->peek(kMaxUpgradeRequest);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() >= kMaxUpgradeRequest) {
            socket->write("HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n"
                          "Content-Length: 0\r\n\r\n");
            socket->disconnectFromHost();
        }
        return;
    }
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    const QByteArray target = requestLine.value(1);
    const QByteArray path =
        target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    if (path != "/connect") {
        socket->write("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      "X-Content-Type-Options: nosniff\r\nContent-Length: 19\r\n"
                      "Connection: close\r\n\r\n404 page not found\n");
        socket->disconnectFromHost();
        return;
    }
    disconnect(socket, &QTcpSocket::disconnected, socket, nullptr);
    socket->setParent(wsServer);
    wsServer->handleConnection(socket);
}

void HubEmulatorPrivate::onWebSocket() {
    while (QWebSocket* ws = wsServer->nextPendingConnection()) {
        auto* session = new HubSession(ws, this);
        sessions.append(session);
    }
}

void HubEmulatorPrivate::onUserConnection(const RelayPort& port, QTcpServer* server) {
    while (QTcpSocket* socket = server->nextPendingConnection()) {
        auto* user = new HubUserStream(socket, port, this);
        unroutedUsers.insert(user);
    }
}

void HubEmulatorPrivate::userFinished(HubUserStream* stream) {
    unroutedUsers.remove(stream);
}

HubSession* HubEmulatorPrivate::pick(const QString& routeKey,
                                     const QList<HubSession*>& candidates) {
    if (candidates.isEmpty()) {
        return nullptr;
    }
    // Smooth weighted round robin (each pick: current += weight; take the max; max -= total).
    QHash<HubSession*, qint64>& current = wrrState[routeKey];
    qint64 total = 0;
    HubSession* best = nullptr;
    for (HubSession* s : candidates) {
        qint64& c = current[s];
        c += s->weight();
        total += s->weight();
        if (!best || c > current[best]) {
            best = s;
        }
    }
    current[best] -= total;
    return best;
}

QList<HubSession*> HubEmulatorPrivate::authenticatedSessions() const {
    QList<HubSession*> authenticated;
    for (const QPointer<HubSession>& s : std::as_const(sessions)) {
        if (s && s->isAuthenticated()) {
            authenticated.append(s);
        }
    }
    return authenticated;
}

HubSession* HubEmulatorPrivate::pickUdpSession(quint16 advertisedPort) {
    QList<HubSession*> candidates;
    for (HubSession* s : authenticatedSessions()) {
        if (s->identity().udpRoutes.contains(advertisedPort)) {
            candidates.append(s);
        }
    }
    return pick(QStringLiteral("udp:%1").arg(advertisedPort), candidates);
}

void HubEmulatorPrivate::routeUser(HubUserStream* stream, const PreludeResult& prelude) {
    unroutedUsers.remove(stream);
    const quint16 port = stream->relayPort().advertisedPort;
    const QString host = normalizeHubHostname(prelude.hostname);
    const QList<HubSession*> authenticated = authenticatedSessions();
    QString routeKey;
    QList<HubSession*> candidates;
    if (!host.isEmpty()) {
        routeKey = host;
        for (HubSession* s : authenticated) {
            if (s->identity().hostnames.contains(host)) {
                candidates.append(s);
            }
        }
        const qsizetype dot = host.indexOf(QLatin1Char('.'));
        if (candidates.isEmpty() && dot > 0) {
            const QString wildcard = QStringLiteral("*.") + host.mid(dot + 1);
            if (isHubWildcard(wildcard)) {
                routeKey = wildcard;
                for (HubSession* s : authenticated) {
                    if (s->identity().hostnames.contains(wildcard)) {
                        candidates.append(s);
                    }
                }
            }
        }
    } else {
        routeKey = QStringLiteral("tcp:%1").arg(port);
        for (HubSession* s : authenticated) {
            if (s->identity().tcpPorts.contains(port)) {
                candidates.append(s);
            }
        }
    }
    HubSession* session = pick(routeKey, candidates);
    if (!session) {
        ++stats.usersRejected;
        qCDebug(lcHub) << "no route for" << routeKey;
        Q_EMIT q->userRejected(port, host.isEmpty() ? routeKey : host);
        stream->abortNow();
        return;
    }
    const bool isTls = prelude.kind == PreludeResult::Kind::Tls;
    const QString connectHost = host.isEmpty() ? routeKey : host;
    session->attachStream(stream, connectHost, isTls, prelude.kind == PreludeResult::Kind::Http);
}

void HubEmulatorPrivate::sessionAuthenticated(HubSession* session) {
    ++stats.authenticatedSessions;
    Q_EMIT q->sessionAuthenticated(session->backendName(), session->identity().hostnames,
                                   session->weight());
}

void HubEmulatorPrivate::sessionFinished(HubSession* session) {
    sessions.removeAll(session);
    sessions.removeAll(nullptr);
    for (auto& state : wrrState) {
        state.remove(session);
    }
}

// ---------------------------------------------------------------------------------------------

HubEmulator::HubEmulator(HubOptions options, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<HubEmulatorPrivate>(this, std::move(options))) {}

HubEmulator::~HubEmulator() {
    d->stop();
    // Signals from the teardown must not reach a half-destroyed HubEmulator.
    blockSignals(true);
    d.reset();
}

bool HubEmulator::start(QString* error) {
    return d->start(error);
}

void HubEmulator::stop() {
    d->stop();
}

QUrl HubEmulator::backendUrl() const {
    QUrl url;
    url.setScheme(d->options.tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(d->options.address.toString());
    url.setPort(d->backend ? d->backend->serverPort() : 0);
    url.setPath(QStringLiteral("/connect"));
    return url;
}

quint16 HubEmulator::relayListenPort(quint16 advertisedPort) const {
    for (const auto& relay : std::as_const(d->relays)) {
        if (relay.port.advertisedPort == advertisedPort) {
            return relay.server->serverPort();
        }
    }
    return 0;
}

quint16 HubEmulator::udpRelayListenPort(quint16 advertisedPort) const {
    for (const HubUdpPort* port : std::as_const(d->udpPorts)) {
        if (port->advertisedPort() == advertisedPort) {
            return port->listenPort();
        }
    }
    return 0;
}

HubStats HubEmulator::stats() const {
    return d->stats;
}

int HubEmulator::authenticatedSessionCount() const {
    return d->stats.authenticatedSessions;
}

void HubEmulator::sendReauthChallenges() {
    const auto live = d->sessions;
    for (const auto& s : live) {
        if (s && s->isAuthenticated()) {
            s->issueReauthChallenge();
        }
    }
}

void HubEmulator::dropSessions(bool sendCloseFrame) {
    const auto live = d->sessions;
    for (const auto& s : live) {
        if (!s) {
            continue;
        }
        if (sendCloseFrame) {
            s->closeSession(1001, QString());
        } else {
            s->dropSession(QStringLiteral("dropped by test"));
        }
    }
}

void HubEmulator::sendRawBinary(const QByteArray& message) {
    for (const auto& s : std::as_const(d->sessions)) {
        if (s) {
            s->sendRawBinary(message);
        }
    }
}

void HubEmulator::sendRawText(const QByteArray& message) {
    for (const auto& s : std::as_const(d->sessions)) {
        if (s) {
            s->sendRawText(message);
        }
    }
}

} // namespace nexustray::hub
