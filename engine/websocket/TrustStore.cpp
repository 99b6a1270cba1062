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
    // The file's size, not the cap: QIODevice::read() allocates its argument up front, and one
    // freed 16 MiB block raises glibc's mmap and trim thresholds for the whole process.
    *bytes = file.read(std::min(file.size(), kMaxBundleBytes));
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

// One per process, shared by every session's dials: the digests of Qt's system roots (to tell
// which SSL_CERT_* roots Qt lacks) and those roots, each parsed and held once.
struct SharedRoots {
    QMutex mutex;
    bool qtDigestsLoaded = false;
    QSet<QByteArray> qtDigests;
    QByteArray envSignature = QByteArray("\1"); // what the env fields were read from
    QList<QByteArray> envDers; // the SSL_CERT_* certificates Qt does not know (DER)
    QStringList contentProblems;
    bool envParsed = false;          // `envRoots` is current
    QList<QSslCertificate> envRoots; // envDers, parsed
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

// The directories Qt 6.4's OpenSSL backend hands to OpenSSL for on-demand root lookup
// (QSslSocketPrivate::unixRootCertDirectories(), private): OpenSSL looks a root up there by the
// hash of its subject, in files named like "1a2b3c4d.0".
const char* const kQtRootDirectories[] = {
    "/etc/ssl/certs/",     "/usr/lib/ssl/certs/", "/usr/share/ssl/",
    "/usr/local/ssl/",     "/var/ssl/certs/",     "/usr/local/ssl/certs/",
    "/etc/openssl/certs/", "/opt/openssl/certs/", "/etc/ssl/"};

bool isHashedName(const QString& name) {
    const qsizetype dot = name.indexOf(u'.');
    if (dot != 8 || name.size() < 10)
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        const bool hex = (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
        if (i == dot ? c != u'.' : (i < dot ? !hex : !c.isDigit()))
            return false;
    }
    return true;
}

// Digests of the roots Qt finds on demand: those in hashed files of its directories. Read once
// per process (the distribution's store does not change under a running client often enough to
// re-read it per dial), as PEM blocks and digests only: nothing is parsed, nothing listed.
void loadQtDigests(SharedRoots& s) {
    if (s.qtDigestsLoaded)
        return;
    QSet<QString> seen; // canonical paths: the directories overlap and hold links
    for (const char* directory : kQtRootDirectories) {
        const QDir dir(QString::fromLatin1(directory));
        for (const QFileInfo& entry : dir.entryInfoList(QDir::Files | QDir::Readable)) {
            const QString path = entry.canonicalFilePath();
            if (!isHashedName(entry.fileName()) || path.isEmpty() || seen.contains(path))
                continue;
            seen.insert(path);
            QByteArray pem;
            if (!readPemBytes(path, &pem).isEmpty())
                continue;
            for (const QByteArray& der : pemBlocks(pem))
                s.qtDigests.insert(digest(der));
        }
    }
    s.qtDigestsLoaded = true;
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
    s.envParsed = false;
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
}

// The SSL_CERT_* roots Qt lacks, parsed once per change of the files. Takes the lock.
QList<QSslCertificate> currentEnvRoots(QStringList* problems) {
    SharedRoots& s = shared();
    const QMutexLocker lock(&s.mutex);
    loadQtDigests(s);
    QStringList found;
    refreshEnv(s, &found);
    if (problems)
        *problems << s.contentProblems << found;
    if (!s.envParsed) {
        s.envRoots.clear();
        for (const QByteArray& der : std::as_const(s.envDers)) {
            ++g_parsed;
            const QSslCertificate cert(der, QSsl::Der);
            if (!cert.isNull())
                s.envRoots << cert;
        }
        s.envParsed = true;
    }
    return s.envRoots;
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

int certificatesParsed() {
    return g_parsed.load();
}

bool addedRoots(const QString& caFile, std::shared_ptr<const AddedRoots>* roots, QString* error,
                QStringList* problems) {
    roots->reset();
    QList<QSslCertificate> added;
    if (!qEnvironmentVariableIsEmpty("SSL_CERT_FILE") ||
        !qEnvironmentVariableIsEmpty("SSL_CERT_DIR"))
        added = currentEnvRoots(problems);
    if (!caFile.isEmpty()) {
        const CaBundle bundle = readCaFile(caFile);
        if (!bundle.error.isEmpty()) {
            if (error)
                *error = QStringLiteral("tls.caFile %1: %2").arg(caFile, bundle.error);
            return false;
        }
        added << bundle.certificates;
    }
    if (!added.isEmpty())
        *roots = std::make_shared<const AddedRoots>(added);
    return true;
}

} // namespace nexustray::trust
