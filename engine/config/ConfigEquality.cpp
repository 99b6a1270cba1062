// Equality of the public config structs (Config.h): every setting, never where it was read from.
// Client::applyConfig restarts exactly the backends for which this says "different".
#include "nexustray/Config.h"

namespace nexustray {

bool AttestationConfig::operator==(const AttestationConfig& o) const {
    return command == o.command && args == o.args && env == o.env &&
           timeoutSeconds == o.timeoutSeconds && cacheHandshakeSeconds == o.cacheHandshakeSeconds &&
           hmacSecret == o.hmacSecret && hmacSecretFile == o.hmacSecretFile &&
           hmacSecretKeyring == o.hmacSecretKeyring && tokenTTLSeconds == o.tokenTTLSeconds &&
           handshakeMaxAgeSeconds == o.handshakeMaxAgeSeconds &&
           reauthIntervalSeconds == o.reauthIntervalSeconds &&
           reauthGraceSeconds == o.reauthGraceSeconds &&
           maintenanceGraceCapSeconds == o.maintenanceGraceCapSeconds &&
           authorizerStatusUri == o.authorizerStatusUri && policyVersion == o.policyVersion &&
           outboundAllowed == o.outboundAllowed && allowedOutboundPorts == o.allowedOutboundPorts &&
           tpm == o.tpm;
}

bool BackendConfig::operator==(const BackendConfig& o) const {
    return name == o.name && enabled == o.enabled && hostnames == o.hostnames &&
           tcpPorts == o.tcpPorts && udpRoutes == o.udpRoutes &&
           nexusAddresses == o.nexusAddresses && weight == o.weight &&
           attestation == o.attestation && portMappings == o.portMappings &&
           healthChecks == o.healthChecks && flowControl == o.flowControl && tls == o.tls &&
           socks5ListenAddr == o.socks5ListenAddr && socks5Username == o.socks5Username &&
           socks5PasswordFile == o.socks5PasswordFile && proxy == o.proxy;
}

} // namespace nexustray
