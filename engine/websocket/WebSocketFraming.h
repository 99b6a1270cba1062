// RFC 6455 frame layout for the client side: building masked frames into an output buffer and
// reading frame headers. Pure functions, no I/O, so that the byte-exact vectors of
// protocol.md §12 can be checked directly.
#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <optional>

namespace nexustray::ws {

enum Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Close codes we send or interpret (RFC 6455 §7.4.1).
enum CloseCode : quint16 {
    Normal = 1000,
    GoingAway = 1001,
    ProtocolError = 1002,
    NoStatus = 1005,    // never sent: a close frame without a code
    Abnormal = 1006,    // never sent: the connection dropped without a close frame
    InvalidData = 1007, // text that is not UTF-8
    PolicyViolated = 1008,
    TooBig = 1009,
};

constexpr int kMaxFrameHeader = 14;  // 2 + 8 (64-bit length) + 4 (mask)
constexpr int kMaxCloseReason = 123; // 125-byte control frame payload minus the 2-byte code

// May a peer send this code in a close frame? RFC 6455 §7.4: 1000-1003, 1007-1011 and the later
// IANA registrations 1012-1014, and 3000-4999 (libraries, applications). Never 1004 (reserved),
// 1005/1006/1015 (only for reporting), other values below 3000 or from 5000 on.
bool isValidCloseCode(quint16 code);

// The close reason as sent: UTF-8, at most kMaxCloseReason bytes, cut at a code point boundary.
QByteArray closeReasonBytes(const QString& reason);

// XOR `size` bytes from `src` into `dst` with the 4-byte masking key, a machine word at a time.
// `dst` may equal `src`. `key` holds the key bytes in wire order.
void maskBytes(char* dst, const char* src, qsizetype size, const quint8 key[4]);

// Append one complete, final (FIN), masked frame to `out`: header, key, masked payload. One copy
// of the payload, no temporary buffers.
void appendMaskedFrame(QByteArray& out, Opcode opcode, const char* payload, qsizetype size,
                       quint32 maskKey);

// A frame header as read from the hub.
struct FrameHeader {
    bool fin = false;
    quint8 rsv = 0; // must be 0: no extensions are negotiated
    Opcode opcode = Continuation;
    bool masked = false;
    quint64 payloadLength = 0;
    quint8 mask[4] = {0, 0, 0, 0};
    int headerLength = 0; // bytes before the payload
};

// Parse the header at the start of `data`. nullopt when more bytes are needed. A 64-bit length
// with the top bit set is returned as is; the caller rejects it with its size limit.
std::optional<FrameHeader> parseFrameHeader(const char* data, qsizetype available);

} // namespace nexustray::ws
