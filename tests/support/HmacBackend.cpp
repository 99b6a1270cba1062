// See HmacBackend.h.
#include "HmacBackend.h"

namespace nexustray::test {

BackendConfig hmacBackend(const QString& name, const QString& hostname, const hub::HubEmulator& hub,
                          const QByteArray& secret, const TestRelayTls& tls) {
    BackendConfig b;
    b.name = name;
    b.hostnames = {hostname};
    b.nexusAddresses = {hub.backendUrl().toString()};
    b.attestation.hmacSecret = QString::fromUtf8(secret);
    tls.trust(b);
    return b;
}

SessionSnapshot sessionOf(const Client& client, const QString& backendName) {
    for (const SessionSnapshot& s : client.sessions()) {
        if (s.backendName == backendName)
            return s;
    }
    return {};
}

} // namespace nexustray::test
