#include "configedit/ConfigTree.h"

#include <yaml-cpp/yaml.h>

#include "config/ConfigWriter.h"

namespace nexustray::configedit {

namespace {

YamlTree str(const QString& s) {
    YamlTree t;
    t.scalar = s;
    t.isString = true;
    return t;
}

YamlTree num(int v) {
    YamlTree t;
    t.scalar = QString::number(v);
    return t;
}

YamlTree flag(bool v) {
    YamlTree t;
    t.scalar = v ? QStringLiteral("true") : QStringLiteral("false");
    return t;
}

YamlTree map() {
    YamlTree t;
    t.kind = YamlTree::Kind::Map;
    return t;
}

YamlTree seq() {
    YamlTree t;
    t.kind = YamlTree::Kind::Seq;
    return t;
}

YamlTree strings(const QStringList& values) {
    YamlTree t = seq();
    for (const QString& v : values)
        t.items << str(v);
    return t;
}

YamlTree numbers(const QList<int>& values) {
    YamlTree t = seq();
    for (int v : values)
        t.items << num(v);
    return t;
}

void add(YamlTree& m, const char* key, const YamlTree& value) {
    m.entries.append({QString::fromLatin1(key), value});
}

// Strings and lists only when set (an empty one is the key's absence).
void addString(YamlTree& m, const char* key, const QString& value) {
    if (!value.isEmpty())
        add(m, key, str(value));
}

YamlTree attestation(const AttestationConfig& a) {
    YamlTree m = map();
    addString(m, "command", a.command);
    if (!a.args.isEmpty())
        add(m, "args", strings(a.args));
    if (!a.env.isEmpty()) {
        YamlTree env = map();
        for (auto it = a.env.cbegin(); it != a.env.cend(); ++it)
            env.entries.append({it.key(), str(it.value())});
        add(m, "env", env);
    }
    add(m, "timeoutSeconds", num(a.timeoutSeconds));
    add(m, "cacheHandshakeSeconds", num(a.cacheHandshakeSeconds));
    addString(m, "hmacSecret", a.hmacSecret);
    addString(m, "hmacSecretFile", a.hmacSecretFile);
    if (a.hmacSecretKeyring)
        add(m, "hmacSecretKeyring", flag(true));
    add(m, "tokenTTLSeconds", num(a.tokenTTLSeconds));
    add(m, "handshakeMaxAgeSeconds", num(a.handshakeMaxAgeSeconds));
    add(m, "reauthIntervalSeconds", num(a.reauthIntervalSeconds));
    add(m, "reauthGraceSeconds", num(a.reauthGraceSeconds));
    add(m, "maintenanceGraceCapSeconds", num(a.maintenanceGraceCapSeconds));
    addString(m, "authorizerStatusUri", a.authorizerStatusUri);
    addString(m, "policyVersion", a.policyVersion);
    add(m, "outboundAllowed", flag(a.outboundAllowed));
    if (!a.allowedOutboundPorts.isEmpty())
        add(m, "allowedOutboundPorts", numbers(a.allowedOutboundPorts));
    if (a.tpm) {
        YamlTree tpm = map();
        add(tpm, "namekUrl", str(a.tpm->namekUrl));
        addString(tpm, "caFile", a.tpm->caFile);
        add(tpm, "tcti", str(a.tpm->tcti));
        addString(tpm, "stateDir", a.tpm->stateDir);
        addString(tpm, "ownerPasswordFile", a.tpm->ownerPasswordFile);
        addString(tpm, "endorsementPasswordFile", a.tpm->endorsementPasswordFile);
        add(m, "tpm", tpm);
    }
    return m;
}

YamlTree fromYaml(const YAML::Node& node) {
    YamlTree t;
    if (node.IsMap()) {
        t.kind = YamlTree::Kind::Map;
        for (auto it = node.begin(); it != node.end(); ++it)
            t.entries.append({QString::fromStdString(it->first.Scalar()), fromYaml(it->second)});
    } else if (node.IsSequence()) {
        t.kind = YamlTree::Kind::Seq;
        for (std::size_t i = 0; i < node.size(); ++i)
            t.items << fromYaml(node[i]);
    } else {
        t.scalar = QString::fromStdString(node.Scalar());
        t.isString = node.Tag() == "!"; // the writer quotes every string
    }
    return t;
}

} // namespace

const YamlTree* YamlTree::find(const QString& key) const {
    for (const auto& entry : entries) {
        if (entry.first == key)
            return &entry.second;
    }
    return nullptr;
}

bool YamlTree::operator==(const YamlTree& o) const {
    return kind == o.kind && scalar == o.scalar && isString == o.isString && items == o.items &&
           entries == o.entries;
}

YamlTree fullTree(const BackendConfig& b) {
    YamlTree m = map();
    add(m, "name", str(b.name));
    add(m, "enabled", flag(b.enabled));
    add(m, "hostnames", strings(b.hostnames));
    if (!b.tcpPorts.isEmpty())
        add(m, "tcpPorts", numbers(b.tcpPorts));
    if (!b.udpRoutes.isEmpty()) {
        YamlTree routes = seq();
        for (const UdpRoute& r : b.udpRoutes) {
            YamlTree route = map();
            add(route, "port", num(r.port));
            if (r.flowIdleTimeoutSeconds)
                add(route, "flowIdleTimeoutSeconds", num(*r.flowIdleTimeoutSeconds));
            routes.items << route;
        }
        add(m, "udpRoutes", routes);
    }
    add(m, "nexusAddresses", strings(b.nexusAddresses));
    add(m, "weight", num(b.weight));
    YamlTree tls = map();
    addString(tls, "caFile", b.tls.caFile);
    add(tls, "allowInsecure", flag(b.tls.allowInsecure));
    add(m, "tls", tls);
    addString(m, "proxy", b.proxy);
    add(m, "attestation", attestation(b.attestation));
    if (!b.portMappings.isEmpty()) {
        YamlTree mappings = map();
        for (auto it = b.portMappings.cbegin(); it != b.portMappings.cend(); ++it) {
            YamlTree mapping = map();
            addString(mapping, "default", it->defaultTarget);
            if (!it->hosts.isEmpty()) {
                YamlTree hosts = map();
                for (auto h = it->hosts.cbegin(); h != it->hosts.cend(); ++h)
                    hosts.entries.append({h.key(), str(h.value())});
                add(mapping, "hosts", hosts);
            }
            if (it->proxyProtocol != ProxyProtocol::None)
                add(mapping, "proxyProtocol",
                    str(it->proxyProtocol == ProxyProtocol::V1 ? QStringLiteral("v1")
                                                               : QStringLiteral("v2")));
            mappings.entries.append({QString::number(it.key()), mapping});
        }
        add(m, "portMappings", mappings);
    }
    YamlTree health = map();
    add(health, "enabled", flag(b.healthChecks.enabled));
    add(health, "inactivityTimeout", num(b.healthChecks.inactivityTimeoutSeconds));
    add(health, "pongTimeout", num(b.healthChecks.pongTimeoutSeconds));
    add(m, "healthChecks", health);
    YamlTree flow = map();
    add(flow, "lowWaterMark", num(b.flowControl.lowWaterMark));
    add(flow, "highWaterMark", num(b.flowControl.highWaterMark));
    add(flow, "maxBuffer", num(b.flowControl.maxBuffer));
    add(m, "flowControl", flow);
    addString(m, "socks5ListenAddr", b.socks5ListenAddr);
    addString(m, "socks5Username", b.socks5Username);
    addString(m, "socks5PasswordFile", b.socks5PasswordFile);
    return m;
}

YamlTree minimalTree(const BackendConfig& backend) {
    Config one;
    one.backends << backend;
    const YAML::Node root = YAML::Load(configyaml::writeConfigYaml(one).toStdString());
    return fromYaml(root["backends"][0]);
}

} // namespace nexustray::configedit
