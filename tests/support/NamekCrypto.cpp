#include "NamekCrypto.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QUuid>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

namespace nexustray::test::namek {

namespace {

template <typename T, void (*F)(T*)> struct Deleter {
    void operator()(T* p) const { F(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;

QByteArray u16(int v) {
    QByteArray b;
    b.append(char((v >> 8) & 0xff)).append(char(v & 0xff));
    return b;
}

QByteArray u32(quint32 v) {
    return u16(int(v >> 16)) + u16(int(v & 0xffff));
}

// A bounds-checked big-endian reader.
struct Reader {
    const QByteArray& data;
    qsizetype pos = 0;
    bool ok = true;
    quint32 read(int n) {
        if (pos + n > data.size()) {
            ok = false;
            return 0;
        }
        quint32 v = 0;
        for (int i = 0; i < n; ++i) {
            v = (v << 8) | quint8(data.at(pos++));
        }
        return v;
    }
    QByteArray bytes(qsizetype n) {
        if (n < 0 || pos + n > data.size()) {
            ok = false;
            return {};
        }
        const QByteArray b = data.mid(pos, n);
        pos += n;
        return b;
    }
    QByteArray sized() { return bytes(qsizetype(read(2))); }
};

PKey rsaFromModulus(const QByteArray& modulus, quint32 exponent) {
    using Bld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
    using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
    using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
    const Bn n(BN_bin2bn(reinterpret_cast<const unsigned char*>(modulus.constData()),
                         int(modulus.size()), nullptr));
    const Bn e(BN_new());
    BN_set_word(e.get(), exponent == 0 ? 65537 : exponent);
    const Bld bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    const Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    const PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return nullptr;
    }
    return PKey(key);
}

std::optional<EkKey> ekFromKey(EVP_PKEY* key, QString* error) {
    if (!key) {
        *error = QStringLiteral("invalid ek public key");
        return std::nullopt;
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        *error = QStringLiteral("ek public key must be RSA");
        return std::nullopt;
    }
    if (EVP_PKEY_get_bits(key) < 2048) {
        *error = QStringLiteral("ek public key must be at least 2048 bits");
        return std::nullopt;
    }
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    if (len <= 0) {
        *error = QStringLiteral("invalid ek public key");
        return std::nullopt;
    }
    EkKey ek;
    ek.spkiDer = QByteArray(reinterpret_cast<const char*>(der), len);
    OPENSSL_free(der);
    ek.fingerprintHex = QString::fromLatin1(
        QCryptographicHash::hash(ek.spkiDer, QCryptographicHash::Sha256).toHex());
    return ek;
}

} // namespace

QByteArray kdfa(const QByteArray& key, const QByteArray& label, const QByteArray& contextU,
                const QByteArray& contextV, int bits) {
    QByteArray out;
    for (quint32 i = 1; out.size() * 8 < bits; ++i) {
        out += QMessageAuthenticationCode::hash(u32(i) + label + QByteArray(1, '\0') + contextU +
                                                    contextV + u32(quint32(bits)),
                                                key, QCryptographicHash::Sha256);
    }
    return out.left(bits / 8);
}

std::optional<EkKey> ekFromCertificate(const QByteArray& der, QString* error) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.constData());
    using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
    const Cert cert(d2i_X509(nullptr, &p, long(der.size())));
    if (!cert) {
        *error = QStringLiteral("internal server error"); // namek answers 500 here (§2.4)
        return std::nullopt;
    }
    return ekFromKey(X509_get0_pubkey(cert.get()), error);
}

std::optional<EkKey> ekFromPublicKey(const QByteArray& spkiDer, QString* error) {
    const auto* p = reinterpret_cast<const unsigned char*>(spkiDer.constData());
    const PKey key(d2i_PUBKEY(nullptr, &p, long(spkiDer.size())));
    return ekFromKey(key.get(), error);
}

QByteArray akName(const QByteArray& akParams) {
    return QByteArray::fromHex("000b") +
           QCryptographicHash::hash(akParams, QCryptographicHash::Sha256);
}

QByteArray makeCredential(const EkKey& ek, const QByteArray& name, const QByteArray& secret,
                          QString* error) {
    QByteArray seed(16, '\0');
    for (char& c : seed) {
        c = char(QRandomGenerator::system()->bounded(256));
    }
    const auto* p = reinterpret_cast<const unsigned char*>(ek.spkiDer.constData());
    const PKey key(d2i_PUBKEY(nullptr, &p, long(ek.spkiDer.size())));
    const PKeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
    static const char label[] = "IDENTITY"; // sizeof includes the terminating 0 byte
    void* labelCopy = OPENSSL_memdup(label, sizeof label);
    size_t outLen = 0;
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), labelCopy, int(sizeof label)) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &outLen,
                         reinterpret_cast<const unsigned char*>(seed.constData()),
                         size_t(seed.size())) != 1) {
        *error = QStringLiteral("RSA-OAEP setup failed");
        return {};
    }
    QByteArray encSeed(qsizetype(outLen), '\0');
    if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(encSeed.data()), &outLen,
                         reinterpret_cast<const unsigned char*>(seed.constData()),
                         size_t(seed.size())) != 1) {
        *error = QStringLiteral("RSA-OAEP failed");
        return {};
    }
    encSeed.resize(qsizetype(outLen));

    const QByteArray symKey = kdfa(seed, "STORAGE", name, {}, 128);
    const QByteArray plain = u16(int(secret.size())) + secret;
    QByteArray encIdentity(plain.size(), '\0');
    const CipherCtx cipher(EVP_CIPHER_CTX_new());
    const unsigned char iv[16] = {};
    int len1 = 0;
    int len2 = 0;
    if (EVP_EncryptInit_ex(cipher.get(), EVP_aes_128_cfb128(), nullptr,
                           reinterpret_cast<const unsigned char*>(symKey.constData()), iv) != 1 ||
        EVP_EncryptUpdate(cipher.get(), reinterpret_cast<unsigned char*>(encIdentity.data()), &len1,
                          reinterpret_cast<const unsigned char*>(plain.constData()),
                          int(plain.size())) != 1 ||
        EVP_EncryptFinal_ex(cipher.get(),
                            reinterpret_cast<unsigned char*>(encIdentity.data()) + len1,
                            &len2) != 1) {
        *error = QStringLiteral("AES-CFB failed");
        return {};
    }
    const QByteArray hmacKey = kdfa(seed, "INTEGRITY", {}, {}, 256);
    const QByteArray integrity =
        QMessageAuthenticationCode::hash(encIdentity + name, hmacKey, QCryptographicHash::Sha256);
    const QByteArray idObject = u16(int(2 + integrity.size() + encIdentity.size())) +
                                u16(int(integrity.size())) + integrity + encIdentity;
    const QByteArray encSecret = u16(int(encSeed.size())) + encSeed;
    return u16(int(idObject.size())) + idObject + encSecret;
}

