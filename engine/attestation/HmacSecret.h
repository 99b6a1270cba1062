// Loading of the built-in signer's key (attestation spec §2.1).
#pragma once

#include <QByteArray>
#include <QString>

#include "nexustray/Config.h"

namespace nexustray::attestation {

// Files larger than this are refused (a key is a short string; guards against /dev/zero).
constexpr qint64 kMaxHmacSecretFileBytes = 1024 * 1024;

// The key bytes: hmacSecretFile (read now, trimmed of white space including Unicode spaces) wins
// over hmacSecret (trimmed). Returns false and sets *error to "hmac secret is required" or
// "read hmac secret file: <reason>". The error never contains the secret.
bool loadHmacKey(const AttestationConfig& config, QByteArray* key, QString* error);

} // namespace nexustray::attestation
