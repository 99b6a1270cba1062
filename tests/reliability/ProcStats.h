// Process resource figures from /proc (Linux): open file descriptors, resident memory, threads and
// child processes. Used by the reliability tests (leak checks before/after a fault) and by the
// soak runner (bench/soak).
#pragma once

#include <QDir>
#include <QFile>
#include <QSet>
#include <QString>
#include <QStringList>

namespace nexustray::reliability {

// Number of open file descriptors of this process.
inline int openFdCount() {
    return int(QDir(QStringLiteral("/proc/self/fd"))
                   .entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)
                   .size());
}

// Targets of the open descriptors ("socket:[123]", "/dev/null", "pipe:[4]"...), for diagnostics.
inline QStringList openFdTargets() {
    QStringList out;
    const QDir dir(QStringLiteral("/proc/self/fd"));
    for (const QString& name : dir.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot))
        out << name + QStringLiteral(" -> ") + QFile::symLinkTarget(dir.filePath(name));
    return out;
}

// Open TCP sockets of this process (IPv4 and IPv6): the socket inodes among our descriptors that
// appear in /proc/self/net/tcp{,6}. Unlike the raw fd count this ignores eventfds, pipes and
// netlink sockets that Qt creates lazily and keeps for the process lifetime.
inline int openTcpSocketCount() {
    QSet<QByteArray> inodes;
    const QDir dir(QStringLiteral("/proc/self/fd"));
    for (const QString& name : dir.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
        const QString target = QFile::symLinkTarget(dir.filePath(name));
        const int at = target.indexOf(QLatin1String("socket:["));
        if (at >= 0)
            inodes.insert(target.mid(at + 8).chopped(1).toLatin1());
    }
    int count = 0;
    for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cols = lines[i].simplified().split(' ');
            if (cols.size() > 9 && inodes.contains(cols[9]))
                ++count;
        }
    }
    return count;
}

// Value in kB of a "Key:   123 kB" line of /proc/self/status (VmRSS, VmHWM, Threads...).
inline qint64 procStatusValue(const char* key) {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(key) + ':';
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith(prefix)) {
            const QList<QByteArray> parts = line.mid(prefix.size()).simplified().split(' ');
            return parts.isEmpty() ? -1 : parts.first().toLongLong();
        }
    }
    return -1;
}

// A memory bound for assertions: `kb` as measured in a normal build; sanitizer builds keep freed
// memory in quarantine (256 MB by default) and add shadow memory, so they get more room.
inline qint64 memoryBoundKb(qint64 kb) {
#if defined(__SANITIZE_ADDRESS__)
    return kb * 2 + 512 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return kb * 2 + 512 * 1024;
#else
    return kb;
#endif
#else
    return kb;
#endif
}

inline qint64 rssKb() {
    return procStatusValue("VmRSS");
}
inline qint64 peakRssKb() {
    return procStatusValue("VmHWM");
}
inline int threadCount() {
    return int(procStatusValue("Threads"));
}

// Child processes of this process (all threads), from /proc/self/task/*/children.
inline QStringList childPids() {
    QStringList pids;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString& tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/children")));
        if (f.open(QIODevice::ReadOnly))
            pids += QString::fromLatin1(f.readAll()).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    }
    return pids;
}

} // namespace nexustray::reliability
