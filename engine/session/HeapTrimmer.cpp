#include "session/HeapTrimmer.h"

#include <algorithm>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// Under AddressSanitizer glibc's allocator is not in use (ASan replaces malloc), so there is
// nothing to trim, and glibc's arena has never been initialised: two sessions calling
// malloc_trim() for the first time at once race in its lazy initialisation and one walks
// uninitialised bins (a SIGSEGV at address 0x8, seen in the ASan CI run).
#if defined(__SANITIZE_ADDRESS__)
#define NEXUS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NEXUS_ASAN 1
#endif
#endif

namespace nexustray {

bool HeapTrimmer::observe(int liveStreams, qint64 nowMs) {
    m_peak = std::max(m_peak, liveStreams);
    bool trim = m_peak - liveStreams >= kLargeDrop;
    if (liveStreams > 0) {
        m_zeroSince = -1;
    } else if (m_peak >= kMinBurst) {
        if (m_zeroSince < 0)
            m_zeroSince = nowMs;
        else if (nowMs - m_zeroSince >= kQuietMs)
            trim = true;
    }
    if (trim) {
        m_peak = liveStreams;
        m_zeroSince = -1;
    }
    return trim;
}

void HeapTrimmer::trimNow() {
#if defined(__GLIBC__) && !defined(NEXUS_ASAN)
    malloc_trim(0);
#endif
}

} // namespace nexustray
