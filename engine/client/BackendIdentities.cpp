#include "client/BackendIdentities.h"

#include <QDateTime>

#include "attestation/TpmTokenProvider.h"
#include "attestation/tpm/TpmAttestorPool.h"

namespace nexustray {

using namespace attestation::tpm;

struct BackendIdentities::Entry {
    TpmAttestorOptions options;
    // Released on the context's thread (here), never on the attestor's own thread.
    std::shared_ptr<TpmAttestor> attestor;
    std::shared_ptr<TpmReceiver> rx;
    QMetaObject::Connection identityHook;
    BackendIdentity identity;
};

namespace {
bool sameAttestor(const TpmAttestorOptions& a, const TpmAttestorOptions& b) {
    return a.namekUrl == b.namekUrl && a.tcti == b.tcti && a.stateDir == b.stateDir;
}

void takeSaved(BackendIdentity& identity, const std::optional<TpmIdentity>& saved) {
    if (!saved)
        return;
    identity.deviceId = saved->deviceId;
    identity.hostname = saved->hostname;
    identity.identityClass = saved->identityClass;
}
} // namespace

BackendIdentities::BackendIdentities(QObject* context, Changed changed)
    : m_context(context)
    , m_changed(std::move(changed)) {}

BackendIdentities::~BackendIdentities() {
    for (auto& [name, entry] : m_entries) {
        entry->rx->detach();
        QObject::disconnect(entry->identityHook);
    }
}

BackendIdentities::Entry& BackendIdentities::entryFor(const BackendConfig& backend) {
    const TpmAttestorOptions options = attestation::TpmTokenProvider::optionsFor(backend);
    std::unique_ptr<Entry>& slot = m_entries[backend.name];
    if (slot && sameAttestor(slot->options, options))
        return *slot;
    if (slot) {
        slot->rx->detach();
        QObject::disconnect(slot->identityHook);
    }
    slot = std::make_unique<Entry>();
    slot->options = options;
    slot->rx = std::make_shared<TpmReceiver>(m_context);
    slot->identity.backendName = backend.name;
    takeSaved(slot->identity, TpmState(options.stateDir).loadIdentity());
    slot->attestor = TpmAttestorPool::acquire(options);
    // A (re-)enrollment by any session of the backend changes the identity: follow it. The
    // lambda runs on the attestor's thread and only reads the attestor there.
    TpmAttestor* attestor = slot->attestor.get();
    const std::shared_ptr<TpmReceiver> rx = slot->rx;
    const QString name = backend.name;
    slot->identityHook = QObject::connect(
        attestor, &TpmAttestor::identityChanged, attestor, [this, attestor, rx, name] {
            const std::optional<TpmIdentity> now = attestor->identity();
            rx->deliver([this, rx, name, now] {
                const auto it = m_entries.find(name);
                if (it == m_entries.end() || it->second->rx != rx)
                    return; // replaced meanwhile
                takeSaved(it->second->identity, now);
                publish(*it->second);
            });
        });
    return *slot;
}

void BackendIdentities::publish(Entry& entry) {
    if (m_changed)
        m_changed(entry.identity);
}

void BackendIdentities::loadSaved(const BackendConfig& backend) {
    if (!backend.attestation.usesTpm())
        return;
    publish(entryFor(backend));
}

BackendIdentities::Entry* BackendIdentities::beginAction(const BackendConfig& backend) {
    if (!backend.attestation.usesTpm())
        return nullptr;
    Entry& entry = entryFor(backend);
    entry.identity.checking = true;
    publish(entry);
    return &entry;
}

void BackendIdentities::check(const BackendConfig& backend) {
    Entry* entry = beginAction(backend);
    if (!entry)
        return;
    TpmAttestor* attestor = entry->attestor.get();
    const std::shared_ptr<TpmReceiver> rx = entry->rx;
    const QString name = backend.name;
    auto answered = [this, rx, name](const TpmDeviceStatus& status,
                                     const std::optional<TpmIdentity>& saved, bool suspended) {
        const auto it = m_entries.find(name);
        if (it == m_entries.end() || it->second->rx != rx)
            return;
        BackendIdentity& identity = it->second->identity;
        identity.checking = false;
        identity.checkedAt = QDateTime::currentDateTimeUtc();
        if (status.ok) {
            identity.deviceId = status.deviceId;
            identity.hostname = status.hostname;
            identity.identityClass = status.identityClass;
            identity.status = status.status;
            identity.error.clear();
        } else {
            takeSaved(identity, saved);
            if (suspended)
                identity.status = QStringLiteral("suspended");
            identity.error =
                status.message.isEmpty() ? QStringLiteral("namek did not answer") : status.message;
        }
        publish(*it->second);
    };
    QMetaObject::invokeMethod(
        attestor,
        [attestor, rx, answered] {
            attestor->checkIdentity([attestor, rx, answered](const TpmDeviceStatus& status) {
                const std::optional<TpmIdentity> saved = attestor->identity();
                const bool suspended = attestor->isSuspended();
                rx->deliver(
                    [answered, status, saved, suspended] { answered(status, saved, suspended); });
            });
        },
        Qt::QueuedConnection);
}

void BackendIdentities::reenroll(const BackendConfig& backend, std::function<void()> done) {
    Entry* entry = beginAction(backend);
    if (!entry)
        return;
    TpmAttestor* attestor = entry->attestor.get();
    const std::shared_ptr<TpmReceiver> rx = entry->rx;
    const QString name = backend.name;
    auto taken = [this, rx, name, done] {
        const auto it = m_entries.find(name);
        if (it == m_entries.end() || it->second->rx != rx)
            return;
        BackendIdentity& identity = it->second->identity;
        identity.checking = false;
        identity.status.clear(); // unknown until namek answers again
        identity.error.clear();
        publish(*it->second);
        if (done)
            done();
    };
    QMetaObject::invokeMethod(
        attestor,
        [attestor, rx, taken] {
            attestor->reenroll();
            rx->deliver(taken);
        },
        Qt::QueuedConnection);
}

void BackendIdentities::retain(const Config& config) {
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        const auto backend =
            std::find_if(config.backends.cbegin(), config.backends.cend(),
                         [&](const BackendConfig& b) { return b.name == it->first; });
        if (backend != config.backends.cend() && backend->attestation.usesTpm()) {
            ++it;
            continue;
        }
        it->second->rx->detach();
        QObject::disconnect(it->second->identityHook);
        it = m_entries.erase(it);
    }
}

QList<BackendIdentity> BackendIdentities::all() const {
    QList<BackendIdentity> out;
    for (const auto& [name, entry] : m_entries)
        out << entry->identity;
    return out;
}

} // namespace nexustray
