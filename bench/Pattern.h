// Test data for the benchmark: a fixed pseudo-random pattern that every byte stream follows, so
// that each receiver can check the bytes it got (offset o of any stream holds pattern byte o % P).
#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <cstring>

namespace bench {

class Pattern {
public:
    // P is odd-sized so that chunk boundaries (16/32 KiB) never line up with the period.
    static constexpr qint64 kPeriod = 1024 * 1024 + 17;

    static const Pattern& instance() {
        static const Pattern p;
        return p;
    }

    // Up to kPeriod contiguous bytes of the stream starting at `offset`.
    const char* at(quint64 offset) const { return m_data.constData() + offset % kPeriod; }

    bool matches(quint64 offset, const char* data, qint64 size) const {
        while (size > 0) {
            const qint64 n = qMin<qint64>(size, kPeriod);
            if (std::memcmp(at(offset), data, size_t(n)) != 0)
                return false;
            offset += quint64(n);
            data += n;
            size -= n;
        }
        return true;
    }

private:
    Pattern()
        : m_data(2 * kPeriod, Qt::Uninitialized) {
        quint64 x = 0x9E3779B97F4A7C15ull; // xorshift64*, fixed seed
        for (qint64 i = 0; i < kPeriod; ++i) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            m_data[i] = char((x * 0x2545F4914F6CDD1Dull) >> 56);
        }
        std::memcpy(m_data.data() + kPeriod, m_data.constData(), size_t(kPeriod));
    }
    QByteArray m_data; // two periods back to back: any window of <= kPeriod is contiguous
};

// Requests to the origin services start with an 8-byte little-endian count.
inline QByteArray countHeader(quint64 count) {
    QByteArray h(8, Qt::Uninitialized);
    for (int i = 0; i < 8; ++i)
        h[i] = char((count >> (8 * i)) & 0xff);
    return h;
}

inline quint64 readCount(const char* h) {
    quint64 v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | quint8(h[i]);
    return v;
}

} // namespace bench
