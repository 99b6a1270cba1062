// The relay addresses of a tpm backend written without nexusAddresses (issue 12): namek's
// nexus_endpoints, from the saved identity of its state directory, else from the first
// enrollment (one handshake token request of the backend's shared attestor).
#pragma once

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

#include "nexustray/Config.h"
#include "nexustray/Snapshots.h"

namespace nexustray::attestation::tpm {
class TpmAttestor;
class TpmReceiver;
} // namespace nexustray::attestation::tpm

namespace nexustray {

struct RelayAddresses {
    QStringList urls; // empty = failed
    QString error;
    bool permanent = false; // no retry can help (device suspended/revoked)
    int retryAfterMs = 0;
    SessionErrorKind errorKind = SessionErrorKind::None; // when failed
};

class TpmRelayAddresses {
public:
    // `done` runs later on `context`'s thread, unless this object is destroyed first.
    TpmRelayAddresses(const BackendConfig& backend, QObject* context,
                      std::function<void(const RelayAddresses&)> done);
    ~TpmRelayAddresses();
    TpmRelayAddresses(const TpmRelayAddresses&) = delete;
    TpmRelayAddresses& operator=(const TpmRelayAddresses&) = delete;

private:
    std::shared_ptr<attestation::tpm::TpmReceiver> m_rx;
    // Kept while the request runs (and released on the context's thread, never on the
    // attestor's own thread).
    std::shared_ptr<attestation::tpm::TpmAttestor> m_attestor;
};

} // namespace nexustray
