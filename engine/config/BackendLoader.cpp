#include "config/BackendLoader.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QUrl>

#include "config/Hostname.h"
#include "config/ListenAddress.h"
#include "config/Socks5PasswordFile.h"
#include "config/TpmPasswordFile.h"
#include "config/YamlScalar.h"
#include "websocket/ProxySettings.h"
#include "websocket/TrustStore.h"

namespace nexustray::configyaml {

namespace {

const QStringList kBackendKeys = {
    QStringLiteral("name"),           QStringLiteral("hostnames"),
    QStringLiteral("hostname"),       QStringLiteral("tcpPorts"),
    QStringLiteral("udpRoutes"),      QStringLiteral("nexusAddresses"),
    QStringLiteral("weight"),         QStringLiteral("attestation"),
    QStringLiteral("portMappings"),   QStringLiteral("healthChecks"),
    QStringLiteral("flowControl"),    QStringLiteral("socks5ListenAddr"),
    QStringLiteral("socks5Username"), QStringLiteral("socks5PasswordFile"),
    QStringLiteral("enabled"),        QStringLiteral("tls"),
    QStringLiteral("proxy")};

const QStringList kUdpRouteKeys = {QStringLiteral("port"),
                                   QStringLiteral("flowIdleTimeoutSeconds")};

const QStringList kAttestationKeys = {QStringLiteral("command"),
                                      QStringLiteral("args"),
                                      QStringLiteral("env"),
                                      QStringLiteral("timeoutSeconds"),
                                      QStringLiteral("cacheHandshakeSeconds"),
                                      QStringLiteral("hmacSecret"),
                                      QStringLiteral("hmacSecretFile"),
                                      QStringLiteral("hmacSecretKeyring"),
                                      QStringLiteral("tokenTTLSeconds"),
                                      QStringLiteral("handshakeMaxAgeSeconds"),
                                      QStringLiteral("reauthIntervalSeconds"),
                                      QStringLiteral("reauthGraceSeconds"),
                                      QStringLiteral("maintenanceGraceCapSeconds"),
                                      QStringLiteral("authorizerStatusUri"),
                                      QStringLiteral("policyVersion"),
                                      QStringLiteral("outboundAllowed"),
                                      QStringLiteral("allowedOutboundPorts"),
                                      QStringLiteral("tpm")};
const QStringList kTpmKeys = {QStringLiteral("namekUrl"),
                              QStringLiteral("caFile"),
                              QStringLiteral("tcti"),
                              QStringLiteral("stateDir"),
                              QStringLiteral("ownerPasswordFile"),
                              QStringLiteral("endorsementPasswordFile")};

const QStringList kPortMappingKeys = {QStringLiteral("default"), QStringLiteral("hosts"),
                                      QStringLiteral("proxyProtocol")};
const QStringList kHealthKeys = {QStringLiteral("enabled"), QStringLiteral("inactivityTimeout"),
                                 QStringLiteral("pongTimeout")};
const QStringList kFlowKeys = {QStringLiteral("highWaterMark"), QStringLiteral("lowWaterMark"),
                               QStringLiteral("maxBuffer")};
const QStringList kTlsKeys = {QStringLiteral("caFile"), QStringLiteral("allowInsecure")};

constexpr int kMaxPort = 65535;
// The command's time limit becomes a millisecond timer (int): keep it far from overflowing.
constexpr int kMaxTimeoutSeconds = 86400;
// Defaults are the member initialisers of Config.h (one place for the loader, writer and editor).
const AttestationConfig kDefaultAttestation;
const HealthChecks kDefaultHealth;
const FlowControl kDefaultFlow;

bool validPort(int port) {
    return port >= 1 && port <= kMaxPort;
}

QString quoted(const QString& s) {
    return u'\'' + s + u'\'';
}

// Why a normalised name fails nexus-tray's DNS rule, as a hint for the message.
QString hostnameHint(const QString& raw, const QString& normalized) {
    if (hostname::isWildcard(normalized)) {
        const QString pattern = hostname::normalizePattern(raw);
        if (pattern != normalized && hostname::isValidHostname(pattern))
            return QStringLiteral(" (write it as '%1')").arg(pattern);
        if (!normalized.mid(2).contains(u'.'))
            return QStringLiteral(" (a wildcard needs at least two labels after '*.')");
    }
    return QStringLiteral(" (not a valid DNS name)");
}

} // namespace

BackendLoader::BackendLoader(IssueSink& sink, const YAML::Node& node, int index)
    : m_sink(sink)
    , m_node(node)
    , m_index(index) {
    m_ref.path = QStringLiteral("backends[%1]").arg(index);
    m_ref = m_ref.at(node);
}

QString BackendLoader::peekName() const {
    for (auto it = m_node.begin(); it != m_node.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "name" && it->second.IsScalar())
            return fromStd(it->second.Scalar());
    }
    return {};
}

