// The TPM identities of a Client's attestation.tpm backends (issue 12, the tray's "Check
// identity" and "Re-enroll"): per backend the shared TpmAttestor of its sessions
// (TpmAttestorPool::acquire with TpmTokenProvider::optionsFor), asked on the attestor's own
// thread; what it answers comes back on the context's thread as a BackendIdentity value.
#pragma once

#include <QObject>

#include <functional>
#include <map>
#include <memory>

#include "nexustray/Config.h"
#include "nexustray/Snapshots.h"

namespace nexustray::attestation::tpm {
class TpmAttestor;
class TpmReceiver;
} // namespace nexustray::attestation::tpm

namespace nexustray {

class BackendIdentities {
public:
    using Changed = std::function<void(const BackendIdentity&)>;
    // `changed` runs on `context`'s thread, for every change of a backend's identity.
    BackendIdentities(QObject* context, Changed changed);
    ~BackendIdentities();
    BackendIdentities(const BackendIdentities&) = delete;
    BackendIdentities& operator=(const BackendIdentities&) = delete;

    // What the state directory saved at the last enrollment (no TPM, no network).
    void loadSaved(const BackendConfig& backend);
    // GET /api/v1/devices/me through the attestor (nonce + quote).
    void check(const BackendConfig& backend);
    // TpmAttestor::reenroll(); `done` runs on the context's thread once the attestor took it.
    void reenroll(const BackendConfig& backend, std::function<void()> done);
    // Backends no longer in the config (or no longer tpm) are forgotten.
    void retain(const Config& config);

    QList<BackendIdentity> all() const;

private:
    struct Entry;
    Entry& entryFor(const BackendConfig& backend);
    void publish(Entry& entry);
    // The entry of a tpm backend, marked as checking (nullptr for other backends).
    Entry* beginAction(const BackendConfig& backend);

    QObject* m_context;
    Changed m_changed;
    std::map<QString, std::unique_ptr<Entry>> m_entries; // by backend name
};

} // namespace nexustray
