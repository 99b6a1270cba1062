// Resolves (relay port, hostname) to a local target with the precedence of config.md §5:
// exact host > single-label wildcard (longest suffix first) > default > no route.
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

    // `hostname` as received in connect; it is normalised here. Returns the "host:port" target.
    std::optional<QString> resolve(int port, const QString& hostname) const;

private:
    struct PortTable {
        QString defaultTarget;
        QHash<QString, QString> exact;     // normalised host -> target
        QHash<QString, QString> wildcards; // suffix after "*." -> target
    };
    QHash<int, PortTable> m_ports;
};

} // namespace nexustray
