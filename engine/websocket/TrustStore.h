// The CA certificates a wss:// session trusts (docs/configuration.md, `tls`): the system roots
// plus the backend's tls.caFile. Qt 6.4 (OpenSSL backend) loads the system roots on demand only
// while a configuration's CA list is untouched; addCaCertificates() switches that off, so the
// system roots are listed explicitly here. "System roots" are what Qt finds in the distribution's
// directories plus, as OpenSSL and Go do, the bundle named by SSL_CERT_FILE and the files in the
// SSL_CERT_DIR directories (':'-separated).
// Those roots are read once per process and shared by every session and dial (QSslCertificate is
// implicitly shared); the SSL_CERT_* files are read again only when one of them changes. A root in
// both the bundle and the directory is parsed once (docs/PERFORMANCE.md, idle memory over TLS).
#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QString>

namespace nexustray::trust {

// A PEM bundle read from disk; `error` says why nothing usable was read (missing, unreadable,
// no certificate in it) without naming the file (callers add that).
struct CaBundle {
    QList<QSslCertificate> certificates;
    QString error;
};
CaBundle readCaFile(const QString& path);

// System roots as described above (duplicates removed). Problems with SSL_CERT_FILE / SSL_CERT_DIR
// are appended to `problems` (if given); the rest is still returned.
QList<QSslCertificate> systemRoots(QStringList* problems = nullptr);

// How many certificates of SSL_CERT_FILE / SSL_CERT_DIR this process has parsed so far (for
// tests: a root already known is skipped before parsing, a shared store is not read again).
int certificatesParsed();

// Client configuration for a wss:// dial: `base` (Qt's default configuration) with system roots +
// the certificates of `caFile` (if non-empty) as its CA list. Without a caFile, and when the
// SSL_CERT_* files hold only roots Qt knows anyway (the usual case: both name the distribution's
// store), `base` stays untouched and Qt loads the one root a hub needs on demand. On a caFile
// problem returns false and sets `error`.
bool buildClientConfiguration(QSslConfiguration& base, const QString& caFile, QString* error,
                              QStringList* problems = nullptr);

} // namespace nexustray::trust
