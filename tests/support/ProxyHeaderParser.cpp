// The PROXY header reader of the tests (HAProxy's proxy-protocol specification).
#include "ProxyHeaderParser.h"

#include <QList>
#include <QtEndian>

namespace nexustray::test {

namespace {
const QByteArray& v2Signature() {
    static const QByteArray signature("\r\n\r\n\0\r\nQUIT\n", 12);
    return signature;
}
} // namespace

int proxyHeaderVersion(const QByteArray& data) {
    if (data.startsWith("PROXY "))
        return 1;
    if (data.startsWith(v2Signature()))
        return 2;
    return 0;
}

ParsedProxyHeader parseProxyV1(const QByteArray& data) {
    ParsedProxyHeader p;
    const qsizetype end = data.indexOf("\r\n");
    if (!data.startsWith("PROXY ") || end < 0 || end + 2 > 107)
        return p;
    const QList<QByteArray> f = data.left(end).split(' ');
    p.length = int(end + 2);
    if (f.size() == 2 && f[1] == "UNKNOWN") {
        p.command = QStringLiteral("UNKNOWN");
        p.ok = true;
        return p;
    }
    if (f.size() != 6 || (f[1] != "TCP4" && f[1] != "TCP6"))
        return p;
    p.command = QString::fromLatin1(f[1]);
    const auto protocol =
        f[1] == "TCP4" ? QAbstractSocket::IPv4Protocol : QAbstractSocket::IPv6Protocol;
    bool a = false, b = false;
    p.sourcePort = quint16(f[4].toUInt(&a));
    p.destinationPort = quint16(f[5].toUInt(&b));
    p.ok = a && b && p.source.setAddress(QString::fromLatin1(f[2])) &&
           p.destination.setAddress(QString::fromLatin1(f[3])) && p.source.protocol() == protocol &&
           p.destination.protocol() == protocol;
    return p;
}

ParsedProxyHeader parseProxyV2(const QByteArray& data) {
    ParsedProxyHeader p;
    if (data.size() < 16 || !data.startsWith(v2Signature()))
        return p;
    const auto* u = reinterpret_cast<const uchar*>(data.constData());
    if ((u[12] >> 4) != 2)
        return p;
    const int command = u[12] & 0xf;
    p.family = u[13] >> 4;
    const int transport = u[13] & 0xf;
    const int len = qFromBigEndian<quint16>(u + 14);
    if (data.size() < 16 + len)
        return p;
    p.length = 16 + len;
    if (command == 0) {
        p.command = QStringLiteral("LOCAL");
        p.ok = true;
        return p;
    }
    if (command != 1 || transport != 1)
        return p;
    p.command = QStringLiteral("PROXY");
    const uchar* a = u + 16;
    if (p.family == 1 && len >= 12) {
        p.source = QHostAddress(qFromBigEndian<quint32>(a));
        p.destination = QHostAddress(qFromBigEndian<quint32>(a + 4));
        p.sourcePort = qFromBigEndian<quint16>(a + 8);
        p.destinationPort = qFromBigEndian<quint16>(a + 10);
        p.ok = true;
    } else if (p.family == 2 && len >= 36) {
        p.source = QHostAddress(a);
        p.destination = QHostAddress(a + 16);
        p.sourcePort = qFromBigEndian<quint16>(a + 32);
        p.destinationPort = qFromBigEndian<quint16>(a + 34);
        p.ok = true;
    }
    return p;
}

} // namespace nexustray::test
