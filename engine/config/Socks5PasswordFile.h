// The SOCKS5 listener's RFC 1929 password, kept in its own file (socks5PasswordFile): the file's
// bytes without a trailing newline, 1 to 255 bytes (PLEN is one byte). Read when the config loads
// (to report a bad file with its line) and again when the listener starts.
#pragma once

#include <QByteArray>
#include <QString>

namespace nexustray::config {

constexpr int kMaxSocks5CredentialBytes = 255; // ULEN and PLEN of RFC 1929

// Empty error = success.
QString readSocks5PasswordFile(const QString& path, QByteArray* password);

} // namespace nexustray::config
