// Fuzz target: the WebSocket frame header reader (websocket/WebSocketFraming, ws::parseFrameHeader)
// on bytes from the hub. Properties: never reads beyond `available`; a header is either complete
// (its length fits the input) or reported as needing more bytes, and more input never changes
// an answer already given; a frame we build ourselves reads back as built.
#include "FuzzSupport.h"
#include "websocket/WebSocketFraming.h"

#include <QByteArray>

#include <cstring>

using namespace nexustray::ws;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    nexustray::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // An exact-size copy, so that ASan sees any read past the end.
    const QByteArray input(reinterpret_cast<const char*>(data), qsizetype(size));
    const auto* bytes = input.constData();
    const std::optional<FrameHeader> h = parseFrameHeader(bytes, input.size());
    // The header length the first two bytes announce (RFC 6455 §5.2).
    qsizetype announced = 2;
    if (input.size() >= 2) {
        const int len7 = quint8(bytes[1]) & 0x7F;
        announced += (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((quint8(bytes[1]) & 0x80) ? 4 : 0);
    }
    if (!h) {
        NEXUS_FUZZ_CHECK(input.size() < announced);
        return 0;
    }
    NEXUS_FUZZ_CHECK(h->headerLength == announced);
    NEXUS_FUZZ_CHECK(h->headerLength <= input.size() && h->headerLength <= kMaxFrameHeader);
    if ((quint8(bytes[1]) & 0x7F) < 126)
        NEXUS_FUZZ_CHECK(h->payloadLength == quint64(quint8(bytes[1]) & 0x7F));
    // Exactly the header's bytes give the same answer (no dependence on what follows).
    const std::optional<FrameHeader> again = parseFrameHeader(bytes, h->headerLength);
    NEXUS_FUZZ_CHECK(again && again->payloadLength == h->payloadLength &&
                     again->opcode == h->opcode && again->fin == h->fin && again->rsv == h->rsv &&
                     again->masked == h->masked && std::memcmp(again->mask, h->mask, 4) == 0);
    // One byte less is never enough.
    NEXUS_FUZZ_CHECK(!parseFrameHeader(bytes, h->headerLength - 1));

    // Round trip: the input's tail as the payload of a frame of our own.
    const qsizetype payloadSize = input.size() - h->headerLength;
    const quint32 key = size >= 4 ? quint32(data[0]) << 24 | quint32(data[1]) << 16 |
                                        quint32(data[2]) << 8 | data[3]
                                  : 0x01020304u;
    QByteArray frame;
    appendMaskedFrame(frame, Binary, bytes + h->headerLength, payloadSize, key);
    const std::optional<FrameHeader> own = parseFrameHeader(frame.constData(), frame.size());
    NEXUS_FUZZ_CHECK(own && own->fin && own->opcode == Binary && own->masked && own->rsv == 0);
    NEXUS_FUZZ_CHECK(own->payloadLength == quint64(payloadSize));
    NEXUS_FUZZ_CHECK(own->headerLength + payloadSize == frame.size());
    QByteArray unmasked(payloadSize, Qt::Uninitialized);
    maskBytes(unmasked.data(), frame.constData() + own->headerLength, payloadSize, own->mask);
    NEXUS_FUZZ_CHECK(unmasked == input.mid(h->headerLength));
    return 0;
}