BackendConfig BackendLoader::load() {
    m_cfg.line = m_ref.line;
    const QString name = peekName();
    m_sink.setScope(name.trimmed().isEmpty() ? QStringLiteral("backend #%1").arg(m_index + 1)
                                             : QStringLiteral("backend '%1'").arg(name));
    const MapReader map(m_sink, m_node, m_ref, kBackendKeys);
    m_map = &map;

    loadName();
    loadHostnameSources();
    loadTcpPorts();
    loadUdpRoutes();
    checkRouteRule();
    normaliseHostnames();
    loadNexusAddresses();
    loadWeight();
    loadAttestation();
    loadPortMappings();
    emitWarnings();
    loadHealthChecks();
    loadFlowControl();
    loadAdditions();
    loadProxy();

    m_map = nullptr;
    m_sink.setScope({});
    return m_cfg;
}

void BackendLoader::loadName() {
    const SourceRef ref = m_map->ref(QStringLiteral("name"));
    if (readString(m_sink, m_map->value(QStringLiteral("name")), ref, m_cfg.name) == Read::Bad)
        return;
    if (m_cfg.name.trimmed().isEmpty())
        m_sink.error(ref, QStringLiteral("name is required"));
}

void BackendLoader::loadHostnameSources() {
    m_hostnamesBad =
        readStringList(m_sink, m_map->value(QStringLiteral("hostnames")),
                       m_map->ref(QStringLiteral("hostnames")), m_rawHostnames) == Read::Bad;
    Located<QString> legacy;
    legacy.ref = m_map->ref(QStringLiteral("hostname"));
    const Read read =
        readString(m_sink, m_map->value(QStringLiteral("hostname")), legacy.ref, legacy.value);
    if (read == Read::Bad)
        m_hostnamesBad = true;
    // The legacy single name counts only when the list is empty.
    else if (!m_hostnamesBad && m_rawHostnames.isEmpty() && !legacy.value.isEmpty())
        m_rawHostnames << legacy;
}

void BackendLoader::loadTcpPorts() {
    QList<Located<int>> ports;
    const SourceRef ref = m_map->ref(QStringLiteral("tcpPorts"));
    const YAML::Node node = m_map->value(QStringLiteral("tcpPorts"));
    m_tcpBad = readIntList(m_sink, node, ref, ports) == Read::Bad;
    m_tcpCount = node.IsSequence() ? static_cast<qsizetype>(node.size()) : 0;
    for (const Located<int>& port : ports) {
        if (!validPort(port.value)) {
            m_sink.error(port.ref,
                         QStringLiteral("invalid TCP port %1 (must be 1-65535)").arg(port.value));
            continue;
        }
        if (!m_cfg.tcpPorts.contains(port.value)) { // duplicates are dropped silently
            m_cfg.tcpPorts << port.value;
            m_tcpPorts << port;
        }
    }
}

void BackendLoader::loadUdpRoutes() {
    const SourceRef ref = m_map->ref(QStringLiteral("udpRoutes"));
    const YAML::Node list = m_map->value(QStringLiteral("udpRoutes"));
    const Read read = expectList(m_sink, list, ref);
    if (read != Read::Ok) {
        m_udpBad = read == Read::Bad;
        return;
    }
    m_udpCount = static_cast<qsizetype>(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        const SourceRef itemRef = ref.item(static_cast<int>(i), item);
        if (expectMap(m_sink, item, itemRef) == Read::Bad) {
            m_udpBad = true;
            continue;
        }
        const MapReader route(m_sink, item, itemRef, kUdpRouteKeys);
        UdpRoute udp;
        const SourceRef portRef = route.ref(QStringLiteral("port"));
        const Read port = readInt(m_sink, route.value(QStringLiteral("port")), portRef, udp.port);
        int timeout = 0;
        const SourceRef timeoutRef = route.ref(QStringLiteral("flowIdleTimeoutSeconds"));
        const Read timeoutRead = readInt(
            m_sink, route.value(QStringLiteral("flowIdleTimeoutSeconds")), timeoutRef, timeout);
        if (port == Read::Bad || timeoutRead == Read::Bad) {
            m_udpBad = true;
            continue;
        }
        if (timeoutRead == Read::Ok)
            udp.flowIdleTimeoutSeconds = timeout; // absent stays absent: "hub default"

        if (!validPort(udp.port)) {
            m_sink.error(portRef, QStringLiteral("invalid UDP port %1").arg(udp.port));
            continue;
        }
        if (timeout < 0) {
            m_sink.error(
                timeoutRef,
                QStringLiteral("udpRoutes[%1].flowIdleTimeoutSeconds cannot be negative").arg(i));
            continue;
        }
        const bool duplicate =
            std::any_of(m_cfg.udpRoutes.cbegin(), m_cfg.udpRoutes.cend(),
                        [&](const UdpRoute& other) { return other.port == udp.port; });
        if (duplicate) { // unlike tcpPorts, not de-duplicated
            m_sink.error(portRef,
                         QStringLiteral("duplicate UDP port %1 in udpRoutes").arg(udp.port));
            continue;
        }
        m_cfg.udpRoutes << udp;
        m_udpRefs << portRef;
    }
}

