// A local listen address written `host:port` (socks5ListenAddr): an IPv4 literal, an IPv6
// literal in brackets, "localhost", or an empty host for every interface. Shared by the loader
// (a non-loopback host needs credentials) and the SOCKS5 listener (where to bind).
#pragma once

#include <QHostAddress>
#include <QString>

namespace nexustray::config {

struct ListenAddress {
    QHostAddress address; // Any for an empty host, LocalHost for "localhost"
    quint16 port = 0;     // 0: any free port (for tests)
};

// Empty error = success.
QString parseListenAddress(const QString& text, ListenAddress* out);

} // namespace nexustray::config
