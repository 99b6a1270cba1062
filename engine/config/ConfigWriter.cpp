#include "config/ConfigWriter.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace nexustray::configyaml {

namespace {

std::string toStd(const QString& s) {
    return s.toStdString();
}

// One backend's mapping; the defaults compared against are Config.h's member initialisers.
class BackendWriter {
public:
    explicit BackendWriter(YAML::Emitter& out)
        : m_out(out) {}

    void write(const BackendConfig& b) {
        m_out << YAML::BeginMap;
        m_out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << toStd(b.name);
        boolean("enabled", b.enabled, BackendConfig().enabled);
        stringList("hostnames", b.hostnames, /*always=*/true);
        intList("tcpPorts", b.tcpPorts);
        udpRoutes(b.udpRoutes);
        stringList("nexusAddresses", b.nexusAddresses, /*always=*/true);
        number("weight", b.weight, BackendConfig().weight);
        tls(b.tls);
        attestation(b.attestation);
        portMappings(b.portMappings);
        healthChecks(b.healthChecks);
        flowControl(b.flowControl);
        string("socks5ListenAddr", b.socks5ListenAddr);
        string("socks5Username", b.socks5Username);
        string("socks5PasswordFile", b.socks5PasswordFile);
        string("proxy", b.proxy);
        m_out << YAML::EndMap;
    }

private:
    void string(const char* key, const QString& value) {
        if (!value.isEmpty())
            m_out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << toStd(value);
    }
    void number(const char* key, int value, int defaultValue) {
        if (value != defaultValue)
            m_out << YAML::Key << key << YAML::Value << value;
    }
    void boolean(const char* key, bool value, bool defaultValue) {
        if (value != defaultValue)
            m_out << YAML::Key << key << YAML::Value << value;
    }
    void stringList(const char* key, const QStringList& values, bool always = false) {
        if (values.isEmpty() && !always)
            return;
        m_out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
        for (const QString& v : values)
            m_out << YAML::DoubleQuoted << toStd(v);
        m_out << YAML::EndSeq;
    }
    void intList(const char* key, const QList<int>& values) {
        if (values.isEmpty())
            return;
        m_out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (int v : values)
            m_out << v;
        m_out << YAML::EndSeq;
    }

    void udpRoutes(const QList<UdpRoute>& routes) {
        if (routes.isEmpty())
            return;
        m_out << YAML::Key << "udpRoutes" << YAML::Value << YAML::BeginSeq;
        for (const UdpRoute& r : routes) {
            m_out << YAML::BeginMap << YAML::Key << "port" << YAML::Value << r.port;
            if (r.flowIdleTimeoutSeconds) // absent and 0 differ (config.md §2)
                m_out << YAML::Key << "flowIdleTimeoutSeconds" << YAML::Value
                      << *r.flowIdleTimeoutSeconds;
            m_out << YAML::EndMap;
        }
        m_out << YAML::EndSeq;
    }

    void tls(const TlsConfig& t) {
        const TlsConfig defaults;
        if (t == defaults)
            return;
        m_out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
        string("caFile", t.caFile);
        boolean("allowInsecure", t.allowInsecure, defaults.allowInsecure);
        m_out << YAML::EndMap;
    }

    void attestation(const AttestationConfig& a) {
        const AttestationConfig defaults;
        // Always written: the loader requires the mapping (a provider must be chosen).
        m_out << YAML::Key << "attestation" << YAML::Value << YAML::BeginMap;
        string("command", a.command);
        if (!a.args.isEmpty()) {
            m_out << YAML::Key << "args" << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const QString& arg : a.args)
                m_out << YAML::DoubleQuoted << toStd(arg);
            m_out << YAML::EndSeq;
        }
        if (!a.env.isEmpty()) {
            m_out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
            for (auto it = a.env.cbegin(); it != a.env.cend(); ++it)
                m_out << YAML::Key << toStd(it.key()) << YAML::Value << YAML::DoubleQuoted
                      << toStd(it.value());
            m_out << YAML::EndMap;
        }
        number("timeoutSeconds", a.timeoutSeconds, defaults.timeoutSeconds);
        number("cacheHandshakeSeconds", a.cacheHandshakeSeconds, defaults.cacheHandshakeSeconds);
        string("hmacSecret", a.hmacSecret);
        string("hmacSecretFile", a.hmacSecretFile);
        boolean("hmacSecretKeyring", a.hmacSecretKeyring, defaults.hmacSecretKeyring);
        number("tokenTTLSeconds", a.tokenTTLSeconds, defaults.tokenTTLSeconds);
        number("handshakeMaxAgeSeconds", a.handshakeMaxAgeSeconds, defaults.handshakeMaxAgeSeconds);
        number("reauthIntervalSeconds", a.reauthIntervalSeconds, defaults.reauthIntervalSeconds);
        number("reauthGraceSeconds", a.reauthGraceSeconds, defaults.reauthGraceSeconds);
        number("maintenanceGraceCapSeconds", a.maintenanceGraceCapSeconds,
               defaults.maintenanceGraceCapSeconds);
        string("authorizerStatusUri", a.authorizerStatusUri);
        string("policyVersion", a.policyVersion);
        boolean("outboundAllowed", a.outboundAllowed, defaults.outboundAllowed);
        intList("allowedOutboundPorts", a.allowedOutboundPorts);
        if (a.tpm)
            tpm(*a.tpm);
        m_out << YAML::EndMap;
    }

