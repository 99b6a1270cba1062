// `nexus-bench --client app` runs the real nexus-tray executable headless (`--no-gui --config`) as
// the client process, so its figures are those of the binary users run (idle memory included:
// issue 10 measured the app, not the bench's slimmer client). This writes the config that
// matches nexus-bench-client's built-in one (ClientProcess.cpp): one backend, HMAC attestation,
// conn_port 1..N to the origin services, tls.caFile for wss://.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace bench {

QByteArray appClientConfig(const QString& hubUrl, const QList<quint16>& ports,
                           const QString& caFile);

} // namespace bench
