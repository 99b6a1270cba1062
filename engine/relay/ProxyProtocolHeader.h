// The PROXY protocol header (HAProxy's proxy-protocol spec, versions 1 and 2) that a local service
// receives before the first byte of a TCP stream whose port mapping sets `proxyProtocol` (issue
// 15): the source is the user's address from `connect` (`client_ip`), the destination is the
// relay's address with the public port (`conn_port`). When the two families differ, an IPv4
// address is written IPv4-mapped (::ffff:a.b.c.d) so both are IPv6; a client_ip that does not parse
// gives "PROXY UNKNOWN" (v1) or the LOCAL command (v2), which servers accept as "no address". A
// null (unknown) relay address gives the unspecified address of the user's family (0.0.0.0 or ::)
// as the destination, so the source still reaches the service.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include "nexustray/Config.h"

namespace nexustray {

QByteArray proxyProtocolHeader(ProxyProtocol version, const QString& clientIp,
                               const QHostAddress& relayAddress, quint16 publicPort);

// "203.0.113.7:51544" / "[2001:db8::7]:51544" -> address and port; false if it does not parse.
bool parseClientAddress(const QString& clientIp, QHostAddress* address, quint16* port);

} // namespace nexustray
