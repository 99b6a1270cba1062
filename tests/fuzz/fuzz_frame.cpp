// Fuzz target: the binary message decoder (protocol/Frame). Properties: never crashes; a data
// message re-encodes to the same bytes; a control message survives serialize -> decode.
#include "FuzzSupport.h"
#include "protocol/Frame.h"

using namespace nexustray::protocol;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    nexustray::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray message(reinterpret_cast<const char*>(data), qsizetype(size));
    const DecodedMessage decoded = decodeMessage(message);
    switch (decoded.kind) {
    case DecodedMessage::Kind::Data:
        NEXUS_FUZZ_CHECK(message.size() >= kDataHeaderSize);
        NEXUS_FUZZ_CHECK(decoded.payload.size() == message.size() - kDataHeaderSize);
        if (decoded.payload.size() <= 2 * kMaxDataPayload)
            NEXUS_FUZZ_CHECK(encodeData(decoded.clientId, decoded.payload) == message);
        break;
    case DecodedMessage::Kind::Control: {
        const DecodedMessage again = decodeMessage(encodeControl(decoded.control));
        NEXUS_FUZZ_CHECK(again.kind == DecodedMessage::Kind::Control);
        NEXUS_FUZZ_CHECK(again.control.event == decoded.control.event);
        NEXUS_FUZZ_CHECK(again.control.clientId == decoded.control.clientId);
        NEXUS_FUZZ_CHECK(again.control.credits == decoded.control.credits);
        NEXUS_FUZZ_CHECK(again.control.hostname == decoded.control.hostname);
        break;
    }
    case DecodedMessage::Kind::Invalid:
        NEXUS_FUZZ_CHECK(!decoded.error.isEmpty());
        break;
    }
    return 0;
}
