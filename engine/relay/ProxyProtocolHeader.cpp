#include "ProxyProtocolHeader.h"

#include <QtEndian>

namespace nexustray {

namespace {

constexpr char kV2Signature[] = "\r\n\r\n\0\r\nQUIT\n"; // 12 bytes (with the \0 inside)

// Both addresses in one family: IPv6 as soon as one of them is (IPv4 then written mapped).
bool sameFamily(QHostAddress* a, QHostAddress* b) {
    const bool v6 = a->protocol() == QAbstractSocket::IPv6Protocol ||
                    b->protocol() == QAbstractSocket::IPv6Protocol;
    if (v6) {
        for (QHostAddress* x : {a, b}) {
            if (x->protocol() == QAbstractSocket::IPv4Protocol)
                *x = QHostAddress(QStringLiteral("::ffff:") + x->toString());
        }
    }
    return v6;
}

void appendPort(QByteArray& out, quint16 port) {
    const quint16 be = qToBigEndian(port);
    out.append(reinterpret_cast<const char*>(&be), 2);
}

void appendAddress(QByteArray& out, const QHostAddress& address, bool v6) {
    if (v6) {
        const Q_IPV6ADDR a = address.toIPv6Address();
        out.append(reinterpret_cast<const char*>(a.c), 16);
    } else {
        const quint32 be = qToBigEndian(address.toIPv4Address());
        out.append(reinterpret_cast<const char*>(&be), 4);
    }
}

} // namespace

bool parseClientAddress(const QString& clientIp, QHostAddress* address, quint16* port) {
    const int colon = int(clientIp.lastIndexOf(QLatin1Char(':')));
    if (colon <= 0)
        return false;
    QString host = clientIp.left(colon);
    const bool bracketed = host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'));
    if (bracketed)
        host = host.mid(1, host.size() - 2);
    else if (host.contains(QLatin1Char(':')))
        return false; // an IPv6 address must be bracketed
    bool ok = false;
    const uint p = clientIp.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535 || !address->setAddress(host))
        return false;
    if (bracketed != (address->protocol() == QAbstractSocket::IPv6Protocol))
        return false;
    address->setScopeId(QString());
    *port = quint16(p);
    return true;
}

QByteArray proxyProtocolHeader(ProxyProtocol version, const QString& clientIp,
                               const QHostAddress& relayAddress, quint16 publicPort) {
    if (version == ProxyProtocol::None)
        return {};
    QHostAddress source;
    quint16 sourcePort = 0;
    QHostAddress destination = relayAddress;
    destination.setScopeId(QString());
    const bool known = parseClientAddress(clientIp, &source, &sourcePort);
    if (known && destination.protocol() != QAbstractSocket::IPv4Protocol &&
        destination.protocol() != QAbstractSocket::IPv6Protocol) {
        // The relay's address is not known (reached through a proxy by name): the unspecified
        // address of the user's family keeps the user's address usable for the service.
        destination = source.protocol() == QAbstractSocket::IPv6Protocol
                          ? QHostAddress(QHostAddress::AnyIPv6)
                          : QHostAddress(QHostAddress::AnyIPv4);
    }
    const bool v6 = known && sameFamily(&source, &destination);
    if (version == ProxyProtocol::V1) {
        if (!known)
            return QByteArrayLiteral("PROXY UNKNOWN\r\n");
        return QStringLiteral("PROXY %1 %2 %3 %4 %5\r\n")
            .arg(v6 ? QStringLiteral("TCP6") : QStringLiteral("TCP4"), source.toString(),
                 destination.toString())
            .arg(sourcePort)
            .arg(publicPort)
            .toLatin1();
    }
    QByteArray out(kV2Signature, 12);
    if (!known) {
        out.append(char(0x20)); // version 2, LOCAL
        out.append(char(0x00)); // AF_UNSPEC
        out.append(2, char(0));
        return out;
    }
    out.append(char(0x21));                 // version 2, PROXY
    out.append(char(v6 ? 0x21 : 0x11));     // AF_INET6 / AF_INET, STREAM
    appendPort(out, quint16(v6 ? 36 : 12)); // address block length
    appendAddress(out, source, v6);
    appendAddress(out, destination, v6);
    appendPort(out, sourcePort);
    appendPort(out, publicPort);
    return out;
}

} // namespace nexustray