bool BackendLoader::peekTpm() const {
    for (auto it = m_node.begin(); it != m_node.end(); ++it) {
        if (!it->first.IsScalar() || it->first.Scalar() != "attestation" || !it->second.IsMap())
            continue;
        for (auto field = it->second.begin(); field != it->second.end(); ++field) {
            if (field->first.IsScalar() && field->first.Scalar() == "tpm")
                return true;
        }
    }
    return false;
}

void BackendLoader::checkRouteRule() {
    // With tpm, namek decides the hostnames (tpm-namek.md §2.3): configured ones are optional.
    if (m_hostnamesBad || m_tcpBad || m_udpBad || peekTpm())
        return;
    if (m_rawHostnames.isEmpty() && m_tcpCount == 0 && m_udpCount == 0)
        m_sink.error(m_ref,
                     QStringLiteral("at least one hostname, tcpPort, or udpRoute is required"));
}

void BackendLoader::normaliseHostnames() {
    for (const Located<QString>& raw : m_rawHostnames) {
        // Go looks at the raw entry; nexus-tray also checks the normalised one (" TCP:53").
        const QString name = hostname::normalize(raw.value);
        if (hostname::hasRouteKeyPrefix(raw.value) || hostname::hasRouteKeyPrefix(name)) {
            m_sink.error(raw.ref,
                         QStringLiteral("invalid hostname %1 (cannot use route key format)")
                             .arg(quoted(raw.value)));
            continue;
        }
        if (name.isEmpty()) {
            m_sink.error(raw.ref, QStringLiteral("invalid hostname %1").arg(quoted(raw.value)));
            continue;
        }
        if (!hostname::isValidHostname(name)) {
            m_sink.error(raw.ref, QStringLiteral("invalid hostname %1%2")
                                      .arg(quoted(raw.value), hostnameHint(raw.value, name)));
            continue;
        }
        if (!m_cfg.hostnames.contains(name))
            m_cfg.hostnames << name;
    }
}

void BackendLoader::loadNexusAddresses() {
    QList<Located<QString>> addresses;
    const SourceRef ref = m_map->ref(QStringLiteral("nexusAddresses"));
    if (readStringList(m_sink, m_map->value(QStringLiteral("nexusAddresses")), ref, addresses) ==
        Read::Bad)
        return;
    for (const Located<QString>& address : addresses)
        m_cfg.nexusAddresses << address.value; // checked when dialled, like any dial error
    // With tpm the default is namek's nexus_endpoints (learnt at enrollment, see Client).
    if (m_cfg.nexusAddresses.isEmpty() && !peekTpm())
        m_sink.error(ref, QStringLiteral("nexusAddresses is required"));
}

void BackendLoader::loadWeight() {
    int weight = 0;
    readInt(m_sink, m_map->value(QStringLiteral("weight")), m_map->ref(QStringLiteral("weight")),
            weight);
    m_cfg.weight = weight <= 0 ? 1 : weight;
}

