// One TPM (one TCTI) for the whole process (tpm-namek.md §4-§6): a single ESYS context owned by a
// dedicated worker thread, so every TPM call is serialised and none blocks the caller's thread.
// Results come back on the receiver's thread through a TpmReceiver; handles are flushed on every
// path (swtpm has only three object slots). tpm2-tss itself is loaded by the first open() in the
// process (Tss2Library): until then no libtss2 is mapped.
#pragma once

#include <QByteArray>
#include <QMutex>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace nexustray::attestation::tpm {

struct TpmError {
    quint32 rc = 0;             // TSS2_RC, 0 when the failure is not a TSS return code
    QString message;            // empty = success; otherwise decoded with Tss2_RC_Decode
    bool retryable = false;     // TPM2_RC_RETRY / YIELDED / TESTING: try again after a short pause
    bool notAccessible = false; // the device node cannot be opened (permissions, missing)
    // The connection to the TPM broke (TCTI error), or the TPM lost the context's transient objects
    // (it restarted behind a reconnecting TCTI, e.g. swtpm or the resource manager restarted):
    // the device has closed its context; the next open() reconnects and every handle of the old
    // context (loaded AKs) is gone (see TpmDevice::generation()).
    bool connectionLost = false;
    bool ok() const { return message.isEmpty(); }
};

// AK key material as stored in the state directory (§6): TPMT_PUBLIC (= ak_params) and the
// TPM2B_PRIVATE buffer without its size.
struct AkBlobs {
    QByteArray pub;
    QByteArray priv;
    bool isEmpty() const { return pub.isEmpty() || priv.isEmpty(); }
};

struct AkResult {
    TpmError error;
    quint32 handle = 0; // ESYS_TR of the loaded AK, valid until flushAk()
    AkBlobs blobs;
    bool created = false; // a new AK was made (blobs must be saved)
};

struct EkResult {
    TpmError error;
    QByteArray certDer;     // EK certificate from NV 0x01C00002, empty when the TPM has none
    QByteArray pubDer;      // PKIX SubjectPublicKeyInfo DER of the RSA EK
    QString fingerprintHex; // §2.7: lowercase hex SHA-256 of pubDer
};

struct BytesResult {
    TpmError error;
    QByteArray data;
};

// Delivers worker results to an object's thread; detach() (in the owner's destructor) makes later
// results vanish instead of reaching a destroyed object.
class TpmReceiver {
public:
    explicit TpmReceiver(QObject* context)
        : m_context(context) {}
    void detach();
    void deliver(std::function<void()> fn);

private:
    QMutex m_mutex;
    QObject* m_context;
};
using TpmReceiverPtr = std::shared_ptr<TpmReceiver>;

class TpmWorker;

class TpmDevice {
public:
    // The device for this TCTI string, shared by every user in the process while any holds it.
    static std::shared_ptr<TpmDevice> shared(const QString& tcti);
    ~TpmDevice();
    TpmDevice(const TpmDevice&) = delete;
    TpmDevice& operator=(const TpmDevice&) = delete;

    QString tcti() const { return m_tcti; }
    // Counts the ESYS contexts opened so far: handles (a loaded AK) are valid only in the
    // generation that made them. Thread-safe.
    int generation() const { return m_generation.load(); }

    // Each call is queued behind the previous ones; `done` runs on the receiver's thread.
    // Opens the TCTI and the ESYS context (once; later calls succeed at once) and runs Startup.
    void open(const TpmReceiverPtr& rx, std::function<void(TpmError)> done);
    // Loads saved AK blobs under a fresh SRK, or creates a new AK when `saved` is empty.
    void loadAk(const AkBlobs& saved, const TpmReceiverPtr& rx, std::function<void(AkResult)> done);
    void flushAk(quint32 handle);
    // Owner and endorsement hierarchy passwords (§4), empty = none; for every later call. The
    // device is shared per TCTI, so the last attestor to set them wins (they belong to the TPM).
    void setHierarchyAuth(const QByteArray& owner, const QByteArray& endorsement);
    // The EK certificate (if any) and public key (persistent 0x81010001 or template L-1).
    void readEk(const TpmReceiverPtr& rx, std::function<void(EkResult)> done);
    // ActivateCredential(AK, EK) for a namek enc_credential (§3.4); data = the 32-byte secret.
    void activateCredential(quint32 ak, const QByteArray& encCredential, const TpmReceiverPtr& rx,
                            std::function<void(BytesResult)> done);
    // TPM2_Quote over 32 nonce bytes, no PCR; data = the wire format of §3.5 (not base64).
    void quote(quint32 ak, const QByteArray& nonce, const TpmReceiverPtr& rx,
               std::function<void(BytesResult)> done);

private:
    explicit TpmDevice(QString tcti);
    void post(std::function<void()> job);

    QString m_tcti;
    QThread* m_thread = nullptr;
    TpmWorker* m_worker = nullptr; // lives on m_thread
    std::atomic<int> m_generation{0};
};

} // namespace nexustray::attestation::tpm
