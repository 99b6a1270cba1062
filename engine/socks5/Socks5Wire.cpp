// See Socks5Wire.h.
#include "socks5/Socks5Wire.h"

#include <QHostAddress>

namespace nexustray::socks5 {

namespace {

constexpr char kCommandConnect = 0x01;
constexpr char kAtypIpv4 = 0x01;
constexpr char kAtypDomain = 0x03;
constexpr char kAtypIpv6 = 0x04;
constexpr int kRequestHeader = 4; // VER CMD RSV ATYP
constexpr int kPortBytes = 2;
constexpr int kIpv4Bytes = 4;
constexpr int kIpv6Bytes = 16;

quint8 byteAt(const QByteArray& bytes, qsizetype i) {
    return static_cast<quint8>(bytes.at(i));
}

QString hex(quint8 value) {
    return QStringLiteral("0x%1").arg(value, 2, 16, QLatin1Char('0'));
}

QString commandName(quint8 command) {
    switch (command) {
    case 0x02:
        return QStringLiteral(" (BIND)");
    case 0x03:
        return QStringLiteral(" (UDP ASSOCIATE)");
    default:
        return {};
    }
}

} // namespace

Greeting parseGreeting(const QByteArray& bytes) {
    Greeting g;
    if (bytes.isEmpty())
        return g;
    if (bytes.at(0) != kVersion) {
        g.status = Parse::Bad;
        g.problem = QStringLiteral("not SOCKS5 (version byte %1)").arg(hex(byteAt(bytes, 0)));
        return g;
    }
    if (bytes.size() < 2)
        return g;
    const int count = byteAt(bytes, 1);
    if (count == 0) {
        g.status = Parse::Bad;
        g.problem = QStringLiteral("greeting offers no authentication method (NMETHODS 0)");
        return g;
    }
    if (bytes.size() < 2 + count)
        return g;
    g.status = Parse::Ok;
    g.length = 2 + count;
    g.methods = bytes.mid(2, count);
    return g;
}

UserPass parseUserPass(const QByteArray& bytes) {
    UserPass u;
    if (bytes.isEmpty())
        return u;
    if (bytes.at(0) != kUserPassVersion) {
        u.status = Parse::Bad;
        u.problem = QStringLiteral("username/password sub-negotiation version %1 (not 0x01)")
                        .arg(hex(byteAt(bytes, 0)));
        return u;
    }
    if (bytes.size() < 2)
        return u;
    const int userLength = byteAt(bytes, 1);
    if (bytes.size() < 2 + userLength + 1)
        return u;
    const int passLength = byteAt(bytes, 2 + userLength);
    const qsizetype total = 2 + userLength + 1 + passLength;
    if (bytes.size() < total)
        return u;
    u.status = Parse::Ok;
    u.length = total;
    u.username = bytes.mid(2, userLength);
    u.password = bytes.mid(3 + userLength, passLength);
    return u;
}

Request parseRequest(const QByteArray& bytes) {
    Request r;
    if (bytes.isEmpty())
        return r;
    if (bytes.at(0) != kVersion) {
        r.status = Parse::Bad;
        r.problem =
            QStringLiteral("request is not SOCKS5 (version byte %1)").arg(hex(byteAt(bytes, 0)));
        return r;
    }
    if (bytes.size() < kRequestHeader)
        return r;
    r.command = byteAt(bytes, 1);
    const char atyp = bytes.at(3);
    const bool connect = bytes.at(1) == kCommandConnect;
    qsizetype addressLength = -1; // -1: unknown address type
    if (atyp == kAtypIpv4)
        addressLength = kIpv4Bytes;
    else if (atyp == kAtypIpv6)
        addressLength = kIpv6Bytes;
    else if (atyp == kAtypDomain) {
        if (bytes.size() < kRequestHeader + 1)
            return r;
        addressLength = 1 + byteAt(bytes, kRequestHeader);
    }

    if (!connect || addressLength < 0 || addressLength == 1) {
        // Decided now; with a known address type the whole request is awaited first, so that
        // closing after the reply leaves nothing unread (unread bytes would turn the close into
        // a reset that can overtake the reply).
        r.reply = !connect ? Reply::CommandNotSupported : Reply::AddressTypeNotSupported;
        r.problem = !connect ? QStringLiteral("command %1%2 is not supported (only CONNECT)")
                                   .arg(hex(r.command), commandName(r.command))
                    : addressLength < 0
                        ? QStringLiteral("address type %1 is not supported").arg(hex(quint8(atyp)))
                        : QStringLiteral("empty domain name");
        const qsizetype whole = kRequestHeader + addressLength + kPortBytes;
        if (!connect && addressLength >= 0 && bytes.size() < whole)
            return r;
        r.status = Parse::Ok;
        r.length = addressLength >= 0 ? qMin(whole, bytes.size()) : kRequestHeader;
        return r;
    }

    const qsizetype total = kRequestHeader + addressLength + kPortBytes;
    if (bytes.size() < total)
        return r;
    const QByteArray address = bytes.mid(kRequestHeader, addressLength);
    const int port = byteAt(bytes, total - 2) << 8 | byteAt(bytes, total - 1);
    QString host;
    if (atyp == kAtypIpv4) {
        host = QHostAddress(quint32(byteAt(address, 0)) << 24 | quint32(byteAt(address, 1)) << 16 |
                            quint32(byteAt(address, 2)) << 8 | quint32(byteAt(address, 3)))
                   .toString();
    } else if (atyp == kAtypIpv6) {
        Q_IPV6ADDR raw;
        for (int i = 0; i < kIpv6Bytes; ++i)
            raw[i] = byteAt(address, i);
        host = u'[' + QHostAddress(raw).toString() + u']';
    } else {
        host = QString::fromUtf8(address.mid(1)); // the hub resolves it, as given
    }
    r.status = Parse::Ok;
    r.length = total;
    r.targetAddr = host + u':' + QString::number(port);
    return r;
}

QByteArray replyBytes(Reply reply) {
    QByteArray bytes(10, '\0');
    bytes[0] = kVersion;
    bytes[1] = static_cast<char>(reply);
    bytes[3] = kAtypIpv4;
    return bytes;
}

Reply replyFor(OutboundResult::Kind kind) {
    switch (kind) {
    case OutboundResult::Kind::Connected:
        return Reply::Succeeded;
    case OutboundResult::Kind::Refused:
    case OutboundResult::Kind::SessionLost:
        return Reply::ConnectionRefused;
    case OutboundResult::Kind::Timeout:
    case OutboundResult::Kind::NotConnected:
    case OutboundResult::Kind::Stopping:
        break;
    }
    return Reply::GeneralFailure;
}

bool constantTimeEquals(const QByteArray& a, const QByteArray& b) {
    // Runs over `a` (the client's bytes) whatever `b` is, so the time tells nothing about `b`.
    quint32 diff = a.size() == b.size() ? 0 : 1;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const quint8 other = b.isEmpty() ? 0 : byteAt(b, i % b.size());
        diff |= quint32(byteAt(a, i) ^ other);
    }
    return diff == 0;
}

} // namespace nexustray::socks5