void BackendLoader::loadAttestation() {
    const QString key = QStringLiteral("attestation");
    const SourceRef ref = m_map->ref(key);
    const YAML::Node node = m_map->value(key);
    const QString required =
        QStringLiteral("attestation requires either command or hmacSecret(/File)");
    const Read read = expectMap(m_sink, node, ref);
    if (read == Read::Absent)
        m_sink.error(ref, required);
    if (read != Read::Ok)
        return;

    const MapReader att(m_sink, node, ref, kAttestationKeys);
    AttestationConfig& a = m_cfg.attestation;
    auto str = [&](const char* name, QString& out) {
        return readString(m_sink, att.value(QLatin1String(name)), att.ref(QLatin1String(name)),
                          out) == Read::Bad;
    };
    bool presenceUnknown = str("command", a.command);
    presenceUnknown |= str("hmacSecret", a.hmacSecret);
    presenceUnknown |= str("hmacSecretFile", a.hmacSecretFile);
    m_secretFileRef = att.ref(QStringLiteral("hmacSecretFile"));
    presenceUnknown |= loadTpm(att);
    const SourceRef keyringRef = att.ref(QStringLiteral("hmacSecretKeyring"));
    presenceUnknown |= readBool(m_sink, att.value(QStringLiteral("hmacSecretKeyring")), keyringRef,
                                a.hmacSecretKeyring) == Read::Bad;
    str("authorizerStatusUri", a.authorizerStatusUri);
    str("policyVersion", a.policyVersion);

    QList<Located<QString>> args;
    readStringList(m_sink, att.value(QStringLiteral("args")), att.ref(QStringLiteral("args")),
                   args);
    for (const Located<QString>& arg : args)
        a.args << arg.value;

    const YAML::Node env = att.value(QStringLiteral("env"));
    const SourceRef envRef = att.ref(QStringLiteral("env"));
    if (expectMap(m_sink, env, envRef) == Read::Ok) {
        const MapReader vars(m_sink, env, envRef);
        for (const MapReader::Entry& var : vars.entries()) {
            QString value;
            if (readString(m_sink, var.value, var.ref, value) != Read::Bad)
                a.env.insert(var.key, value);
        }
    }

    readBool(m_sink, att.value(QStringLiteral("outboundAllowed")),
             att.ref(QStringLiteral("outboundAllowed")), a.outboundAllowed);
    QList<Located<int>> outbound; // not range-checked: the hub refuses bad ones at handshake
    readIntList(m_sink, att.value(QStringLiteral("allowedOutboundPorts")),
                att.ref(QStringLiteral("allowedOutboundPorts")), outbound);
    for (const Located<int>& port : outbound)
        a.allowedOutboundPorts << port.value;

    const bool otherKind = !a.command.trimmed().isEmpty() || !a.hmacSecret.trimmed().isEmpty() ||
                           !a.hmacSecretFile.trimmed().isEmpty();
    if (!presenceUnknown && !otherKind && !a.usesTpm() && !a.usesKeyring())
        m_sink.error(ref, required);
    if (a.usesTpm() && otherKind)
        m_sink.error(att.ref(QStringLiteral("tpm")),
                     QStringLiteral("attestation.tpm cannot be combined with command or "
                                    "hmacSecret(/File)"));
    if (a.usesKeyring() && (otherKind || a.usesTpm()))
        m_sink.error(keyringRef,
                     QStringLiteral("attestation.hmacSecretKeyring cannot be combined with "
                                    "command, hmacSecret(/File) or tpm"));

    // Numbers in the order of config.md §3; 0 is "unset" for every one of them.
    const std::pair<const char*, int*> numbers[] = {
        {"timeoutSeconds", &a.timeoutSeconds},
        {"cacheHandshakeSeconds", &a.cacheHandshakeSeconds},
        {"tokenTTLSeconds", &a.tokenTTLSeconds},
        {"handshakeMaxAgeSeconds", &a.handshakeMaxAgeSeconds},
        {"reauthIntervalSeconds", &a.reauthIntervalSeconds},
        {"reauthGraceSeconds", &a.reauthGraceSeconds},
        {"maintenanceGraceCapSeconds", &a.maintenanceGraceCapSeconds}};
    for (const auto& [name, field] : numbers) {
        const QString numberKey = QLatin1String(name);
        int value = 0;
        const Read r = readInt(m_sink, att.value(numberKey), att.ref(numberKey), value);
        if (r != Read::Bad && value < 0)
            m_sink.error(att.ref(numberKey),
                         QStringLiteral("attestation.%1 cannot be negative").arg(numberKey));
        *field = value;
    }
    if (a.timeoutSeconds > kMaxTimeoutSeconds)
        m_sink.error(att.ref(QStringLiteral("timeoutSeconds")),
                     QStringLiteral("attestation.timeoutSeconds %1 is too large (at most %2, one "
                                    "day)")
                         .arg(a.timeoutSeconds)
                         .arg(kMaxTimeoutSeconds));
    if (a.timeoutSeconds == 0)
        a.timeoutSeconds = kDefaultAttestation.timeoutSeconds;
    if (a.tokenTTLSeconds == 0)
        a.tokenTTLSeconds = kDefaultAttestation.tokenTTLSeconds;

    // The command is used as written (only its presence is tested trimmed).
    a.hmacSecret = a.hmacSecret.trimmed();
    a.hmacSecretFile = a.hmacSecretFile.trimmed();
    a.authorizerStatusUri = a.authorizerStatusUri.trimmed();
    a.policyVersion = a.policyVersion.trimmed();
}

