// What a library-mode connect handler is told about a new stream, and what it may answer.
#pragma once

#include <QHostAddress>
#include <QString>
#include <QUuid>

#include <functional>

class QIODevice;

namespace nexustray {

enum class Transport { Tcp, Udp };

struct ConnectRequest {
    QUuid clientId;
    QString backendName;
    QString relayUrl;    // the nexusAddresses entry of the session that got the stream
    QString hostname;    // normalised (route keys like "tcp:443" stay as they are)
    int port = 0;        // connect.conn_port: the public relay port
    QString clientIp;    // "ip:port" or "[v6]:port" as the hub sent it
    Transport transport = Transport::Tcp;
    bool isTls = false;  // the user's connection began with a TLS ClientHello
};

// The answer of a connect handler.
struct ConnectDecision {
    enum class Kind {
        NoRoute, // fall back to the config's portMappings (Go: ErrNoRoute)
        Dial,    // dial `target` ("host:port") over TCP
        Device,  // relay through `device`: open, readable and writable; the stream takes ownership
        Refuse,  // close the stream with dial_failed
    };
    Kind kind = Kind::NoRoute;
    QString target;
    QIODevice* device = nullptr;

    static ConnectDecision noRoute() { return {}; }
    static ConnectDecision dial(const QString& hostPort) { return {Kind::Dial, hostPort, nullptr}; }
    static ConnectDecision useDevice(QIODevice* dev) { return {Kind::Device, QString(), dev}; }
    static ConnectDecision refuse() { return {Kind::Refuse, QString(), nullptr}; }
};

// Called on the worker thread of the session that received the stream; must not block.
// A returned device must live on the calling thread (create it there) and have no parent.
using ConnectHandler = std::function<ConnectDecision(const ConnectRequest&)>;

} // namespace nexustray
