// A TPM hierarchy password kept in its own file (attestation.tpm.ownerPasswordFile /
// endorsementPasswordFile, tpm-namek.md §4): the file's bytes without a trailing newline, at most
// 64 bytes (TPM2B_AUTH). Read when the config loads (to report a bad file with its line) and again
// when the attestor starts, so the password is held only where it is used.
#pragma once

#include <QByteArray>
#include <QString>

namespace nexustray::config {

constexpr int kMaxTpmPasswordBytes = 64;

// Empty error = success (*password may still be empty: an empty file means "no password").
QString readTpmPasswordFile(const QString& path, QByteArray* password);

} // namespace nexustray::config
