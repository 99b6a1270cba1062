// Shared bits of the libFuzzer targets: silence Qt logging (the parsers log what they refuse, which
// would drown the fuzzer's output) and a crash-on-failure check that also works in release builds.
#pragma once

#include <QtGlobal>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace nexustray::fuzz {

inline void quietQt() {
    qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString&) {});
}

// A property of the code under test does not hold: abort so libFuzzer records the input.
#define NEXUS_FUZZ_CHECK(cond)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

} // namespace nexustray::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
