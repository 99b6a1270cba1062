#include "websocket/WebSocketFraming.h"

#include <cstring>

namespace nexustray::ws {

void maskBytes(char* dst, const char* src, qsizetype size, const quint8 key[4]) {
    // Eight key bytes in wire order as one word: XOR-ing whole words keeps the key's phase,
    // because 8 is a multiple of 4. memcpy keeps it free of alignment and aliasing assumptions;
    // compilers turn the loop into vector instructions.
    quint8 pattern[8];
    for (int i = 0; i < 8; ++i)
        pattern[i] = key[i % 4];
    quint64 word;
    std::memcpy(&word, pattern, 8);
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 chunk;
        std::memcpy(&chunk, src + i, 8);
        chunk ^= word;
        std::memcpy(dst + i, &chunk, 8);
    }
    for (; i < size; ++i)
        dst[i] = char(quint8(src[i]) ^ key[i % 4]);
}

void appendMaskedFrame(QByteArray& out, Opcode opcode, const char* payload, qsizetype size,
                       quint32 maskKey) {
    quint8 header[kMaxFrameHeader];
    int n = 0;
    header[n++] = quint8(0x80 | opcode); // FIN: we never fragment
    if (size < 126) {
        header[n++] = quint8(0x80 | size);
    } else if (size <= 0xFFFF) {
        header[n++] = 0x80 | 126;
        header[n++] = quint8(size >> 8);
        header[n++] = quint8(size);
    } else {
        header[n++] = 0x80 | 127;
        for (int shift = 56; shift >= 0; shift -= 8)
            header[n++] = quint8(quint64(size) >> shift);
    }
    const quint8 key[4] = {quint8(maskKey >> 24), quint8(maskKey >> 16), quint8(maskKey >> 8),
                           quint8(maskKey)};
    std::memcpy(header + n, key, 4);
    n += 4;
    const qsizetype start = out.size();
    out.resize(start + n + size);
    char* dst = out.data() + start;
    std::memcpy(dst, header, size_t(n));
    maskBytes(dst + n, payload, size, key);
}

bool isValidCloseCode(quint16 code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

QByteArray closeReasonBytes(const QString& reason) {
    QByteArray utf8 = reason.toUtf8();
    if (utf8.size() <= kMaxCloseReason)
        return utf8;
    qsizetype cut = kMaxCloseReason;
    while (cut > 0 && (quint8(utf8.at(cut)) & 0xC0) == 0x80)
        --cut; // utf8[cut] continues a sequence: cut before the sequence's first byte
    utf8.truncate(cut);
    return utf8;
}

std::optional<FrameHeader> parseFrameHeader(const char* data, qsizetype available) {
    if (available < 2)
        return std::nullopt;
    const auto* b = reinterpret_cast<const quint8*>(data);
    FrameHeader h;
    h.fin = b[0] & 0x80;
    h.rsv = quint8((b[0] >> 4) & 0x7);
    h.opcode = Opcode(b[0] & 0x0F);
    h.masked = b[1] & 0x80;
    const quint8 len7 = b[1] & 0x7F;
    int n = 2;
    if (len7 == 126) {
        if (available < 4)
            return std::nullopt;
        h.payloadLength = quint64(b[2]) << 8 | b[3];
        n = 4;
    } else if (len7 == 127) {
        if (available < 10)
            return std::nullopt;
        for (int i = 0; i < 8; ++i)
            h.payloadLength = h.payloadLength << 8 | b[2 + i];
        n = 10;
    } else {
        h.payloadLength = len7;
    }
    if (h.masked) {
        if (available < n + 4)
            return std::nullopt;
        std::memcpy(h.mask, b + n, 4);
        n += 4;
    }
    h.headerLength = n;
    return h;
}

} // namespace nexustray::ws
