#include "websocket/TrustStore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QSet>

#include <algorithm>
#include <atomic>

namespace nexustray::trust {

namespace {

// Far above any real bundle (Debian's is ~200 KB); keeps a wrong path from being slurped whole.
constexpr qint64 kMaxBundleBytes = 16 * 1024 * 1024;

std::atomic<int> g_parsed{0};

// Identity of a certificate without keeping its DER around.
QByteArray digest(const QByteArray& der) {
    return QCryptographicHash::hash(der, QCryptographicHash::Sha256);
}

// The file's bytes, or why there are none (callers add the file's name).
QString readPemBytes(const QString& path, QByteArray* bytes) {
    const QFileInfo info(path);
    if (!info.exists())
        return QStringLiteral("no such file");
    if (!info.isFile())
        return QStringLiteral("not a regular file");
    if (info.size() > kMaxBundleBytes)
        return QStringLiteral("too large for a PEM bundle (%1 bytes)").arg(info.size());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot be read (%1)").arg(file.errorString());
    *bytes = file.read(kMaxBundleBytes);
    return {};
}

// DER of each PEM certificate block, without parsing the certificate: the distribution's bundle
// and its hashed directory hold the same roots, and parsing is what costs time and heap.
QList<QByteArray> pemBlocks(const QByteArray& pem) {
    static const QByteArray begin = QByteArrayLiteral("-----BEGIN CERTIFICATE-----");
    static const QByteArray end = QByteArrayLiteral("-----END CERTIFICATE-----");
    QList<QByteArray> ders;
    qsizetype from = 0;
    while ((from = pem.indexOf(begin, from)) >= 0) {
        const qsizetype body = from + begin.size();
        const qsizetype stop = pem.indexOf(end, body);
        if (stop < 0)
            break;
        const auto decoded = QByteArray::fromBase64Encoding(pem.mid(body, stop - body));
        if (decoded && !decoded.decoded.isEmpty())
            ders << decoded.decoded;
        from = stop + end.size();
    }
    return ders;
}

// One per process, shared (implicitly) by every session's TLS configuration: the digests of Qt's
// system roots, and — only when a configuration needs them listed — the roots themselves plus
// those of SSL_CERT_FILE / SSL_CERT_DIR, each certificate parsed and held once.
struct SharedRoots {
    QMutex mutex;
    bool qtDigestsLoaded = false;
    QSet<QByteArray> qtDigests;
    bool qtRootsLoaded = false;
    QList<QSslCertificate> qtRoots;
    QByteArray envSignature = QByteArray("\1"); // what the env fields were read from
    bool envCovered = true;    // every SSL_CERT_* certificate is one of Qt's system roots
    QList<QByteArray> envDers; // the SSL_CERT_* certificates that are not (DER)
    QStringList contentProblems;
    bool rootsBuilt = false; // `roots` and `digests` are current
    QList<QSslCertificate> roots;
    QSet<QByteArray> digests; // of `roots`
};

SharedRoots& shared() {
    static SharedRoots store;
    return store;
}

// The files SSL_CERT_FILE / SSL_CERT_DIR name (canonical, each once) and a signature of their
// names, sizes and modification times: stat only, cheap enough for every dial.
QStringList envFiles(QByteArray* signature, QStringList* problems) {
    QStringList files;
    const QString envFile = qEnvironmentVariable("SSL_CERT_FILE");
    if (!envFile.isEmpty())
        files << envFile; // as given: a missing file is reported with this name
    const QString envDirs = qEnvironmentVariable("SSL_CERT_DIR");
    for (const QString& dirPath : envDirs.split(u':', Qt::SkipEmptyParts)) {
        const QDir dir(dirPath);
        if (!dir.exists()) {
            *problems << QStringLiteral("SSL_CERT_DIR %1: no such directory").arg(dirPath);
            continue;
        }
        // Hashed names ("1a2b3c4d.0") as well as *.pem / *.crt: whatever parses as PEM. Links to
        // one file (hash and name) are read once.
        QStringList inDir;
        for (const QFileInfo& entry : dir.entryInfoList(QDir::Files | QDir::Readable))
            inDir << entry.canonicalFilePath();
        inDir.removeAll(QString());
        std::sort(inDir.begin(), inDir.end());
        inDir.erase(std::unique(inDir.begin(), inDir.end()), inDir.end());
        files << inDir;
    }
    for (const QString& file : std::as_const(files)) {
        const QFileInfo info(file);
        *signature += file.toUtf8() + '\0' + QByteArray::number(info.size()) + '\0' +
                      QByteArray::number(info.lastModified().toMSecsSinceEpoch()) + '\n';
    }
    return files;
}

// Qt's own list: parsing a few hundred files takes a while, and the distribution's store does not
// change under a running client often enough to re-read it per dial. Qt's directories hold the
// bundle as well as the single files: each root is kept once. The list itself is kept only when
// `keepList` (a configuration has to name the roots); the digests always.
void loadQtRoots(SharedRoots& s, bool keepList) {
    if (s.qtRootsLoaded || (s.qtDigestsLoaded && !keepList))
        return;
    const QList<QSslCertificate> all = QSslConfiguration::systemCaCertificates();
    QSet<QByteArray> seen;
    for (const QSslCertificate& cert : all) {
        const QByteArray key = digest(cert.toDer());
        if (!cert.isNull() && !seen.contains(key)) {
            seen.insert(key);
            if (keepList)
                s.qtRoots << cert;
        }
    }
    s.qtDigests = seen;
    s.qtDigestsLoaded = true;
    s.qtRootsLoaded = keepList;
}

// Reads the SSL_CERT_* files again if they changed: only their digests and the DER of the
// certificates Qt does not know already.
void refreshEnv(SharedRoots& s, QStringList* problems) {
    QByteArray signature;
    const QStringList files = envFiles(&signature, problems);
    if (signature == s.envSignature)
        return;
    s.envSignature = signature;
    s.envDers.clear();
    s.contentProblems.clear();
    s.rootsBuilt = false;
    QSet<QByteArray> seen = s.qtDigests;
    const QString envFile = qEnvironmentVariable("SSL_CERT_FILE");
    for (const QString& file : files) {
        QByteArray pem;
        QString error = readPemBytes(file, &pem);
        const QList<QByteArray> ders = pemBlocks(pem);
        if (error.isEmpty() && ders.isEmpty())
            error = QStringLiteral("contains no PEM certificate");
        if (!error.isEmpty() && file == envFile) // single files in a directory: skipped
            s.contentProblems << QStringLiteral("SSL_CERT_FILE %1: %2").arg(envFile, error);
        for (const QByteArray& der : ders) {
            const QByteArray key = digest(der);
            if (!seen.contains(key)) {
                seen.insert(key);
                s.envDers << der;
            }
        }
    }
    s.envCovered = s.envDers.isEmpty();
}

// The shared list: Qt's roots and the SSL_CERT_* certificates it lacks, parsed once.
void buildRoots(SharedRoots& s) {
    if (s.rootsBuilt)
        return;
    loadQtRoots(s, true);
    s.roots = s.qtRoots;
    s.digests = s.qtDigests;
    for (const QByteArray& der : std::as_const(s.envDers)) {
        ++g_parsed;
        const QSslCertificate cert(der, QSsl::Der);
        if (!cert.isNull()) {
            s.roots << cert;
            s.digests.insert(digest(der));
        }
    }
    s.rootsBuilt = true;
}

// The current roots; with `onlyIfNeeded`, none (false returned) when the SSL_CERT_* files hold
// nothing Qt's own system roots lack. Takes the lock.
bool currentRoots(bool onlyIfNeeded, QList<QSslCertificate>* roots, QSet<QByteArray>* digests,
                  QStringList* problems) {
    SharedRoots& s = shared();
    const QMutexLocker lock(&s.mutex);
    loadQtRoots(s, !onlyIfNeeded);
    QStringList found;
    refreshEnv(s, &found);
    if (problems)
        *problems << s.contentProblems << found;
    if (onlyIfNeeded && s.envCovered)
        return false;
    buildRoots(s);
    *roots = s.roots;
    if (digests)
        *digests = s.digests;
    return true;
}

} // namespace

CaBundle readCaFile(const QString& path) {
    CaBundle bundle;
    QByteArray pem;
    bundle.error = readPemBytes(path, &pem);
    if (!bundle.error.isEmpty())
        return bundle;
    bundle.certificates = QSslCertificate::fromData(pem, QSsl::Pem);
    if (bundle.certificates.isEmpty())
        bundle.error = QStringLiteral("contains no PEM certificate");
    return bundle;
}

QList<QSslCertificate> systemRoots(QStringList* problems) {
    QList<QSslCertificate> roots;
    currentRoots(false, &roots, nullptr, problems);
    return roots;
}

int certificatesParsed() {
    return g_parsed.load();
}

bool buildClientConfiguration(QSslConfiguration& base, const QString& caFile, QString* error,
                              QStringList* problems) {
    if (caFile.isEmpty() && qEnvironmentVariableIsEmpty("SSL_CERT_FILE") &&
        qEnvironmentVariableIsEmpty("SSL_CERT_DIR"))
        return true; // nothing to add: Qt loads the system root a hub needs on demand (cheaper)
    QList<QSslCertificate> cas;
    QSet<QByteArray> digests;
    if (!currentRoots(caFile.isEmpty(), &cas, &digests, problems))
        return true; // SSL_CERT_* only repeat Qt's roots: keep Qt's on-demand loading
    if (!caFile.isEmpty()) {
        const CaBundle bundle = readCaFile(caFile);
        if (!bundle.error.isEmpty()) {
            if (error)
                *error = QStringLiteral("tls.caFile %1: %2").arg(caFile, bundle.error);
            return false;
        }
        for (const QSslCertificate& cert : bundle.certificates) {
            if (!cert.isNull() && !digests.contains(digest(cert.toDer())))
                cas << cert;
        }
    }
    base.setCaCertificates(cas);
    return true;
}

} // namespace nexustray::trust
