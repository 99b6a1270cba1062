// The process-wide attestors of attestation.tpm: one TpmAttestor per (namek URL, TCTI, state
// directory), shared by every session that uses that triple (all sessions of a backend, and
// backends configured alike) while any holds it. Each attestor lives on its own thread with an
// event loop (its namek HTTP client runs there); the TPM calls run on the TpmDevice's thread, so
// no session thread ever waits for the TPM or for namek.
#pragma once

#include "attestation/tpm/TpmAttestor.h"

#include <memory>

namespace nexustray::attestation::tpm {

class TpmAttestorPool {
public:
    // The attestor for these options (namekUrl, tcti and stateDir pick it; the other options come
    // from whoever creates it first). Callers use it only through queued calls on its thread
    // (QMetaObject::invokeMethod with the attestor as context). Dropping the last reference
    // destroys it on its thread and joins that thread.
    static std::shared_ptr<TpmAttestor> acquire(const TpmAttestorOptions& options);
    // How many attestors the pool keeps track of (held ones, and released ones not yet pruned:
    // acquire() prunes those). For tests.
    static qsizetype trackedCount();
};

} // namespace nexustray::attestation::tpm
