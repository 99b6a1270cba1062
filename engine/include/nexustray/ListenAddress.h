// A local listen address written `host:port` (socks5ListenAddr, metrics.listen, --metrics): an
// IPv4 literal, an IPv6 literal in brackets, "localhost", or an empty host for every interface.
// Shared by the config loader, the SOCKS5 listener and the metrics endpoint, and open to library
// users who take such an address from their own users.
#pragma once

#include <QHostAddress>
#include <QString>

namespace nexustray {

struct ListenAddress {
    QHostAddress address; // Any for an empty host, LocalHost for "localhost"
    quint16 port = 0;     // 0: any free port (for tests)
};

// Why `text` is not a listen address (e.g. "an IPv6 address must be in brackets, e.g.
// [::1]:1080"); empty on success, with `*out` set.
QString parseListenAddress(const QString& text, ListenAddress* out);

} // namespace nexustray
