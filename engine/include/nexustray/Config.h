// Public configuration model of nexus-tray: one Config holds the backends of a config.yaml
// (schema: shared/spec/config.md). Values here are already normalised and defaulted by the loader.
#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace nexustray {

struct UdpRoute {
    int port = 0;
    std::optional<int> flowIdleTimeoutSeconds; // absent = hub default; a configured 0 is kept
    bool operator==(const UdpRoute& o) const {
        return port == o.port && flowIdleTimeoutSeconds == o.flowIdleTimeoutSeconds;
    }
};

struct AttestationConfig {
    QString command; // external token command; wins over the HMAC signer when non-blank
    QStringList args;
    QMap<QString, QString> env;
    int timeoutSeconds = 15;
    int cacheHandshakeSeconds = 0;
    QString hmacSecret;     // trimmed
    QString hmacSecretFile; // trimmed path; read when the session is built
    int tokenTTLSeconds = 30;
    int handshakeMaxAgeSeconds = 0;
    int reauthIntervalSeconds = 0;
    int reauthGraceSeconds = 0;
    int maintenanceGraceCapSeconds = 0;
    QString authorizerStatusUri;
    QString policyVersion;
    bool outboundAllowed = false;
    QList<int> allowedOutboundPorts;

    bool usesCommand() const { return !command.trimmed().isEmpty(); }
};

struct PortMapping {
    QString defaultTarget;         // "host:port", may be empty when hosts is non-empty
    QMap<QString, QString> hosts;  // normalised pattern ("api.example.com" or "*.x.y") -> target
};

struct HealthChecks {
    bool enabled = false;
    int inactivityTimeoutSeconds = 60;
    int pongTimeoutSeconds = 5;
};

struct FlowControl {
    int highWaterMark = 48;
    int lowWaterMark = 16;
    int maxBuffer = 64; // forward-credit window granted per stream
};

struct TlsConfig {
    QString caFile; // extra PEM bundle trusted for this backend's wss:// relays
    // Explicit opt-in for unencrypted ws:// relays on non-loopback hosts (tls.allowInsecure).
    // Without it a session refuses to dial them; with it the dial happens and a warning is logged.
    bool allowInsecure = false;
};

struct BackendConfig {
    QString name;
    bool enabled = true;
    QStringList hostnames; // normalised, de-duplicated, config order
    QList<int> tcpPorts;   // de-duplicated, config order
    QList<UdpRoute> udpRoutes;
    QStringList nexusAddresses;
    int weight = 1;
    AttestationConfig attestation;
    QMap<int, PortMapping> portMappings; // key: public relay port (connect.conn_port)
    HealthChecks healthChecks;
    FlowControl flowControl;
    TlsConfig tls;
    QString socks5ListenAddr; // accepted for compatibility; not served yet
    int line = 0;             // line of this backend in the file, for diagnostics
};

struct Config {
    QList<BackendConfig> backends;
    QString sourceFile; // path it was loaded from, if any
};

// One error or warning found while loading, naming where it is.
struct ConfigIssue {
    QString file;
    int line = 0;   // 1-based, 0 = unknown
    int column = 0; // 1-based, 0 = unknown
    QString key;    // dotted path, e.g. "backends[0].attestation.timeoutSeconds"
    QString message;
    // "file:line:column: key: message" (parts that are unknown are left out)
    QString toString() const;
};

struct ConfigLoadResult {
    Config config;
    QList<ConfigIssue> errors; // non-empty = the config must not be used
    QList<ConfigIssue> warnings;
    bool ok() const { return errors.isEmpty(); }
};

// Loads and validates a config file / YAML text. Never throws.
ConfigLoadResult loadConfigFile(const QString& path);
ConfigLoadResult loadConfigText(const QByteArray& yaml, const QString& fileName = QString());

} // namespace nexustray
