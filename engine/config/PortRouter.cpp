#include "config/PortRouter.h"

#include "config/Hostname.h"

namespace nexustray {

PortRouter::PortRouter(const QMap<int, PortMapping>& mappings) {
    for (auto it = mappings.cbegin(); it != mappings.cend(); ++it) {
        PortTable table;
        table.defaultTarget = it->defaultTarget.trimmed();
        table.proxyProtocol = it->proxyProtocol;
        for (auto host = it->hosts.cbegin(); host != it->hosts.cend(); ++host) {
            // The loader already normalised the keys; doing it again keeps hand-built
            // mappings (library users, tests) consistent with incoming names.
            const QString pattern = hostname::normalizePattern(host.key());
            if (pattern.isEmpty())
                continue;
            if (hostname::isWildcard(pattern))
                table.wildcards.insert(pattern.mid(2), host.value());
            else
                table.exact.insert(pattern, host.value());
        }
        m_ports.insert(it.key(), table);
    }
}

std::optional<QString> PortRouter::resolve(int port, const QString& hostname) const {
    const std::optional<Route> found = route(port, hostname);
    if (!found)
        return std::nullopt;
    return found->target;
}

std::optional<PortRouter::Route> PortRouter::route(int port, const QString& hostname) const {
    const auto table = m_ports.constFind(port);
    if (table == m_ports.cend())
        return std::nullopt;
    const auto found = [&table](const QString& target) {
        return Route{target, table->proxyProtocol};
    };

    if (!hostname.isEmpty()) {
        QString host = hostname::normalize(hostname);
        if (host.isEmpty())
            host = hostname;
        if (const auto exact = table->exact.constFind(host); exact != table->exact.cend())
            return found(*exact);
        // A wildcard covers exactly one label, so the only candidate suffix is whatever
        // follows the first label; that is also the longest matching suffix.
        const qsizetype dot = host.indexOf(u'.');
        if (dot > 0) {
            const auto wildcard = table->wildcards.constFind(host.mid(dot + 1));
            if (wildcard != table->wildcards.cend())
                return found(*wildcard);
        }
    }
    if (table->defaultTarget.isEmpty())
        return std::nullopt;
    return found(table->defaultTarget);
}

} // namespace nexustray
