// Fuzz target: the attestation-output parser (a command's stdout -> token / error) and the RFC 3339
// parser behind "expiry". Properties: never crashes; an accepted token is trimmed and non-empty;
// an error never repeats the output (secrets must not reach the log).
#include "FuzzSupport.h"
#include "attestation/AttestationOutput.h"

using namespace nexustray::attestation;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    nexustray::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray output(reinterpret_cast<const char*>(data), qsizetype(size));
    const nexustray::TokenResult result = parseAttestationOutput(output);
    if (result.ok) {
        NEXUS_FUZZ_CHECK(!result.token.isEmpty());
        NEXUS_FUZZ_CHECK(result.token == result.token.trimmed());
    } else {
        NEXUS_FUZZ_CHECK(!result.error.isEmpty());
        const QString text = QString::fromUtf8(output).trimmed();
        // A distinctive output (16+ characters, no spaces) must never appear in the error.
        if (text.size() >= 16 && !text.contains(QLatin1Char(' ')))
            NEXUS_FUZZ_CHECK(!result.error.contains(text));
    }
    if (const auto when = parseRfc3339(QString::fromUtf8(output)))
        NEXUS_FUZZ_CHECK(when->isValid() && when->timeSpec() == Qt::UTC);
    return 0;
}