bool BackendLoader::loadTpm(const MapReader& attestation) {
    const QString key = QStringLiteral("tpm");
    const SourceRef ref = attestation.ref(key);
    const YAML::Node node = attestation.value(key);
    const Read read = expectMap(m_sink, node, ref);
    if (read != Read::Ok)
        return read == Read::Bad;
    const MapReader fields(m_sink, node, ref, kTpmKeys);
    TpmAttestationConfig tpm;
    auto str = [&](const char* name, QString& out) {
        const Read r = readString(m_sink, fields.value(QLatin1String(name)),
                                  fields.ref(QLatin1String(name)), out);
        out = out.trimmed();
        return r;
    };
    const SourceRef urlRef = fields.ref(QStringLiteral("namekUrl"));
    const Read urlRead = str("namekUrl", tpm.namekUrl);
    if (urlRead != Read::Bad) {
        const QUrl url(tpm.namekUrl);
        if (tpm.namekUrl.isEmpty())
            m_sink.error(urlRead == Read::Absent ? ref : urlRef,
                         QStringLiteral("attestation.tpm.namekUrl is required"));
        else if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
            m_sink.error(urlRef, QStringLiteral("attestation.tpm.namekUrl %1 must be an https:// "
                                                "URL")
                                     .arg(quoted(tpm.namekUrl)));
    }
    const SourceRef caRef = fields.ref(QStringLiteral("caFile"));
    if (str("caFile", tpm.caFile) == Read::Ok && !tpm.caFile.isEmpty()) {
        const trust::CaBundle bundle = trust::readCaFile(tpm.caFile);
        if (!bundle.error.isEmpty())
            m_sink.error(caRef, QStringLiteral("attestation.tpm.caFile %1: %2")
                                    .arg(quoted(tpm.caFile), bundle.error));
    }
    QString tcti;
    if (str("tcti", tcti) == Read::Ok && !tcti.isEmpty())
        tpm.tcti = tcti; // absent or blank: the default of Config.h
    str("stateDir", tpm.stateDir);
    // Hierarchy passwords (§4) live in their own files, like hmacSecretFile.
    for (const auto& [name, path] :
         {std::pair{"ownerPasswordFile", &tpm.ownerPasswordFile},
          std::pair{"endorsementPasswordFile", &tpm.endorsementPasswordFile}}) {
        QByteArray password;
        QString problem;
        if (str(name, *path) == Read::Ok && !path->isEmpty() &&
            !(problem = config::readTpmPasswordFile(*path, &password)).isEmpty())
            m_sink.error(fields.ref(QLatin1String(name)),
                         QStringLiteral("attestation.tpm.%1 %2: %3")
                             .arg(QLatin1String(name), quoted(*path), problem));
    }
    m_cfg.attestation.tpm = tpm;
    return false;
}

void BackendLoader::loadPortMappings() {
    const QString key = QStringLiteral("portMappings");
    const SourceRef ref = m_map->ref(key);
    const YAML::Node node = m_map->value(key);
    const Read read = expectMap(m_sink, node, ref);
    if (read == Read::Bad)
        return;
    m_mappingsKnown = true;
    if (read == Read::Absent || node.size() == 0) {
        m_sink.error(ref, QStringLiteral("at least one portMapping is required"));
        return;
    }
    const MapReader mappings(m_sink, node, ref);
    QHash<int, int> seenAt; // port -> line, catches "80" and "0x50" in one mapping
    for (const MapReader::Entry& entry : mappings.entries()) {
        std::optional<int> port;
        if (entry.keyNode.Tag() == "?")
            port = yamlscalar::toInt(entry.key);
        if (!port) {
            m_sink.error(entry.ref, QStringLiteral("portMappings keys must be port numbers, got %1")
                                        .arg(describe(entry.keyNode)));
            m_mappingsKnown = false;
            continue;
        }
        if (const auto first = seenAt.constFind(*port); first != seenAt.cend()) {
            m_sink.error(entry.ref, QStringLiteral("port %1 is mapped twice (first at line %2)")
                                        .arg(*port)
                                        .arg(*first));
            continue;
        }
        seenAt.insert(*port, entry.ref.line);
        loadPortMapping(entry, *port);
    }
}

