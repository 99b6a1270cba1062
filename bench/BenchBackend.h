// The one backend every nexus-bench client serves: HMAC attestation (the hub peer does not check
// the secret), hostname bench.test, conn_port 1..N to the origin services, and for wss:// the
// bench's own CA as tls.caFile. The engine clients (ClientProcess.cpp) take it as it is; `--client
// app` writes it as a config file (AppClientConfig), so both measure the same work.
#pragma once

#include <QList>
#include <QString>

#include "nexustray/Config.h"

namespace bench {

// `ports[i]` is the origin service of conn_port i + 1 (source, sink, echo, idle, tls); `caFile`
// empty for ws://.
nexustray::BackendConfig benchBackend(const QString& hubUrl, const QList<quint16>& ports,
                                      const QString& caFile);

} // namespace bench
