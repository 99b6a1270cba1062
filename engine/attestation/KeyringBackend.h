// The interface of the keyring plugin (issue 10): QtKeychain and Qt D-Bus live in a Qt plugin
// (attestation/keyring/, nexus-tray-keyring.so) that Keyring.cpp loads on first use, so a process
// that never touches the keyring does not map them, nor libdbus, libsecret, libgcrypt ... behind
// them. Only Qt Core types cross it; the error texts stay in Keyring.cpp.
#pragma once

#include <QByteArray>
#include <QString>
#include <QtPlugin>

#include <functional>
#include <optional>

namespace nexustray::attestation {

// What one keyring job came to.
struct KeyringJobResult {
    enum class Failure { None, EntryNotFound, NoBackend, AccessDenied, Other };
    Failure failure = Failure::None;
    QByteArray secret; // a read that succeeded: the stored bytes
    QString detail;    // a failure: the keyring's own words (may be empty)
};
using KeyringJobCallback = std::function<void(const KeyringJobResult& result)>;

class KeyringBackend {
public:
    virtual ~KeyringBackend() = default;
    // Reads (`secret` unset) or stores the entry `key` of `service`. Called on the keyring thread,
    // which runs an event loop; `done` runs exactly once on that thread, possibly before start()
    // returns. A read asks without any unlock prompt: a locked entry is AccessDenied.
    virtual void start(const QString& service, const QString& key,
                       const std::optional<QByteArray>& secret, KeyringJobCallback done) = 0;
};

} // namespace nexustray::attestation

// Versioned: a plugin of another interface version is refused by qobject_cast.
#define NexusTrayKeyringBackend_iid "io.github.atdexters_lab.nexus_tray.KeyringBackend/1"
Q_DECLARE_INTERFACE(nexustray::attestation::KeyringBackend, NexusTrayKeyringBackend_iid)
