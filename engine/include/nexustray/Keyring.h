// The system keyring entries behind attestation.hmacSecretKeyring (issue 13): one secret per
// backend under service "nexus-tray", key = the backend name, through QtKeychain (the Secret
// Service, e.g. gnome-keyring, or KWallet). There is never a plain-text fallback.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

namespace nexustray {

// "nexus-tray": the keyring service name of every entry.
QString keyringService();

// How long a keyring operation may take before it fails with "the keyring did not answer ..."
// (a locked keyring may wait for a password prompt that nobody answers).
constexpr int kKeyringTimeoutMs = 15000;

struct KeyringResult {
    bool ok = false;
    QByteArray secret; // read: the stored bytes (non-empty when ok)
    // On failure: "backend 'web': <cause>", e.g. "no secret in the system keyring (service
    // nexus-tray, key web); store one with nexus-tray --set-secret web", "keyring locked ...",
    // "no Secret Service available ...". Never contains the secret.
    QString error;
};
using KeyringCallback = std::function<void(const KeyringResult& result)>;

// Reads / stores the secret of `backend`. Asynchronous: the jobs run on a keyring thread of their
// own (never blocking the caller); `done` runs exactly once on `context`'s thread (which needs an
// event loop), never from inside the call, within timeoutMs, and not at all once `context` is
// destroyed.
void readKeyringSecret(const QString& backend, QObject* context, KeyringCallback done,
                       int timeoutMs = kKeyringTimeoutMs);
void writeKeyringSecret(const QString& backend, const QByteArray& secret, QObject* context,
                        KeyringCallback done, int timeoutMs = kKeyringTimeoutMs);

} // namespace nexustray