void BackendLoader::loadPortMapping(const MapReader::Entry& entry, int port) {
    const QString portPrefix = QStringLiteral("port %1: ").arg(port);
    PortMapping mapping;
    bool bad = false;
    bool hostsGiven = false;

    if (entry.value.IsScalar()) {
        // The original map[int]string form ("993: localhost:993"), accepted as a default.
        mapping.defaultTarget = fromStd(entry.value.Scalar()).trimmed();
    } else if (entry.value.IsSequence()) {
        m_sink.error(entry.ref,
                     QStringLiteral("expected a mapping with default/hosts or a \"host:port\" "
                                    "string, got %1")
                         .arg(describe(entry.value)));
        return;
    } else if (entry.value.IsMap()) {
        const qsizetype errorsBefore = m_sink.errorCount();
        const MapReader fields(m_sink, entry.value, entry.ref, kPortMappingKeys);
        // An unknown key ("hostnames:") already explains an apparently empty mapping.
        bad = m_sink.errorCount() != errorsBefore;
        bad |=
            readString(m_sink, fields.value(QStringLiteral("default")),
                       fields.ref(QStringLiteral("default")), mapping.defaultTarget) == Read::Bad;
        mapping.defaultTarget = mapping.defaultTarget.trimmed();

        QString proxyProtocol;
        const SourceRef proxyRef = fields.ref(QStringLiteral("proxyProtocol"));
        const Read proxyRead = readString(m_sink, fields.value(QStringLiteral("proxyProtocol")),
                                          proxyRef, proxyProtocol);
        bad |= proxyRead == Read::Bad;
        if (proxyRead == Read::Ok) {
            proxyProtocol = proxyProtocol.trimmed().toLower();
            if (proxyProtocol == QLatin1String("v1")) {
                mapping.proxyProtocol = ProxyProtocol::V1;
            } else if (proxyProtocol == QLatin1String("v2")) {
                mapping.proxyProtocol = ProxyProtocol::V2;
            } else if (proxyProtocol != QLatin1String("off") &&
                       proxyProtocol != QLatin1String("none")) {
                m_sink.error(proxyRef, portPrefix + QStringLiteral("proxyProtocol must be v1, "
                                                                   "v2 or off, got %1")
                                                        .arg(quoted(proxyProtocol)));
                bad = true;
            }
        }

        const YAML::Node hosts = fields.value(QStringLiteral("hosts"));
        const SourceRef hostsRef = fields.ref(QStringLiteral("hosts"));
        const Read hostsRead = expectMap(m_sink, hosts, hostsRef);
        bad |= hostsRead == Read::Bad;
        if (hostsRead == Read::Ok) {
            hostsGiven = hosts.size() > 0;
            const MapReader overrides(m_sink, hosts, hostsRef);
            QHash<QString, QString> firstPattern; // normalised -> pattern as written
            for (const MapReader::Entry& host : overrides.entries()) {
                QString target;
                const Read targetRead = readString(m_sink, host.value, host.ref, target);
                target = target.trimmed();
                if (targetRead != Read::Bad && target.isEmpty())
                    m_sink.error(host.ref,
                                 portPrefix +
                                     QStringLiteral("port mapping override %1 has empty target")
                                         .arg(quoted(host.key)));
                const QString pattern = hostname::normalizePattern(host.key);
                if (pattern.isEmpty() || !hostname::isValidHostname(pattern)) {
                    const QString hint =
                        pattern.isEmpty() ? QString() : hostnameHint(host.key, pattern);
                    m_sink.error(host.ref,
                                 portPrefix +
                                     QStringLiteral("invalid hostname pattern %1 in port mapping%2")
                                         .arg(quoted(host.key), hint));
                    continue;
                }
                if (const auto first = firstPattern.constFind(pattern);
                    first != firstPattern.cend()) {
                    m_sink.error(host.ref,
                                 portPrefix +
                                     QStringLiteral("port mapping override %1 duplicates "
                                                    "%2 (both are %3)")
                                         .arg(quoted(host.key), quoted(*first), quoted(pattern)));
                    continue;
                }
                firstPattern.insert(pattern, host.key);
                mapping.hosts.insert(pattern, target);
            }
        }
    }

    if (!bad && mapping.defaultTarget.isEmpty() && !hostsGiven)
        m_sink.error(entry.ref,
                     portPrefix +
                         QStringLiteral("port mapping must specify a default or host overrides"));
    m_cfg.portMappings.insert(port, mapping);
}

void BackendLoader::emitWarnings() {
    if (m_mappingsKnown) {
        for (const Located<int>& port : m_tcpPorts) {
            if (!m_cfg.portMappings.contains(port.value))
                m_sink.warning(port.ref, QStringLiteral("tcpPorts: port %1 has no portMappings "
                                                        "entry; its connections have no route")
                                             .arg(port.value));
        }
        for (qsizetype i = 0; i < m_cfg.udpRoutes.size(); ++i) {
            const int port = m_cfg.udpRoutes.at(i).port;
            if (!m_cfg.portMappings.contains(port))
                m_sink.warning(m_udpRefs.at(i), QStringLiteral("udpRoutes: port %1 has no "
                                                               "portMappings entry; its flows "
                                                               "have no route")
                                                    .arg(port));
        }
    }

    const QString secretFile = m_cfg.attestation.hmacSecretFile;
    if (!secretFile.isEmpty() && QFileInfo(secretFile).isFile()) {
        const QFile::Permissions perms = QFile::permissions(secretFile);
        if (perms & (QFile::ReadGroup | QFile::ReadOther)) {
            // Qt's flags hold owner/group/other in bits 12-14, 4-6 and 0-2.
            const int bits = int(perms);
            const int mode = ((bits >> 12) & 7) << 6 | ((bits >> 4) & 7) << 3 | (bits & 7);
            m_sink.warning(m_secretFileRef,
                           QStringLiteral("attestation.hmacSecretFile %1 has mode %2: readable by "
                                          "group or others; restrict it (chmod 600)")
                               .arg(quoted(secretFile),
                                    QStringLiteral("0%1").arg(mode, 3, 8, QLatin1Char('0'))));
        }
    }

    for (qsizetype i = 0; i < m_cfg.nexusAddresses.size(); ++i) {
        const QUrl url(m_cfg.nexusAddresses.at(i).trimmed());
        if (url.scheme().compare(QLatin1String("ws"), Qt::CaseInsensitive) == 0 &&
            !hostname::isLoopbackHost(url.host()))
            m_sink.warning(m_map->ref(QStringLiteral("nexusAddresses")),
                           QStringLiteral("nexusAddresses[%1] %2 is not encrypted (ws://, TLS "
                                          "off); use wss://")
                               .arg(i)
                               .arg(quoted(m_cfg.nexusAddresses.at(i))));
    }
}

