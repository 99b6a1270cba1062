// An independent reader of PROXY protocol headers, written from HAProxy's proxy-protocol
// specification (text v1 and binary v2), for the tests: it checks what the engine's encoder
// (engine/relay/ProxyProtocolHeader) wrote, without sharing code with it.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

namespace nexustray::test {

struct ParsedProxyHeader {
    bool ok = false;
    QString command; // v1: "TCP4"/"TCP6"/"UNKNOWN"; v2: "PROXY"/"LOCAL"
    int family = 0;  // v2: 1 = INET, 2 = INET6, 0 = UNSPEC
    QHostAddress source, destination;
    quint16 sourcePort = 0, destinationPort = 0;
    int length = 0; // bytes of the header
};

// v1: "PROXY" SP proto SP src SP dst SP sport SP dport CRLF, at most 107 bytes.
ParsedProxyHeader parseProxyV1(const QByteArray& data);
// v2: the 12-byte signature, version/command, family/transport, length, addresses.
ParsedProxyHeader parseProxyV2(const QByteArray& data);

// Which version `data` begins with: 1, 2, or 0 when it is no PROXY header (yet).
int proxyHeaderVersion(const QByteArray& data);

} // namespace nexustray::test