    void tpm(const TpmAttestationConfig& t) {
        const TpmAttestationConfig defaults;
        m_out << YAML::Key << "tpm" << YAML::Value << YAML::BeginMap;
        m_out << YAML::Key << "namekUrl" << YAML::Value << YAML::DoubleQuoted << toStd(t.namekUrl);
        string("caFile", t.caFile);
        if (t.tcti != defaults.tcti)
            string("tcti", t.tcti);
        string("stateDir", t.stateDir);
        string("ownerPasswordFile", t.ownerPasswordFile);
        string("endorsementPasswordFile", t.endorsementPasswordFile);
        m_out << YAML::EndMap;
    }

    void portMappings(const QMap<int, PortMapping>& mappings) {
        if (mappings.isEmpty())
            return;
        m_out << YAML::Key << "portMappings" << YAML::Value << YAML::BeginMap;
        for (auto it = mappings.cbegin(); it != mappings.cend(); ++it) {
            m_out << YAML::Key << it.key() << YAML::Value << YAML::BeginMap;
            string("default", it->defaultTarget);
            if (!it->hosts.isEmpty()) {
                m_out << YAML::Key << "hosts" << YAML::Value << YAML::BeginMap;
                for (auto h = it->hosts.cbegin(); h != it->hosts.cend(); ++h)
                    m_out << YAML::Key << YAML::DoubleQuoted << toStd(h.key()) << YAML::Value
                          << YAML::DoubleQuoted << toStd(h.value());
                m_out << YAML::EndMap;
            }
            if (it->proxyProtocol != ProxyProtocol::None)
                m_out << YAML::Key << "proxyProtocol" << YAML::Value
                      << (it->proxyProtocol == ProxyProtocol::V1 ? "v1" : "v2");
            m_out << YAML::EndMap;
        }
        m_out << YAML::EndMap;
    }

    void healthChecks(const HealthChecks& hc) {
        // All three or nothing: the loader reads absent numbers as 0 (config.md §2), not as the
        // defaults, so a partial block would not load back equal.
        if (hc == HealthChecks())
            return;
        m_out << YAML::Key << "healthChecks" << YAML::Value << YAML::BeginMap;
        m_out << YAML::Key << "enabled" << YAML::Value << hc.enabled;
        m_out << YAML::Key << "inactivityTimeout" << YAML::Value << hc.inactivityTimeoutSeconds;
        m_out << YAML::Key << "pongTimeout" << YAML::Value << hc.pongTimeoutSeconds;
        m_out << YAML::EndMap;
    }

    void flowControl(const FlowControl& fc) {
        if (fc == FlowControl())
            return;
        m_out << YAML::Key << "flowControl" << YAML::Value << YAML::BeginMap;
        m_out << YAML::Key << "lowWaterMark" << YAML::Value << fc.lowWaterMark;
        m_out << YAML::Key << "highWaterMark" << YAML::Value << fc.highWaterMark;
        m_out << YAML::Key << "maxBuffer" << YAML::Value << fc.maxBuffer;
        m_out << YAML::EndMap;
    }

    YAML::Emitter& m_out;
};

} // namespace

QByteArray writeConfigYaml(const Config& config) {
    YAML::Emitter out;
    out << YAML::Comment("nexus-tray configuration (written by the configuration editor)");
    out << YAML::Newline;
    out << YAML::BeginMap << YAML::Key << "backends" << YAML::Value << YAML::BeginSeq;
    BackendWriter writer(out);
    for (const BackendConfig& b : config.backends)
        writer.write(b);
    out << YAML::EndSeq;
    if (config.metrics != MetricsConfig()) {
        out << YAML::Key << "metrics" << YAML::Value << YAML::BeginMap;
        out << YAML::Key << "listen" << YAML::Value << YAML::DoubleQuoted
            << toStd(config.metrics.listen);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
    QByteArray text(out.c_str(), qsizetype(out.size()));
    if (!text.endsWith('\n'))
        text.append('\n');
    return text;
}

} // namespace nexustray::configyaml
