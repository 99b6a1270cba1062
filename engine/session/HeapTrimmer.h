// Gives freed heap back to the operating system after a burst of streams has ended.
// glibc keeps freed blocks in its per-thread arenas for reuse; after 10,000 streams close, the
// process would otherwise keep their ~70 MB resident for good (docs/PERFORMANCE.md). Trimming
// costs page faults when memory is needed again, so it is done rarely: after the live stream
// count has fallen far below its peak, or once the session has been without streams for a while
// after a burst — never during steady churn.
#pragma once

#include <QtGlobal>

namespace nexustray {

class HeapTrimmer {
public:
    static constexpr int kLargeDrop = 1024;  // streams fewer than the peak since the last trim
    static constexpr int kMinBurst = 8;      // a peak worth trimming after when it reaches zero
    static constexpr qint64 kQuietMs = 1000; // ... and stays at zero this long

    // Feed the live stream count periodically; true when now is the moment to trim.
    bool observe(int liveStreams, qint64 nowMs);

    // Return free heap pages to the OS (glibc malloc_trim); no-op elsewhere.
    static void trimNow();

private:
    int m_peak = 0;
    qint64 m_zeroSince = -1;
};

} // namespace nexustray
