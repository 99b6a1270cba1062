#include "AppClientConfig.h"

#include "BenchBackend.h"
#include "config/ConfigWriter.h"

namespace bench {

QByteArray appClientConfig(const QString& hubUrl, const QList<quint16>& ports,
                           const QString& caFile) {
    nexustray::Config config;
    config.backends = {benchBackend(hubUrl, ports, caFile)};
    return nexustray::configyaml::writeConfigYaml(config);
}

} // namespace bench
