#include "BenchBackend.h"

namespace bench {

nexustray::BackendConfig benchBackend(const QString& hubUrl, const QList<quint16>& ports,
                                      const QString& caFile) {
    nexustray::BackendConfig b;
    b.name = QStringLiteral("bench");
    b.hostnames = {QStringLiteral("bench.test")};
    b.nexusAddresses = {hubUrl};
    b.attestation.hmacSecret = QStringLiteral("bench-secret-not-checked-by-the-peer");
    b.tls.caFile = caFile;
    for (int i = 0; i < ports.size(); ++i)
        b.portMappings[i + 1].defaultTarget = QStringLiteral("127.0.0.1:%1").arg(ports[i]);
    return b;
}

} // namespace bench
