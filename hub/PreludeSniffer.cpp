#include "hub/PreludeSniffer.h"

#include <QByteArray>
#include <QList>

namespace nexustray::hub {

namespace {

constexpr char kTlsHandshake = 0x16;
constexpr quint8 kClientHello = 0x01;
constexpr int kMaxMethodLength = 16;

quint32 be16(QByteArrayView d, qsizetype at) {
    return (static_cast<quint32>(static_cast<quint8>(d[at])) << 8) | static_cast<quint8>(d[at + 1]);
}
quint32 be24(QByteArrayView d, qsizetype at) {
    return (static_cast<quint32>(static_cast<quint8>(d[at])) << 16) | be16(d, at + 1);
}

PreludeResult tls(const QString& host = QString()) {
    return {PreludeResult::Kind::Tls, host};
}

// Walks the ClientHello body (after the 4-byte handshake header) to the server_name extension.
PreludeResult sniFromClientHello(QByteArrayView hello) {
    qsizetype p = 2 + 32; // legacy_version + random
    if (hello.size() < p + 1) {
        return tls();
    }
    p += 1 + static_cast<quint8>(hello[p]); // session id
    if (hello.size() < p + 2) {
        return tls();
    }
    p += 2 + be16(hello, p); // cipher suites
    if (hello.size() < p + 1) {
        return tls();
    }
    p += 1 + static_cast<quint8>(hello[p]); // compression methods
    if (hello.size() < p + 2) {
        return tls(); // no extensions: no SNI
    }
    const qsizetype extEnd = std::min<qsizetype>(hello.size(), p + 2 + be16(hello, p));
    p += 2;
    while (p + 4 <= extEnd) {
        const quint32 type = be16(hello, p);
        const quint32 len = be16(hello, p + 2);
        p += 4;
        if (p + static_cast<qsizetype>(len) > extEnd) {
            return tls();
        }
        if (type == 0) { // server_name
            QByteArrayView ext = hello.sliced(p, len);
            if (ext.size() < 2) {
                return tls();
            }
            qsizetype q = 2;
            while (q + 3 <= ext.size()) {
                const quint8 nameType = static_cast<quint8>(ext[q]);
                const quint32 nameLen = be16(ext, q + 1);
                q += 3;
                if (q + static_cast<qsizetype>(nameLen) > ext.size()) {
                    return tls();
                }
                if (nameType == 0) {
                    return tls(QString::fromLatin1(ext.sliced(q, nameLen)).toLower());
                }
                q += nameLen;
            }
            return tls();
        }
        p += len;
    }
    return tls();
}

bool isMethodChar(char c) {
    return c >= 'A' && c <= 'Z';
}

} // namespace

int preludeLimit(QByteArrayView data) {
    return !data.isEmpty() && data[0] == kTlsHandshake ? kMaxTlsPrelude : kMaxHttpPrelude;
}

PreludeResult parseClientHello(QByteArrayView data) {
    // Reassemble the handshake message from as many records as it takes.
    QByteArray handshake;
    qsizetype p = 0;
    for (;;) {
        if (handshake.size() >= 4) {
            const qsizetype need = 4 + be24(handshake, 1);
            if (static_cast<quint8>(handshake[0]) != kClientHello) {
                return tls();
            }
            if (handshake.size() >= need) {
                return sniFromClientHello(QByteArrayView(handshake).sliced(4, need - 4));
            }
        }
        if (data.size() < p + 5) {
            return {PreludeResult::Kind::NeedMore, {}};
        }
        if (data[p] != kTlsHandshake) {
            return tls(); // a different record type before the ClientHello ended
        }
        const qsizetype recordLen = be16(data, p + 3);
        if (data.size() < p + 5 + recordLen) {
            return {PreludeResult::Kind::NeedMore, {}};
        }
        handshake.append(data.sliced(p + 5, recordLen));
        p += 5 + recordLen;
    }
}

PreludeResult parseHttpHead(QByteArrayView data) {
    const qsizetype end = QByteArrayView(data).indexOf("\r\n\r\n");
    if (end < 0) {
        return {PreludeResult::Kind::NeedMore, {}};
    }
    const QList<QByteArray> lines = data.first(end).toByteArray().split('\n');
    const QByteArray requestLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts[2].startsWith("HTTP/1.")) {
        return {PreludeResult::Kind::Other, {}};
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.first(colon).trimmed().toLower() != "host") {
            continue;
        }
        QByteArray host = line.sliced(colon + 1).trimmed();
        if (host.startsWith('[')) {
            const qsizetype close = host.indexOf(']');
            host = close > 0 ? host.mid(1, close - 1) : QByteArray();
        } else if (host.count(':') == 1) {
            host = host.first(host.indexOf(':'));
        }
        return {PreludeResult::Kind::Http, QString::fromUtf8(host).toLower()};
    }
    return {PreludeResult::Kind::Http, {}};
}

PreludeResult sniffPrelude(QByteArrayView data) {
    if (data.isEmpty()) {
        return {PreludeResult::Kind::NeedMore, {}};
    }
    const bool full = data.size() >= preludeLimit(data);
    if (data[0] == kTlsHandshake) {
        PreludeResult r =
            parseClientHello(data.first(std::min<qsizetype>(data.size(), kMaxTlsPrelude)));
        if (r.kind == PreludeResult::Kind::NeedMore && full) {
            return tls(); // ClientHello larger than the hub reads: no SNI
        }
        return r;
    }
    // HTTP: an upper-case method token, a space, then the head up to the blank line.
    qsizetype i = 0;
    while (i < data.size() && i <= kMaxMethodLength && isMethodChar(data[i])) {
        ++i;
    }
    if (i == data.size() && i <= kMaxMethodLength) {
        return {PreludeResult::Kind::NeedMore, {}};
    }
    if (i == 0 || i > kMaxMethodLength || data[i] != ' ') {
        return {PreludeResult::Kind::Other, {}};
    }
    PreludeResult r = parseHttpHead(data);
    if (r.kind == PreludeResult::Kind::NeedMore && full) {
        return {PreludeResult::Kind::Http, {}}; // head larger than 64 KiB: no Host
    }
    return r;
}

} // namespace nexustray::hub
