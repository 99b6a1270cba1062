// The CA certificates a wss:// session trusts (docs/configuration.md, `tls`): the system roots
// plus the backend's tls.caFile. "System roots" are what Qt finds in the distribution's
// directories plus, as OpenSSL and Go do, the bundle named by SSL_CERT_FILE and the files in the
// SSL_CERT_DIR directories (':'-separated). Qt loads its own roots on demand; the caFile and the
// SSL_CERT_* roots Qt lacks are checked by AddedRoots (why: see there).
// SSL_CERT_* roots are read once per process and shared by every session and dial; the files are
// read again only when one of them changes. A root in both the bundle and the directory, or one
// Qt knows, is not parsed at all (docs/PERFORMANCE.md, idle memory over TLS).
#pragma once

#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

#include <memory>

#include "websocket/AddedRoots.h"

namespace nexustray::trust {

// A PEM bundle read from disk; `error` says why nothing usable was read (missing, unreadable,
// no certificate in it) without naming the file (callers add that).
struct CaBundle {
    QList<QSslCertificate> certificates;
    QString error;
};
CaBundle readCaFile(const QString& path);

// How many certificates of SSL_CERT_FILE / SSL_CERT_DIR this process has parsed so far (for
// tests: a root Qt knows is skipped before parsing, the others are parsed once per change).
int certificatesParsed();

// What a wss:// dial trusts besides Qt's system roots, which Qt loads on demand as long as the
// dial's QSslConfiguration keeps its CA list untouched: the certificates of `caFile` (if
// non-empty) and the SSL_CERT_* roots Qt lacks. `roots` is null when there are none (the usual
// case without a caFile: SSL_CERT_* name the distribution's store). On a caFile problem returns
// false and sets `error`; SSL_CERT_* problems are appended to `problems`.
bool addedRoots(const QString& caFile, std::shared_ptr<const AddedRoots>* roots, QString* error,
                QStringList* problems = nullptr);

} // namespace nexustray::trust
