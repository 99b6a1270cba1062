// Roots a wss:// dial trusts beyond those Qt finds itself (docs/configuration.md, `tls`): the
// backend's tls.caFile and the SSL_CERT_FILE / SSL_CERT_DIR roots Qt lacks.
//
// Why not simply add them to the QSslConfiguration: Qt 6.4 gives up its on-demand system roots as
// soon as one CA is added, so the whole system store (~150 roots, ≈ 2 MB) would have to be listed
// in every configuration (docs/PERFORMANCE.md, idle memory over TLS). Instead the dial keeps Qt's
// configuration untouched and, when Qt's verification fails only for want of a trusted issuer,
// verifies the peer's chain against these roots with OpenSSL exactly as libssl would have: chain
// to one of these roots, purpose "ssl_server", validity now, and the relay's host name or IP
// address. Everything else Qt reports (expiry, wrong host, revoked purpose ...) is never waived.
#pragma once

#include <QDateTime>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

#include <memory>

struct x509_store_st; // OpenSSL's X509_STORE, kept out of this header

namespace nexustray::trust {

class AddedRoots {
public:
    // Null certificates are skipped. The parsed certificates are shared, not copied.
    explicit AddedRoots(const QList<QSslCertificate>& roots);
    ~AddedRoots();
    AddedRoots(const AddedRoots&) = delete;
    AddedRoots& operator=(const AddedRoots&) = delete;

    int size() const { return int(m_roots.size()); }
    bool contains(const QSslCertificate& root) const { return m_roots.contains(root); }

    // Whether `chain` (leaf first, as the peer sent it) leads to one of these roots and is valid
    // for `host` (a DNS name or an IP literal) at `at` (now when invalid). `why` says otherwise.
    bool verify(const QList<QSslCertificate>& chain, const QString& host, QString* why = nullptr,
                const QDateTime& at = QDateTime()) const;

    // Whether Qt's `errors` only say that no trusted issuer was found — what a chain ending in
    // one of these roots draws. Anything else (expired, host name mismatch ...) stays fatal.
    static bool onlyMissingIssuer(const QList<QSslError>& errors);

private:
    x509_store_st* m_store = nullptr;
    QList<QSslCertificate> m_roots;
};

} // namespace nexustray::trust
