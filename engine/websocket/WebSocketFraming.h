// RFC 6455 frame layout for the client side: building masked frames into an output buffer and
// reading frame headers. Pure functions, no I/O, so that the byte-exact vectors of
// protocol.md §12 can be checked directly.
#pragma once

#include <QByteArray>
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

constexpr int kMaxFrameHeader = 14; // 2 + 8 (64-bit length) + 4 (mask)

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
