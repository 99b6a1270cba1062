// Fuzz target: the config loader (YAML text -> Config, config.md). Properties: never crashes or
// throws; a result is either usable (no errors, at least one backend) or explains itself.
#include "FuzzSupport.h"
#include "nexustray/Config.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    nexustray::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Deeply nested YAML is refused by yaml-cpp's own depth guard; keep inputs file-sized.
    if (size > 64 * 1024)
        return 0;
    const QByteArray yaml(reinterpret_cast<const char*>(data), qsizetype(size));
    const nexustray::ConfigLoadResult result =
        nexustray::loadConfigText(yaml, QStringLiteral("fuzz.yaml"));
    if (result.ok())
        NEXUS_FUZZ_CHECK(!result.config.backends.isEmpty());
    for (const nexustray::ConfigIssue& issue : result.errors)
        NEXUS_FUZZ_CHECK(!issue.message.isEmpty());
    return 0;
}
