// The environment of an attestation command (attestation spec §1.2): process env, then the
// configured env map, then the NEXUS_* variables, which always win.
#pragma once

#include <QMap>
#include <QProcessEnvironment>
#include <QString>

#include "nexustray/TokenProvider.h"

namespace nexustray::attestation {

QProcessEnvironment buildCommandEnvironment(const QProcessEnvironment& base,
                                            const QMap<QString, QString>& configEnv,
                                            const AttestationIdentity& identity,
                                            AttestationStage stage, const QString& nonce);

// "22,80,443" (empty for none).
QString joinPorts(const QList<int>& ports);
// "53:30,67": port, with ":timeout" only when a timeout is configured.
QString formatUdpRoutes(const QList<UdpRoute>& routes);

} // namespace nexustray::attestation
