#include "websocket/AddedRoots.h"

#include <QHostAddress>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace nexustray::trust {

namespace {

// A certificate as OpenSSL's X509 with a reference of its own: Qt's (OpenSSL backend) handle when
// there is one, else parsed from DER. Null when neither works.
X509* toX509(const QSslCertificate& cert) {
    if (cert.isNull())
        return nullptr;
    if (auto* native = static_cast<X509*>(cert.handle())) {
        X509_up_ref(native);
        return native;
    }
    const QByteArray der = cert.toDer();
    const auto* bytes = reinterpret_cast<const unsigned char*>(der.constData());
    return d2i_X509(nullptr, &bytes, long(der.size()));
}

struct ChainDeleter {
    void operator()(STACK_OF(X509) * chain) const { sk_X509_pop_free(chain, X509_free); }
};
struct CtxDeleter {
    void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};
struct X509Deleter {
    void operator()(X509* cert) const { X509_free(cert); }
};

} // namespace

AddedRoots::AddedRoots(const QList<QSslCertificate>& roots)
    : m_store(X509_STORE_new()) {
    for (const QSslCertificate& root : roots) {
        X509* x509 = toX509(root);
        if (!x509)
            continue;
        if (X509_STORE_add_cert(m_store, x509) == 1) // takes its own reference
            m_roots << root;
        X509_free(x509);
    }
}

AddedRoots::~AddedRoots() {
    X509_STORE_free(m_store);
}

bool AddedRoots::verify(const QList<QSslCertificate>& chain, const QString& host, QString* why,
                        const QDateTime& at) const {
    auto fail = [why](const QString& text) {
        if (why)
            *why = text;
        return false;
    };
    if (chain.isEmpty())
        return fail(QStringLiteral("the peer sent no certificate"));
    const std::unique_ptr<X509, X509Deleter> leaf(toX509(chain.first()));
    const std::unique_ptr<STACK_OF(X509), ChainDeleter> untrusted(sk_X509_new_null());
    const std::unique_ptr<X509_STORE_CTX, CtxDeleter> ctx(X509_STORE_CTX_new());
    if (!leaf || !untrusted || !ctx)
        return fail(QStringLiteral("the peer's certificate cannot be read"));
    for (qsizetype i = 1; i < chain.size(); ++i) {
        if (X509* link = toX509(chain.at(i)); link && !sk_X509_push(untrusted.get(), link))
            X509_free(link);
    }
    if (X509_STORE_CTX_init(ctx.get(), m_store, leaf.get(), untrusted.get()) != 1 ||
        X509_STORE_CTX_set_default(ctx.get(), "ssl_server") != 1) // libssl's client checks
        return fail(QStringLiteral("cannot set up the verification"));
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    const QByteArray name = host.toUtf8();
    const bool isIp = !QHostAddress(host).isNull();
    if ((isIp ? X509_VERIFY_PARAM_set1_ip_asc(param, name.constData())
              : X509_VERIFY_PARAM_set1_host(param, name.constData(), size_t(name.size()))) != 1)
        return fail(QStringLiteral("cannot check the name %1").arg(host));
    if (at.isValid())
        X509_VERIFY_PARAM_set_time(param, time_t(at.toSecsSinceEpoch()));
    if (X509_verify_cert(ctx.get()) == 1)
        return true;
    return fail(
        QString::fromUtf8(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))));
}

bool AddedRoots::onlyMissingIssuer(const QList<QSslError>& errors) {
    if (errors.isEmpty())
        return false;
    for (const QSslError& error : errors) {
        switch (error.error()) {
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
            break;
        default:
            return false;
        }
    }
    return true;
}

} // namespace nexustray::trust
