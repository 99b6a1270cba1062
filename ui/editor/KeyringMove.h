// "Store in keyring" of the backend form (issue 13): stores a backend's HMAC secret, given inline
// or in a secret file, in the system keyring under the backend's name (nexustray/Keyring.h), so
// that the form can switch the backend to attestation.hmacSecretKeyring and drop the secret from
// the config file. Asynchronous; the keyring runs on its own thread, never blocking the GUI.
#pragma once

#include <QObject>
#include <QString>

namespace nexustray::ui {

class KeyringMove : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Starts storing `inlineSecret` (trimmed), or, when it is blank, the content of `secretFile`
    // (trimmed) as the secret of `backend`. finished() follows exactly once, never from inside.
    void start(const QString& backend, const QString& inlineSecret, const QString& secretFile);
    bool running() const { return m_running; }

Q_SIGNALS:
    // ok: stored (message says where); otherwise message says why (the keyring's error names the
    // backend and the cause: no Secret Service, keyring locked, ...).
    void finished(bool ok, const QString& message);

private:
    void fail(const QString& message);

    bool m_running = false;
};

} // namespace nexustray::ui
