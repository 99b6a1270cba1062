// One mutation per setting of BackendConfig (Config.h), for tests that must notice every field:
// equality, the YAML round trip, Client::applyConfig restarting a changed backend. Each mutation
// changes its field to a different valid-looking value whatever the field held before.
//
// The size checks below break the build when a field is added to a config struct: add it to
// operator== (engine/config/ConfigEquality.cpp), the writer (engine/config/ConfigWriter.cpp) and
// this table, then update the size.
#pragma once

#include <QTest>

#include <functional>
#include <vector>

#include "nexustray/Config.h"

namespace nexustray::test {

#if defined(__x86_64__) && defined(__linux__)
static_assert(sizeof(UdpRoute) == 12, "UdpRoute changed: see the comment at the top");
static_assert(sizeof(TpmAttestationConfig) == 144, "TpmAttestationConfig changed: see the top");
static_assert(sizeof(AttestationConfig) == 368,
              "AttestationConfig changed: see the comment at the top");
static_assert(sizeof(PortMapping) == 40, "PortMapping changed: see the top");
static_assert(sizeof(HealthChecks) == 12, "HealthChecks changed: see the top");
static_assert(sizeof(FlowControl) == 12, "FlowControl changed: see the top");
static_assert(sizeof(TlsConfig) == 32, "TlsConfig changed: see the top");
static_assert(sizeof(BackendConfig) == 672, "BackendConfig changed: see the top");
#endif

// The tpm block of a backend, created (with a namek URL) when it had none.
inline TpmAttestationConfig& tpmOf(BackendConfig& b) {
    if (!b.attestation.tpm) {
        b.attestation.tpm.emplace();
        b.attestation.tpm->namekUrl = QStringLiteral("https://namek.test");
    }
    return *b.attestation.tpm;
}

struct BackendMutation {
    const char* field; // dotted config key
    std::function<void(BackendConfig&)> apply;
};

inline std::vector<BackendMutation> backendMutations() {
    auto toggled = [](bool& b) { b = !b; };
    auto more = [](QString& s) { s += QStringLiteral("x"); };
    return {
        {"name", [more](BackendConfig& b) { more(b.name); }},
        {"enabled", [toggled](BackendConfig& b) { toggled(b.enabled); }},
        {"hostnames", [](BackendConfig& b) { b.hostnames.append(QStringLiteral("added.test")); }},
        {"tcpPorts", [](BackendConfig& b) { b.tcpPorts.append(65001); }},
        {"udpRoutes",
         [](BackendConfig& b) {
             b.udpRoutes.append({65002, std::nullopt});
         }},
        {"udpRoutes.flowIdleTimeoutSeconds",
         [](BackendConfig& b) {
             if (b.udpRoutes.isEmpty())
                 b.udpRoutes.append({65003, std::nullopt});
             auto& t = b.udpRoutes.last().flowIdleTimeoutSeconds;
             t = t ? std::optional<int>() : std::optional<int>(0); // absent and 0 differ
         }},
        {"nexusAddresses",
         [](BackendConfig& b) { b.nexusAddresses.append(QStringLiteral("ws://127.0.0.1:1/x")); }},
        {"weight", [](BackendConfig& b) { b.weight += 1; }},
        {"attestation.command", [more](BackendConfig& b) { more(b.attestation.command); }},
        {"attestation.args",
         [](BackendConfig& b) { b.attestation.args.append(QStringLiteral("--more")); }},
        {"attestation.env",
         [](BackendConfig& b) {
             b.attestation.env.insert(QStringLiteral("ADDED"), QStringLiteral("1"));
         }},
        {"attestation.timeoutSeconds", [](BackendConfig& b) { b.attestation.timeoutSeconds += 1; }},
        {"attestation.cacheHandshakeSeconds",
         [](BackendConfig& b) { b.attestation.cacheHandshakeSeconds += 1; }},
        {"attestation.hmacSecret", [more](BackendConfig& b) { more(b.attestation.hmacSecret); }},
        {"attestation.hmacSecretFile",
         [more](BackendConfig& b) { more(b.attestation.hmacSecretFile); }},
        {"attestation.hmacSecretKeyring",
         [](BackendConfig& b) {
             b.attestation.hmacSecretKeyring = !b.attestation.hmacSecretKeyring;
         }},
        {"attestation.tokenTTLSeconds",
         [](BackendConfig& b) { b.attestation.tokenTTLSeconds += 1; }},
        {"attestation.handshakeMaxAgeSeconds",
         [](BackendConfig& b) { b.attestation.handshakeMaxAgeSeconds += 1; }},
        {"attestation.reauthIntervalSeconds",
         [](BackendConfig& b) { b.attestation.reauthIntervalSeconds += 1; }},
        {"attestation.reauthGraceSeconds",
         [](BackendConfig& b) { b.attestation.reauthGraceSeconds += 1; }},
        {"attestation.maintenanceGraceCapSeconds",
         [](BackendConfig& b) { b.attestation.maintenanceGraceCapSeconds += 1; }},
        {"attestation.authorizerStatusUri",
         [more](BackendConfig& b) { more(b.attestation.authorizerStatusUri); }},
        {"attestation.policyVersion",
         [more](BackendConfig& b) { more(b.attestation.policyVersion); }},
        {"attestation.outboundAllowed",
         [toggled](BackendConfig& b) { toggled(b.attestation.outboundAllowed); }},
        {"attestation.allowedOutboundPorts",
         [](BackendConfig& b) { b.attestation.allowedOutboundPorts.append(65004); }},
        {"attestation.tpm",
         [](BackendConfig& b) {
             if (b.attestation.tpm)
                 b.attestation.tpm.reset();
             else
                 tpmOf(b);
         }},
        {"attestation.tpm.namekUrl", [more](BackendConfig& b) { more(tpmOf(b).namekUrl); }},
        {"attestation.tpm.caFile", [more](BackendConfig& b) { more(tpmOf(b).caFile); }},
        {"attestation.tpm.tcti", [more](BackendConfig& b) { more(tpmOf(b).tcti); }},
        {"attestation.tpm.stateDir", [more](BackendConfig& b) { more(tpmOf(b).stateDir); }},
        {"attestation.tpm.ownerPasswordFile",
         [more](BackendConfig& b) { more(tpmOf(b).ownerPasswordFile); }},
        {"attestation.tpm.endorsementPasswordFile",
         [more](BackendConfig& b) { more(tpmOf(b).endorsementPasswordFile); }},
        {"portMappings (port)",
         [](BackendConfig& b) {
             b.portMappings[65005].defaultTarget = QStringLiteral("127.0.0.1:1");
         }},
        {"portMappings.default",
         [more](BackendConfig& b) { more(b.portMappings[65006].defaultTarget); }},
        {"portMappings.hosts",
         [](BackendConfig& b) {
             b.portMappings[65007].hosts.insert(QStringLiteral("h.test"),
                                                QStringLiteral("127.0.0.1:2"));
         }},
        {"portMappings.proxyProtocol",
         [](BackendConfig& b) {
             PortMapping& m = b.portMappings[65008];
             m.defaultTarget = QStringLiteral("127.0.0.1:3");
             m.proxyProtocol =
                 m.proxyProtocol == ProxyProtocol::V2 ? ProxyProtocol::V1 : ProxyProtocol::V2;
         }},
        {"healthChecks.enabled", [toggled](BackendConfig& b) { toggled(b.healthChecks.enabled); }},
        {"healthChecks.inactivityTimeout",
         [](BackendConfig& b) { b.healthChecks.inactivityTimeoutSeconds += 1; }},
        {"healthChecks.pongTimeout",
         [](BackendConfig& b) { b.healthChecks.pongTimeoutSeconds += 1; }},
        {"flowControl.highWaterMark", [](BackendConfig& b) { b.flowControl.highWaterMark += 1; }},
        {"flowControl.lowWaterMark", [](BackendConfig& b) { b.flowControl.lowWaterMark += 1; }},
        {"flowControl.maxBuffer", [](BackendConfig& b) { b.flowControl.maxBuffer += 1; }},
        {"tls.caFile", [more](BackendConfig& b) { more(b.tls.caFile); }},
        {"tls.allowInsecure", [toggled](BackendConfig& b) { toggled(b.tls.allowInsecure); }},
        {"socks5ListenAddr", [more](BackendConfig& b) { more(b.socks5ListenAddr); }},
        {"socks5Username", [more](BackendConfig& b) { more(b.socks5Username); }},
        {"socks5PasswordFile", [more](BackendConfig& b) { more(b.socks5PasswordFile); }},
        {"proxy", [more](BackendConfig& b) { more(b.proxy); }},
    };
}

// Data rows for a Qt Test _data function: column "index" into backendMutations(), one row per
// field.
inline void addBackendMutationRows() {
    QTest::addColumn<int>("index");
    const auto mutations = backendMutations();
    for (int i = 0; i < int(mutations.size()); ++i)
        QTest::newRow(mutations[std::size_t(i)].field) << i;
}

} // namespace nexustray::test
