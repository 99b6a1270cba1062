// The cryptography of namek's side (tpm-namek.md §2.7, §3.4, §3.5), for the fake namek: quote
// verification, MakeCredential (enc_credential), EK keys and the device identity derivations.
// OpenSSL does the RSA/AES work; Qt does hashes and HMAC.
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace nexustray::test::namek {

// KDFa of TPM 2.0 Part 1 with HMAC-SHA-256 (SP 800-108 counter mode).
QByteArray kdfa(const QByteArray& key, const QByteArray& label, const QByteArray& contextU,
                const QByteArray& contextV, int bits);

// An RSA EK: its PKIX SubjectPublicKeyInfo DER and the §2.7 fingerprint.
struct EkKey {
    QByteArray spkiDer;
    QString fingerprintHex;
};
std::optional<EkKey> ekFromCertificate(const QByteArray& der, QString* error);
std::optional<EkKey> ekFromPublicKey(const QByteArray& spkiDer, QString* error);

// AK name = 000b || SHA-256(ak_params).
QByteArray akName(const QByteArray& akParams);

// §3.4: the decoded enc_credential for `secret` (32 bytes) to the EK, bound to the AK name.
QByteArray makeCredential(const EkKey& ek, const QByteArray& akName, const QByteArray& secret,
                          QString* error);

// §3.5: verifies the quote wire format (decoded bytes) over `nonce` with the AK of `akParams`.
bool verifyQuote(const QByteArray& akParams, const QByteArray& nonce, const QByteArray& wire,
                 QString* error);

// §2.7 derivations from the EK fingerprint (lowercase hex).
QString deviceIdFor(const QString& fingerprintHex);
QString slugFor(const QString& fingerprintHex);

} // namespace nexustray::test::namek
