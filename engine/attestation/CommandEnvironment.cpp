#include "attestation/CommandEnvironment.h"

#include <QStringList>

namespace nexustray::attestation {

QString joinPorts(const QList<int>& ports) {
    QStringList parts;
    parts.reserve(ports.size());
    for (const int port : ports)
        parts.append(QString::number(port));
    return parts.join(QLatin1Char(','));
}

QString formatUdpRoutes(const QList<UdpRoute>& routes) {
    QStringList parts;
    parts.reserve(routes.size());
    for (const UdpRoute& route : routes) {
        QString item = QString::number(route.port);
        if (route.flowIdleTimeoutSeconds)
            item += QLatin1Char(':') + QString::number(*route.flowIdleTimeoutSeconds);
        parts.append(item);
    }
    return parts.join(QLatin1Char(','));
}

QProcessEnvironment buildCommandEnvironment(const QProcessEnvironment& base,
                                            const QMap<QString, QString>& configEnv,
                                            const AttestationIdentity& identity,
                                            AttestationStage stage, const QString& nonce) {
    QProcessEnvironment env = base;
    for (auto it = configEnv.constBegin(); it != configEnv.constEnd(); ++it) {
        // A name that is empty or contains '=' cannot be represented in an environment block.
        if (it.key().isEmpty() || it.key().contains(QLatin1Char('=')))
            continue;
        env.insert(it.key(), it.value());
    }
    env.insert(QStringLiteral("NEXUS_ATTESTATION_STAGE"), stageName(stage));
    env.insert(QStringLiteral("NEXUS_SESSION_NONCE"),
               stage == AttestationStage::Handshake ? QString() : nonce);
    env.insert(QStringLiteral("NEXUS_BACKEND_NAME"), identity.backendName);
    env.insert(QStringLiteral("NEXUS_HOSTNAMES"), identity.hostnames.join(QLatin1Char(',')));
    env.insert(QStringLiteral("NEXUS_WEIGHT"), QString::number(identity.weight));
    env.insert(QStringLiteral("NEXUS_TCP_PORTS"), joinPorts(identity.tcpPorts));
    env.insert(QStringLiteral("NEXUS_UDP_ROUTES"), formatUdpRoutes(identity.udpRoutes));
    env.insert(QStringLiteral("NEXUS_OUTBOUND_ALLOWED"),
               identity.outboundAllowed ? QStringLiteral("true") : QStringLiteral("false"));
    env.insert(QStringLiteral("NEXUS_ALLOWED_OUTBOUND_PORTS"),
               joinPorts(identity.allowedOutboundPorts));
    return env;
}

} // namespace nexustray::attestation
