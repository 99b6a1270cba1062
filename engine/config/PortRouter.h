// Resolves (relay port, hostname) to a local target with the precedence of config.md §5:
// exact host > single-label wildcard (longest suffix first) > default > no route. A route also
// carries its mapping's `proxyProtocol` (the host overrides inherit it).
#pragma once

#include <QHash>
#include <QMap>
#include <QString>

#include <optional>

#include "nexustray/Config.h"

namespace nexustray {

class PortRouter {
public:
    PortRouter() = default;
    explicit PortRouter(const QMap<int, PortMapping>& mappings);

    struct Route {
        QString target;                                    // "host:port"
        ProxyProtocol proxyProtocol = ProxyProtocol::None; // of the port's mapping
    };

    // `hostname` as received in connect; it is normalised here.
    std::optional<Route> route(int port, const QString& hostname) const;
    // The "host:port" target of route().
    std::optional<QString> resolve(int port, const QString& hostname) const;

private:
    struct PortTable {
        QString defaultTarget;
        ProxyProtocol proxyProtocol = ProxyProtocol::None;
        QHash<QString, QString> exact;     // normalised host -> target
        QHash<QString, QString> wildcards; // suffix after "*." -> target
    };
    QHash<int, PortTable> m_ports;
};

} // namespace nexustray
