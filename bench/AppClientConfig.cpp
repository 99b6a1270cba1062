#include "AppClientConfig.h"

namespace bench {

namespace {
// YAML double-quoted scalar (paths and URLs here hold no control characters).
QByteArray quoted(const QString& s) {
    QByteArray out = s.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"");
    return '"' + out + '"';
}
} // namespace

QByteArray appClientConfig(const QString& hubUrl, const QList<quint16>& ports,
                           const QString& caFile) {
    QByteArray yaml = "backends:\n"
                      "  - name: bench\n"
                      "    hostnames: [bench.test]\n"
                      "    nexusAddresses: [" +
                      quoted(hubUrl) +
                      "]\n"
                      "    attestation:\n"
                      "      hmacSecret: bench-secret-not-checked-by-the-peer\n";
    if (!caFile.isEmpty())
        yaml += "    tls:\n      caFile: " + quoted(caFile) + "\n";
    yaml += "    portMappings:\n";
    for (int i = 0; i < ports.size(); ++i)
        yaml += "      " + QByteArray::number(i + 1) +
                ":\n        default: \"127.0.0.1:" + QByteArray::number(ports[i]) + "\"\n";
    return yaml;
}

} // namespace bench
