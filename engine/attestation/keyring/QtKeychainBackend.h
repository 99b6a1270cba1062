// The keyring plugin's one class (nexus-tray-keyring.so, issue 10): KeyringBackend on QtKeychain
// (the Secret Service, e.g. gnome-keyring, or KWallet). Never QtKeychain's plain-text fallback.
#pragma once

#include <QObject>

#include "attestation/KeyringBackend.h"

namespace nexustray::attestation {

class QtKeychainBackend : public QObject, public KeyringBackend {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NexusTrayKeyringBackend_iid)
    Q_INTERFACES(nexustray::attestation::KeyringBackend)
public:
    void start(const QString& service, const QString& key, const std::optional<QByteArray>& secret,
               KeyringJobCallback done) override;
};

} // namespace nexustray::attestation
