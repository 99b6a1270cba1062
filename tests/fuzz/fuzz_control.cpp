// Fuzz target: the control-message JSON parser (protocol/ControlMessage, StrictJson) and the
// challenge parser. Properties: never crashes; a parsed message serializes to JSON that parses
// back to the same fields; a refusal always says why.
#include "FuzzSupport.h"
#include "protocol/ControlMessage.h"

using namespace nexustray::protocol;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    nexustray::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArrayView json(reinterpret_cast<const char*>(data), qsizetype(size));
    QString error;
    const std::optional<ControlMessage> message = parseControl(json, &error);
    if (message) {
        const QByteArray out = serializeControl(*message);
        QString again;
        const std::optional<ControlMessage> back = parseControl(out, &again);
        NEXUS_FUZZ_CHECK(back.has_value());
        NEXUS_FUZZ_CHECK(back->event == message->event);
        NEXUS_FUZZ_CHECK(back->clientId == message->clientId);
        NEXUS_FUZZ_CHECK(back->connPort == message->connPort);
        NEXUS_FUZZ_CHECK(back->credits == message->credits);
        NEXUS_FUZZ_CHECK(back->hostname == message->hostname);
        NEXUS_FUZZ_CHECK(back->reason == message->reason);
        NEXUS_FUZZ_CHECK(back->isTls == message->isTls);
        NEXUS_FUZZ_CHECK(serializeControl(*back) == out);
    } else {
        NEXUS_FUZZ_CHECK(!error.isEmpty());
    }
    if (const std::optional<Challenge> challenge = parseChallenge(json)) {
        const std::optional<Challenge> back = parseChallenge(serializeChallenge(*challenge));
        NEXUS_FUZZ_CHECK(back.has_value());
        NEXUS_FUZZ_CHECK(back->type == challenge->type);
        NEXUS_FUZZ_CHECK(back->nonce == challenge->nonce);
    }
    return 0;
}
