#include "session/TrustStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
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

QList<QSslCertificate> systemRoots(QStringList* problems) {
    QList<QSslCertificate> roots;
    QSet<QByteArray> seen;
    appendUnique(roots, seen, qtSystemRoots());
    const QString envFile = qEnvironmentVariable("SSL_CERT_FILE");
    if (!envFile.isEmpty()) {
        const CaBundle bundle = readCaFile(envFile);
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
        // Hashed names ("1a2b3c4d.0") as well as *.pem / *.crt: whatever parses as PEM.
        for (const QFileInfo& entry : dir.entryInfoList(QDir::Files | QDir::Readable))
            appendUnique(roots, seen, readCaFile(entry.filePath()).certificates);
    }
    return roots;
}

bool buildClientConfiguration(QSslConfiguration& base, const QString& caFile, QString* error,
                              QStringList* problems) {
    QList<QSslCertificate> cas = systemRoots(problems);
    if (!caFile.isEmpty()) {
        const CaBundle bundle = readCaFile(caFile);
        if (!bundle.error.isEmpty()) {
            if (error)
                *error = QStringLiteral("tls.caFile %1: %2").arg(caFile, bundle.error);
            return false;
        }
        QSet<QByteArray> seen;
        for (const QSslCertificate& cert : std::as_const(cas))
            seen.insert(cert.toDer());
        appendUnique(cas, seen, bundle.certificates);
    }
    base.setCaCertificates(cas);
    return true;
}

} // namespace nexustray::trust
