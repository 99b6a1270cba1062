#include "session/TrustStore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QSet>

namespace nexustray::trust {

namespace {

// Far above any real bundle (Debian's is ~200 KB); keeps a wrong path from being slurped whole.
constexpr qint64 kMaxBundleBytes = 16 * 1024 * 1024;

// Qt's own list: parsing a few hundred files takes a while, and the distribution's store does not
// change under a running client often enough to re-read it per dial. (Thread-safe static init.)
const QList<QSslCertificate>& qtSystemRoots() {
    static const QList<QSslCertificate> roots = QSslConfiguration::systemCaCertificates();
    return roots;
}

// Certificates of the files named by SSL_CERT_FILE / SSL_CERT_DIR, by canonical path, re-read only
// when a file's size or modification time changes: those variables often point at the whole
// distribution store (hundreds of files), far too slow to parse at every dial.
struct CachedFile {
    QDateTime modified;
    qint64 size = -1;
    CaBundle bundle;
};

CaBundle readCached(const QString& path) {
    static QMutex mutex;
    static QHash<QString, CachedFile> cache;
    const QFileInfo info(path);
    const QString key = info.canonicalFilePath();
    if (key.isEmpty())
        return readCaFile(path); // missing: no entry, the error says so
    const QDateTime modified = info.lastModified();
    {
        const QMutexLocker lock(&mutex);
        const auto it = cache.constFind(key);
        if (it != cache.cend() && it->modified == modified && it->size == info.size())
            return it->bundle;
    }
    CachedFile entry{modified, info.size(), readCaFile(key)};
    const QMutexLocker lock(&mutex);
    cache.insert(key, entry);
    return entry.bundle;
}

void appendUnique(QList<QSslCertificate>& out, QSet<QByteArray>& seen,
                  const QList<QSslCertificate>& certs) {
    for (const QSslCertificate& cert : certs) {
        const QByteArray der = cert.toDer();
        if (!cert.isNull() && !seen.contains(der)) {
            seen.insert(der);
            out << cert;
        }
    }
}

} // namespace

CaBundle readCaFile(const QString& path) {
    CaBundle bundle;
    const QFileInfo info(path);
    if (!info.exists()) {
        bundle.error = QStringLiteral("no such file");
        return bundle;
    }
    if (!info.isFile()) {
        bundle.error = QStringLiteral("not a regular file");
        return bundle;
    }
    if (info.size() > kMaxBundleBytes) {
        bundle.error = QStringLiteral("too large for a PEM bundle (%1 bytes)").arg(info.size());
        return bundle;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        bundle.error = QStringLiteral("cannot be read (%1)").arg(file.errorString());
        return bundle;
    }
    bundle.certificates = QSslCertificate::fromData(file.read(kMaxBundleBytes), QSsl::Pem);
    if (bundle.certificates.isEmpty())
        bundle.error = QStringLiteral("contains no PEM certificate");
    return bundle;
}

// System roots without duplicates; `seen` gets the DER of each, for adding more certificates.
static QList<QSslCertificate> collectSystemRoots(QSet<QByteArray>& seen, QStringList* problems) {
    QList<QSslCertificate> roots;
    appendUnique(roots, seen, qtSystemRoots());
    const QString envFile = qEnvironmentVariable("SSL_CERT_FILE");
    if (!envFile.isEmpty()) {
        const CaBundle bundle = readCached(envFile);
        appendUnique(roots, seen, bundle.certificates);
        if (!bundle.error.isEmpty() && problems)
            *problems << QStringLiteral("SSL_CERT_FILE %1: %2").arg(envFile, bundle.error);
    }
    const QString envDirs = qEnvironmentVariable("SSL_CERT_DIR");
    for (const QString& dirPath : envDirs.split(u':', Qt::SkipEmptyParts)) {
        const QDir dir(dirPath);
        if (!dir.exists()) {
            if (problems)
                *problems << QStringLiteral("SSL_CERT_DIR %1: no such directory").arg(dirPath);
            continue;
        }
        // Hashed names ("1a2b3c4d.0") as well as *.pem / *.crt: whatever parses as PEM. Links to
        // one file (hash and name) are read once.
        QSet<QString> files;
        for (const QFileInfo& entry : dir.entryInfoList(QDir::Files | QDir::Readable))
            files.insert(entry.canonicalFilePath());
        files.remove(QString());
        for (const QString& file : std::as_const(files))
            appendUnique(roots, seen, readCached(file).certificates);
    }
    return roots;
}

QList<QSslCertificate> systemRoots(QStringList* problems) {
    QSet<QByteArray> seen;
    return collectSystemRoots(seen, problems);
}

bool buildClientConfiguration(QSslConfiguration& base, const QString& caFile, QString* error,
                              QStringList* problems) {
    if (caFile.isEmpty() && qEnvironmentVariableIsEmpty("SSL_CERT_FILE") &&
        qEnvironmentVariableIsEmpty("SSL_CERT_DIR"))
        return true; // nothing to add: Qt loads the system root a hub needs on demand (cheaper)
    QSet<QByteArray> seen;
    QList<QSslCertificate> cas = collectSystemRoots(seen, problems);
    if (!caFile.isEmpty()) {
        const CaBundle bundle = readCaFile(caFile);
        if (!bundle.error.isEmpty()) {
            if (error)
                *error = QStringLiteral("tls.caFile %1: %2").arg(caFile, bundle.error);
            return false;
        }
        appendUnique(cas, seen, bundle.certificates);
    }
    base.setCaCertificates(cas);
    return true;
}

} // namespace nexustray::trust
