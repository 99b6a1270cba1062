#include "session/HeapTrimmer.h"

#include <algorithm>

#if defined(__GLIBC__)
#include <malloc.h>
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
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace nexustray