bool verifyQuote(const QByteArray& akParams, const QByteArray& nonce, const QByteArray& wire,
                 QString* error) {
    *error = QStringLiteral("tpm quote verification failed");
    // The AK public key from its TPMT_PUBLIC (§3.3).
    Reader ak{akParams};
    const quint32 type = ak.read(2);
    ak.read(2);                 // nameAlg
    ak.read(4);                 // attributes
    ak.sized();                 // authPolicy
    if (ak.read(2) != 0x0010) { // symmetric must be NULL for a signing key
        return false;
    }
    const quint32 scheme = ak.read(2);
    if (scheme != 0x0010) {
        ak.read(2); // scheme hash
    }
    ak.read(2); // keyBits
    const quint32 exponent = ak.read(4);
    const QByteArray modulus = ak.sized();
    if (!ak.ok || type != 0x0001 || ak.pos != akParams.size() || modulus.isEmpty()) {
        return false;
    }
    // Wire: u32 N || TPMS_ATTEST (N bytes) || TPMT_SIGNATURE.
    if (wire.size() > 4096) {
        return false;
    }
    Reader w{wire};
    const quint32 n = w.read(4);
    if (!w.ok || qint64(n) + 4 >= wire.size()) {
        return false;
    }
    const QByteArray attest = w.bytes(qsizetype(n));
    const quint32 sigAlg = w.read(2);
    const quint32 sigHash = w.read(2);
    const QByteArray signature = w.sized();
    if (!w.ok || w.pos != wire.size() || sigAlg != 0x0014 || sigHash != 0x000b) {
        return false;
    }
    const PKey key = rsaFromModulus(modulus, exponent);
    const MdCtx md(EVP_MD_CTX_new());
    if (!key || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.constData()),
                         size_t(signature.size()),
                         reinterpret_cast<const unsigned char*>(attest.constData()),
                         size_t(attest.size())) != 1) {
        return false;
    }
    Reader a{attest};
    const quint32 magic = a.read(4);
    const quint32 attestType = a.read(2);
    a.sized(); // qualifiedSigner (not checked by namek)
    const QByteArray extra = a.sized();
    a.bytes(17 + 8); // clockInfo, firmwareVersion
    const quint32 selections = a.read(4);
    const quint32 hash = a.read(2);
    const QByteArray bitmap = a.bytes(qsizetype(a.read(1)));
    const QByteArray pcrDigest = a.sized();
    const bool knownHash = hash == 0x0004 || hash == 0x000b || hash == 0x000c || hash == 0x000d;
    if (!a.ok || a.pos != attest.size() || magic != 0xff544347 || attestType != 0x8018 ||
        extra != nonce || selections != 1 || !knownHash || bitmap.count('\0') != bitmap.size() ||
        pcrDigest != QCryptographicHash::hash({}, QCryptographicHash::Sha256)) {
        return false;
    }
    error->clear();
    return true;
}

QString deviceIdFor(const QString& fingerprintHex) {
    static const QUuid ns(QStringLiteral("a3e4b8c1-7f2d-4e6a-9b5c-d8f1e2a3b4c5"));
    return QUuid::createUuidV5(ns, fingerprintHex.toLatin1()).toString(QUuid::WithoutBraces);
}

QString slugFor(const QString& fingerprintHex) {
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    const QByteArray bytes = QByteArray::fromHex(fingerprintHex.toLatin1()).left(13);
    QString slug;
    for (int group = 0; group < 20; ++group) {
        int v = 0;
        for (int bit = group * 5; bit < group * 5 + 5; ++bit) {
            v = (v << 1) | ((quint8(bytes.at(bit / 8)) >> (7 - bit % 8)) & 1);
        }
        slug.append(QLatin1Char(alphabet[v]));
    }
    return slug;
}

} // namespace nexustray::test::namek
