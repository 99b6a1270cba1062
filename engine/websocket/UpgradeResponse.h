// The hub's answer to our WebSocket upgrade request (RFC 6455 §4.1, protocol.md §1.1): status
// line and headers, checked against what we offered. A pure function over the bytes received so
// far, no I/O, so that hostile responses can be fuzzed (tests/fuzz/fuzz_upgrade.cpp).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace nexustray::ws {

constexpr qsizetype kMaxUpgradeResponse = 16384; // status line + headers

struct UpgradeResponse {
    enum class Status {
        Incomplete, // the header block has not ended yet: read more
        Accepted,   // a valid 101 for our key; `consumed` bytes belong to the response
        Refused,    // not an upgrade we can use; `problem` says why
        TooLarge,   // more than kMaxUpgradeResponse bytes without the end of the headers
    };
    Status status = Status::Incomplete;
    qsizetype consumed = 0; // bytes up to and including the empty line (Accepted only)
    QString problem;        // Refused / TooLarge
};

// Sec-WebSocket-Accept the hub must send for the Sec-WebSocket-Key `key` (base64).
QByteArray expectedAccept(const QByteArray& key);

// Reads the response at the start of `received` (everything read from the socket since the
// request, including any WebSocket frames that followed it). Lines end with CRLF or LF.
UpgradeResponse readUpgradeResponse(QByteArrayView received, const QByteArray& key);

} // namespace nexustray::ws
