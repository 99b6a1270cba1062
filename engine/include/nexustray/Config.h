// Public configuration model of nexus-tray: one Config holds the backends of a config.yaml
// (schema: shared/spec/config.md). Values here are already normalised and defaulted by the loader.
// The member initialisers are the schema's defaults: the loader, the YAML writer
// (config/ConfigWriter) and the editor all take them from here. operator== compares every
// setting but not where it was read from (line, sourceFile): a new field must be added to it,
// to the writer, and to the mutation table of the tests (tests/support/BackendMutations.h).
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
    bool operator!=(const UdpRoute& o) const { return !(*this == o); }
};

// attestation.tpm: tokens from namek, proven with this machine's TPM (issue 12, spec
// tpm-namek.md). Excludes command and hmacSecret(/File).
struct TpmAttestationConfig {
    QString namekUrl; // https, required
    QString caFile;   // optional: trusted in addition to the system store
    QString tcti = QStringLiteral("device:/dev/tpmrm0");
    QString stateDir; // empty = defaultStateDir(backend name)
    // Files holding the owner / endorsement hierarchy passwords (tpm-namek.md §4); empty = none.
    QString ownerPasswordFile;
    QString endorsementPasswordFile;

    // $XDG_STATE_HOME/nexus-tray/tpm/<backend> (~/.local/state/... when XDG_STATE_HOME is unset).
    static QString defaultStateDir(const QString& backendName);
    // stateDir, or the default for this backend when it is empty.
    QString effectiveStateDir(const QString& backendName) const {
        return stateDir.isEmpty() ? defaultStateDir(backendName) : stateDir;
    }
    bool operator==(const TpmAttestationConfig& o) const {
        return namekUrl == o.namekUrl && caFile == o.caFile && tcti == o.tcti &&
               stateDir == o.stateDir && ownerPasswordFile == o.ownerPasswordFile &&
               endorsementPasswordFile == o.endorsementPasswordFile;
    }
    bool operator!=(const TpmAttestationConfig& o) const { return !(*this == o); }
};

struct AttestationConfig {
    QString command; // external token command; wins over the HMAC signer when non-blank
    QStringList args;
    QMap<QString, QString> env;
    int timeoutSeconds = 15;
    int cacheHandshakeSeconds = 0;
    QString hmacSecret;     // trimmed
    QString hmacSecretFile; // trimmed path; read when the session is built
    // The secret is in the system keyring (service "nexus-tray", key = backend name), read when
    // the session starts; exclusive with hmacSecret/hmacSecretFile, command and tpm.
    bool hmacSecretKeyring = false;
    int tokenTTLSeconds = 30;
    int handshakeMaxAgeSeconds = 0;
    int reauthIntervalSeconds = 0;
    int reauthGraceSeconds = 0;
    int maintenanceGraceCapSeconds = 0;
    QString authorizerStatusUri;
    QString policyVersion;
    bool outboundAllowed = false;
    QList<int> allowedOutboundPorts;
    std::optional<TpmAttestationConfig> tpm; // set = the TPM provider (the other kinds are unset)

    bool usesCommand() const { return !command.trimmed().isEmpty(); }
    bool usesTpm() const { return tpm.has_value(); }
    bool usesKeyring() const { return hmacSecretKeyring; }
    bool operator==(const AttestationConfig& o) const;
    bool operator!=(const AttestationConfig& o) const { return !(*this == o); }
};

// PROXY protocol header sent to the local service before a TCP stream's first byte.
enum class ProxyProtocol { None, V1, V2 };

struct PortMapping {
    QString defaultTarget;        // "host:port", may be empty when hosts is non-empty
    QMap<QString, QString> hosts; // normalised pattern ("api.example.com" or "*.x.y") -> target
    // `proxyProtocol: v1 | v2` (nexus-tray only); the host overrides inherit it.
    ProxyProtocol proxyProtocol = ProxyProtocol::None;
    bool operator==(const PortMapping& o) const {
        return defaultTarget == o.defaultTarget && hosts == o.hosts &&
               proxyProtocol == o.proxyProtocol;
    }
    bool operator!=(const PortMapping& o) const { return !(*this == o); }
};

struct HealthChecks {
    bool enabled = false;
    int inactivityTimeoutSeconds = 60;
    int pongTimeoutSeconds = 5;
    bool operator==(const HealthChecks& o) const {
        return enabled == o.enabled && inactivityTimeoutSeconds == o.inactivityTimeoutSeconds &&
               pongTimeoutSeconds == o.pongTimeoutSeconds;
    }
    bool operator!=(const HealthChecks& o) const { return !(*this == o); }
};

struct FlowControl {
    int highWaterMark = 48;
    int lowWaterMark = 16;
    int maxBuffer = 64; // forward-credit window granted per stream
    bool operator==(const FlowControl& o) const {
        return highWaterMark == o.highWaterMark && lowWaterMark == o.lowWaterMark &&
               maxBuffer == o.maxBuffer;
    }
    bool operator!=(const FlowControl& o) const { return !(*this == o); }
};

struct TlsConfig {
    QString caFile; // extra PEM bundle trusted for this backend's wss:// relays
    // Explicit opt-in for unencrypted ws:// relays on non-loopback hosts (tls.allowInsecure).
    // Without it a session refuses to dial them; with it the dial happens and a warning is logged.
    bool allowInsecure = false;
    bool operator==(const TlsConfig& o) const {
        return caFile == o.caFile && allowInsecure == o.allowInsecure;
    }
    bool operator!=(const TlsConfig& o) const { return !(*this == o); }
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
    // HTTP CONNECT proxy for this backend's relay dials: empty = HTTPS_PROXY/ALL_PROXY/NO_PROXY
    // from the environment, "none" = direct, else http://[user:pass@]host:port.
    QString proxy;
    // SOCKS5 listener of outbound streams (protocol.md §9.3): `host:port`, empty = none. Parsed
    // when the listener starts (a bad value is logged then); a non-loopback host requires
    // socks5Username + socks5PasswordFile (a load error otherwise).
    QString socks5ListenAddr;
    QString socks5Username;     // RFC 1929 username; set with socks5PasswordFile, or neither
    QString socks5PasswordFile; // trimmed path; read at load (checked) and when the listener starts
    int line = 0;               // line of this backend in the file, for diagnostics

    // Every setting; not `line` (moving a backend in the file changes nothing it does).
    bool operator==(const BackendConfig& o) const;
    bool operator!=(const BackendConfig& o) const { return !(*this == o); }
};

// Top-level `metrics:` (nexus-tray only, issue 15): where the metrics/ready/status endpoint
// listens. The CLI's --metrics wins over it.
struct MetricsConfig {
    QString listen; // host:port ("127.0.0.1:9464", "[::1]:9464"), trimmed; empty = not set
    bool operator==(const MetricsConfig& o) const { return listen == o.listen; }
    bool operator!=(const MetricsConfig& o) const { return !(*this == o); }
};

struct Config {
    QList<BackendConfig> backends;
    MetricsConfig metrics;
    QString sourceFile; // path it was loaded from, if any

    // The backends (order matters) and the top-level settings; not sourceFile.
    bool operator==(const Config& o) const {
        return backends == o.backends && metrics == o.metrics;
    }
    bool operator!=(const Config& o) const { return !(*this == o); }
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
