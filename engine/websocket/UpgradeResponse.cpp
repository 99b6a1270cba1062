#include "websocket/UpgradeResponse.h"

#include <QCryptographicHash>
#include <QList>
#include <QPair>

namespace nexustray::ws {

namespace {
const char kAcceptGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool headerHasToken(const QByteArray& value, const char* token) {
    for (const QByteArray& part : value.split(','))
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}
} // namespace

QByteArray expectedAccept(const QByteArray& key) {
    return QCryptographicHash::hash(key + kAcceptGuid, QCryptographicHash::Sha1).toBase64();
}

UpgradeResponse readUpgradeResponse(QByteArrayView received, const QByteArray& key) {
    UpgradeResponse result;
    const QByteArrayView data = received.first(qMin(received.size(), kMaxUpgradeResponse));
    QByteArray statusLine;
    bool sawStatusLine = false;
    QList<QPair<QByteArray, QByteArray>> headers;
    qsizetype pos = 0;
    while (true) {
        const qsizetype newline = data.indexOf('\n', pos);
        if (newline < 0) {
            if (received.size() >= kMaxUpgradeResponse) {
                result.status = UpgradeResponse::Status::TooLarge;
                result.problem = QStringLiteral("WebSocket upgrade response is too large");
            }
            return result; // Incomplete
        }
        const QByteArray text = data.sliced(pos, newline - pos).toByteArray().trimmed();
        pos = newline + 1;
        if (!sawStatusLine) {
            sawStatusLine = true;
            statusLine = text;
            continue;
        }
        if (text.isEmpty())
            break; // end of the header block: anything after it is already WebSocket frames
        const qsizetype colon = text.indexOf(':');
        if (colon > 0)
            headers.append({text.left(colon).trimmed().toLower(), text.mid(colon + 1).trimmed()});
    }
    const auto header = [&headers](const char* name) {
        for (const auto& [k, value] : std::as_const(headers))
            if (k == name)
                return value;
        return QByteArray();
    };
    const QList<QByteArray> status = statusLine.split(' ');
    result.status = UpgradeResponse::Status::Refused;
    if (status.size() < 2 || !status.at(0).startsWith("HTTP/1.") || status.at(1) != "101")
        result.problem = QStringLiteral("relay refused the WebSocket upgrade: %1")
                             .arg(QString::fromLatin1(statusLine.left(200)));
    else if (header("upgrade").compare("websocket", Qt::CaseInsensitive) != 0 ||
             !headerHasToken(header("connection"), "upgrade"))
        result.problem = QStringLiteral("relay answered 101 without a WebSocket upgrade");
    else if (header("sec-websocket-accept") != expectedAccept(key))
        result.problem = QStringLiteral("relay sent a wrong Sec-WebSocket-Accept");
    else if (!header("sec-websocket-extensions").isEmpty() ||
             !header("sec-websocket-protocol").isEmpty())
        result.problem = QStringLiteral("relay chose an extension or subprotocol we did not offer");
    else
        result.status = UpgradeResponse::Status::Accepted;
    result.consumed = pos;
    return result;
}

} // namespace nexustray::ws
