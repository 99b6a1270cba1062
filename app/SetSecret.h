// nexus-tray --set-secret BACKEND [--config PATH]: stores a backend's HMAC secret in the system
// keyring (attestation.hmacSecretKeyring, issue 13). The secret is one line of standard input
// (not echoed when it is a terminal; the trailing newline is dropped). Headless: no display.
// Exit 0 when stored, 1 for an unknown backend, an empty secret, a config that does not load or a
// keyring error (the message names the backend and the cause).
#pragma once

#include <QString>

namespace nexustray::app {

int runSetSecret(const QString& backend, const QString& configPath);

} // namespace nexustray::app