void BackendLoader::loadHealthChecks() {
    const SourceRef ref = m_map->ref(QStringLiteral("healthChecks"));
    const YAML::Node node = m_map->value(QStringLiteral("healthChecks"));
    HealthChecks& h = m_cfg.healthChecks;
    // As in Go: numbers are taken as given (0 when absent) and only defaulted when enabled.
    h.inactivityTimeoutSeconds = 0;
    h.pongTimeoutSeconds = 0;
    if (expectMap(m_sink, node, ref) == Read::Ok) {
        const MapReader fields(m_sink, node, ref, kHealthKeys);
        readBool(m_sink, fields.value(QStringLiteral("enabled")),
                 fields.ref(QStringLiteral("enabled")), h.enabled);
        readInt(m_sink, fields.value(QStringLiteral("inactivityTimeout")),
                fields.ref(QStringLiteral("inactivityTimeout")), h.inactivityTimeoutSeconds);
        readInt(m_sink, fields.value(QStringLiteral("pongTimeout")),
                fields.ref(QStringLiteral("pongTimeout")), h.pongTimeoutSeconds);
    }
    if (h.enabled) {
        if (h.inactivityTimeoutSeconds <= 0)
            h.inactivityTimeoutSeconds = kDefaultHealth.inactivityTimeoutSeconds;
        if (h.pongTimeoutSeconds <= 0)
            h.pongTimeoutSeconds = kDefaultHealth.pongTimeoutSeconds;
    }
}

void BackendLoader::loadFlowControl() {
    const SourceRef ref = m_map->ref(QStringLiteral("flowControl"));
    const YAML::Node node = m_map->value(QStringLiteral("flowControl"));
    FlowControl& f = m_cfg.flowControl;
    if (expectMap(m_sink, node, ref) != Read::Ok)
        return; // absent: defaults; bad: reported
    const MapReader fields(m_sink, node, ref, kFlowKeys);
    int high = 0;
    int low = 0;
    int max = 0;
    bool bad = readInt(m_sink, fields.value(QStringLiteral("highWaterMark")),
                       fields.ref(QStringLiteral("highWaterMark")), high) == Read::Bad;
    bad |= readInt(m_sink, fields.value(QStringLiteral("lowWaterMark")),
                   fields.ref(QStringLiteral("lowWaterMark")), low) == Read::Bad;
    bad |= readInt(m_sink, fields.value(QStringLiteral("maxBuffer")),
                   fields.ref(QStringLiteral("maxBuffer")), max) == Read::Bad;
    f.highWaterMark = high <= 0 ? kDefaultFlow.highWaterMark : high;
    f.lowWaterMark = low <= 0 ? kDefaultFlow.lowWaterMark : low;
    f.maxBuffer = max <= 0 ? kDefaultFlow.maxBuffer : max;
    if (bad)
        return;
    if (f.lowWaterMark >= f.highWaterMark)
        m_sink.error(fields.ref(QStringLiteral("lowWaterMark")),
                     QStringLiteral("flowControl.lowWaterMark (%1) must be less than "
                                    "highWaterMark (%2)")
                         .arg(f.lowWaterMark)
                         .arg(f.highWaterMark));
    if (f.highWaterMark >= f.maxBuffer)
        m_sink.error(fields.ref(QStringLiteral("highWaterMark")),
                     QStringLiteral("flowControl.highWaterMark (%1) must be less than maxBuffer "
                                    "(%2)")
                         .arg(f.highWaterMark)
                         .arg(f.maxBuffer));
}

