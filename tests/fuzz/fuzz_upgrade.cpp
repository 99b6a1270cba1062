// Fuzz target: the reader of the hub's answer to our WebSocket upgrade (websocket/UpgradeResponse,
// ws::readUpgradeResponse). Properties: never crashes or reads past the input; Accepted consumes
// a prefix that ends with the empty line and is within the size limit; Refused and TooLarge say
// why; the answer depends only on the bytes up to the limit, and a prefix of an accepted
// response is never accepted.
#include "FuzzSupport.h"
#include "websocket/UpgradeResponse.h"

using namespace nexustray::ws;

namespace {
const QByteArray kKey = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3 example
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    nexustray::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    QByteArray input(reinterpret_cast<const char*>(data), qsizetype(size));
    // Inputs often start with a mode byte: 1 = splice in the right accept value for kKey, so
    // that the fuzzer reaches the checks after the Sec-WebSocket-Accept comparison.
    if (!input.isEmpty() && input.at(0) == '\x01')
        input = input.mid(1).replace("@ACCEPT@", expectedAccept(kKey));
    const UpgradeResponse r = readUpgradeResponse(input, kKey);
    switch (r.status) {
    case UpgradeResponse::Status::Incomplete:
        NEXUS_FUZZ_CHECK(input.size() < kMaxUpgradeResponse);
        NEXUS_FUZZ_CHECK(r.problem.isEmpty());
        break;
    case UpgradeResponse::Status::Accepted: {
        NEXUS_FUZZ_CHECK(r.consumed > 0 && r.consumed <= input.size());
        NEXUS_FUZZ_CHECK(r.consumed <= kMaxUpgradeResponse);
        NEXUS_FUZZ_CHECK(input.at(r.consumed - 1) == '\n');
        NEXUS_FUZZ_CHECK(input.left(r.consumed).startsWith("HTTP/1."));
        // Without the last byte of the header block it is not complete yet.
        const UpgradeResponse shorter = readUpgradeResponse(input.left(r.consumed - 1), kKey);
        NEXUS_FUZZ_CHECK(shorter.status == UpgradeResponse::Status::Incomplete);
        // What follows the response (WebSocket frames) does not change the answer.
        const UpgradeResponse exact = readUpgradeResponse(input.left(r.consumed), kKey);
        NEXUS_FUZZ_CHECK(exact.status == r.status && exact.consumed == r.consumed);
        break;
    }
    case UpgradeResponse::Status::Refused:
    case UpgradeResponse::Status::TooLarge:
        NEXUS_FUZZ_CHECK(!r.problem.isEmpty());
        break;
    }
    // Only the first kMaxUpgradeResponse bytes matter.
    if (input.size() > kMaxUpgradeResponse) {
        const UpgradeResponse capped = readUpgradeResponse(input.left(kMaxUpgradeResponse), kKey);
        NEXUS_FUZZ_CHECK(capped.status == r.status && capped.consumed == r.consumed);
    }
    return 0;
}