void BackendLoader::loadAdditions() {
    readBool(m_sink, m_map->value(QStringLiteral("enabled")), m_map->ref(QStringLiteral("enabled")),
             m_cfg.enabled);
    loadSocks5();

    const SourceRef ref = m_map->ref(QStringLiteral("tls"));
    const YAML::Node node = m_map->value(QStringLiteral("tls"));
    if (expectMap(m_sink, node, ref) != Read::Ok)
        return;
    const MapReader tls(m_sink, node, ref, kTlsKeys);
    const SourceRef caRef = tls.ref(QStringLiteral("caFile"));
    const Read caRead =
        readString(m_sink, tls.value(QStringLiteral("caFile")), caRef, m_cfg.tls.caFile);
    m_cfg.tls.caFile = m_cfg.tls.caFile.trimmed();
    // Checked now so a typo is an error here rather than a TLS failure at every dial (the session
    // reads it again when it connects).
    if (caRead == Read::Ok && !m_cfg.tls.caFile.isEmpty()) {
        const trust::CaBundle bundle = trust::readCaFile(m_cfg.tls.caFile);
        if (!bundle.error.isEmpty())
            m_sink.error(
                caRef,
                QStringLiteral("tls.caFile %1: %2").arg(quoted(m_cfg.tls.caFile), bundle.error));
    }
    readBool(m_sink, tls.value(QStringLiteral("allowInsecure")),
             tls.ref(QStringLiteral("allowInsecure")), m_cfg.tls.allowInsecure);
}

void BackendLoader::loadSocks5() {
    const auto str = [this](const char* key, QString& out) {
        return readString(m_sink, m_map->value(QLatin1String(key)), m_map->ref(QLatin1String(key)),
                          out);
    };
    const SourceRef listenRef = m_map->ref(QStringLiteral("socks5ListenAddr"));
    const SourceRef userRef = m_map->ref(QStringLiteral("socks5Username"));
    const SourceRef fileRef = m_map->ref(QStringLiteral("socks5PasswordFile"));
    const Read listenRead = str("socks5ListenAddr", m_cfg.socks5ListenAddr);
    const Read userRead = str("socks5Username", m_cfg.socks5Username);
    const Read fileRead = str("socks5PasswordFile", m_cfg.socks5PasswordFile);
    m_cfg.socks5PasswordFile = m_cfg.socks5PasswordFile.trimmed();
    if (userRead == Read::Bad || fileRead == Read::Bad)
        return;

    const bool hasUser = !m_cfg.socks5Username.isEmpty();
    const bool hasFile = !m_cfg.socks5PasswordFile.isEmpty();
    if (hasUser != hasFile) {
        m_sink.error(hasUser ? userRef : fileRef,
                     QStringLiteral("socks5Username and socks5PasswordFile go together: set both "
                                    "or neither"));
        return;
    }
    if (hasUser && m_cfg.socks5Username.toUtf8().size() > config::kMaxSocks5CredentialBytes)
        m_sink.error(userRef, QStringLiteral("socks5Username is longer than %1 bytes (RFC 1929)")
                                  .arg(config::kMaxSocks5CredentialBytes));
    if (hasFile) {
        QByteArray password;
        const QString problem = config::readSocks5PasswordFile(m_cfg.socks5PasswordFile, &password);
        if (!problem.isEmpty())
            m_sink.error(fileRef, QStringLiteral("socks5PasswordFile %1: %2")
                                      .arg(quoted(m_cfg.socks5PasswordFile), problem));
    }

    // nexus-tray's stricter choice (Go only warns): a listener reachable from the network must
    // authenticate, or anyone there could use the relay's address. An unparsable address is
    // left to the listener, which logs it when it starts (config.md).
    config::ListenAddress listen;
    if (listenRead == Read::Ok && !hasUser &&
        config::parseListenAddress(m_cfg.socks5ListenAddr, &listen).isEmpty() &&
        !listen.address.isLoopback())
        m_sink.error(listenRef,
                     QStringLiteral("socks5ListenAddr %1 is not a loopback address: set "
                                    "socks5Username and socks5PasswordFile (a listener open to "
                                    "the network needs authentication)")
                         .arg(quoted(m_cfg.socks5ListenAddr)));
}

void BackendLoader::loadProxy() {
    const SourceRef ref = m_map->ref(QStringLiteral("proxy"));
    if (readString(m_sink, m_map->value(QStringLiteral("proxy")), ref, m_cfg.proxy) != Read::Ok)
        return;
    m_cfg.proxy = m_cfg.proxy.trimmed();
    if (m_cfg.proxy.compare(QLatin1String(proxy::kNone), Qt::CaseInsensitive) == 0)
        m_cfg.proxy = QLatin1String(proxy::kNone);
    if (m_cfg.proxy.isEmpty() || m_cfg.proxy == QLatin1String(proxy::kNone))
        return;
    QString error;
    proxy::parseProxyUrl(m_cfg.proxy, &error);
    if (!error.isEmpty())
        m_sink.error(ref, QStringLiteral("proxy: %1 (or none)").arg(error));
}

} // namespace nexustray::configyaml
