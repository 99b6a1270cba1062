#include "TpmDevice.h"

#include "Tss2Library.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QHash>
#include <QMetaObject>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unistd.h>

namespace nexustray::attestation::tpm {

namespace {

constexpr TPM2_HANDLE kEkCertIndex = 0x01C00002;
constexpr TPM2_HANDLE kEkPersistent = 0x81010001;

TpmError decodedTssError(const Tss2Library& tss, TSS2_RC rc, const char* what) {
    TpmError e;
    e.rc = rc;
    e.message =
        QStringLiteral("%1: %2").arg(QLatin1String(what), QLatin1String(tss.Tss2_RC_Decode(rc)));
    const TSS2_RC base = rc & ~TSS2_RC_LAYER_MASK;
    e.retryable = base == TPM2_RC_RETRY || base == TPM2_RC_YIELDED || base == TPM2_RC_TESTING;
    // A broken connection, or a TPM that no longer holds our transient objects (it restarted
    // behind a reconnecting TCTI: "references a transient object or session that is not loaded").
    e.connectionLost = (rc & TSS2_RC_LAYER_MASK) == TSS2_TCTI_RC_LAYER ||
                       (base >= TPM2_RC_REFERENCE_H0 && base <= TPM2_RC_REFERENCE_S6);
    // Format-one codes carry the failing handle/parameter in bits 6 and 8-11: compare the rest.
    const TSS2_RC code = (base & TPM2_RC_FMT1) ? (base & 0xBF) : base;
    if (code == (TPM2_RC_BAD_AUTH & 0xBF) || code == (TPM2_RC_AUTH_FAIL & 0xBF)) {
        e.message += QStringLiteral(" (this TPM's owner or endorsement hierarchy has a password: "
                                    "give it with attestation.tpm.ownerPasswordFile / "
                                    "endorsementPasswordFile)");
    }
    return e;
}

// Runs one TPM operation, repeating it after a short pause while the TPM answers with a warning
// that asks for exactly that (TPM2_RC_RETRY, YIELDED, TESTING; §4). On the TPM's own worker
// thread, so the pause delays only later TPM calls, which would have to wait anyway.
template <typename Operation> auto withRetry(Operation operation) {
    auto result = operation();
    for (int pauseMs = 20; result.error.retryable && pauseMs <= 320; pauseMs *= 2) {
        QThread::msleep(pauseMs);
        result = operation();
    }
    return result;
}

TpmError plainError(const QString& text) {
    TpmError e;
    e.message = text;
    return e;
}

// RSA storage/EK/AK templates of §3.1-§3.3 share everything but attributes, policy and scheme.
TPM2B_PUBLIC rsaTemplate(TPMA_OBJECT attributes) {
    TPM2B_PUBLIC t{};
    TPMT_PUBLIC& p = t.publicArea;
    p.type = TPM2_ALG_RSA;
    p.nameAlg = TPM2_ALG_SHA256;
    p.objectAttributes = attributes;
    p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
    p.parameters.rsaDetail.symmetric.keyBits.aes = 128;
    p.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.rsaDetail.keyBits = 2048;
    p.parameters.rsaDetail.exponent = 0;
    return t;
}

TPM2B_PUBLIC srkTemplate() {
    return rsaTemplate(0x00030472);
}

TPM2B_PUBLIC ekTemplate() {
    static const unsigned char policy[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8,
                                             0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
                                             0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64,
                                             0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA};
    TPM2B_PUBLIC t = rsaTemplate(0x000300B2);
    t.publicArea.authPolicy.size = sizeof policy;
    std::memcpy(t.publicArea.authPolicy.buffer, policy, sizeof policy);
    t.publicArea.unique.rsa.size = 256; // 256 zero bytes, else the key differs from the certificate
    return t;
}

TPM2B_PUBLIC akTemplate() {
    TPM2B_PUBLIC t = rsaTemplate(0x00050472);
    t.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    t.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
    t.publicArea.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    return t;
}

// DER helpers for the EK's SubjectPublicKeyInfo (rsaEncryption, NULL parameters).
QByteArray derLength(int n) {
    QByteArray out;
    if (n < 0x80) {
        out.append(char(n));
    } else if (n < 0x100) {
        out.append(char(0x81)).append(char(n));
    } else {
        out.append(char(0x82)).append(char(n >> 8)).append(char(n & 0xff));
    }
    return out;
}

QByteArray derTlv(char tag, const QByteArray& content) {
    return QByteArray(1, tag) + derLength(int(content.size())) + content;
}

QByteArray derUnsigned(QByteArray bytes) {
    while (bytes.size() > 1 && bytes.at(0) == 0) {
        bytes.remove(0, 1);
    }
    if (!bytes.isEmpty() && (quint8(bytes.at(0)) & 0x80)) {
        bytes.prepend('\0');
    }
    return derTlv(0x02, bytes);
}

QByteArray rsaSpki(const TPM2B_PUBLIC_KEY_RSA& modulus, quint32 exponent) {
    const quint32 e = exponent == 0 ? 65537 : exponent;
    QByteArray eBytes;
    eBytes.append(char(e >> 24)).append(char((e >> 16) & 0xff));
    eBytes.append(char((e >> 8) & 0xff)).append(char(e & 0xff));
    const QByteArray rsaKey = derTlv(
        0x30, derUnsigned(QByteArray(reinterpret_cast<const char*>(modulus.buffer), modulus.size)) +
                  derUnsigned(eBytes));
    static const QByteArray algorithm =
        QByteArray::fromHex("300d06092a864886f70d0101010500"); // rsaEncryption, NULL
    return derTlv(0x30, algorithm + derTlv(0x03, QByteArray(1, '\0') + rsaKey));
}

void routeTssLogging() {
    // libtss2 logs to stderr by default; the variable is read at its first log call (§6).
    static std::once_flag once;
    std::call_once(once, [] {
        if (qEnvironmentVariableIsEmpty("TSS2_LOG")) {
            qputenv("TSS2_LOG", "all+none");
        }
    });
}

} // namespace

void TpmReceiver::detach() {
    QMutexLocker lock(&m_mutex);
    m_context = nullptr;
}

void TpmReceiver::deliver(std::function<void()> fn) {
    // Posting under the lock: the owner's destructor waits here, and Qt drops events that were
    // posted to an object before it is destroyed.
    QMutexLocker lock(&m_mutex);
    if (m_context) {
        QMetaObject::invokeMethod(m_context, std::move(fn), Qt::QueuedConnection);
    }
}

// Owns the ESYS context; every member runs on the device's worker thread.
class TpmWorker : public QObject {
public:
    ~TpmWorker() override { close(); }

    bool isOpen() const { return m_ctx != nullptr; }

    TpmError open(const QString& tcti) {
        if (m_ctx) {
            return {};
        }
        // tpm2-tss is loaded here, by the first TPM opened in the process (issue 10).
        m_tss = &Tss2Library::instance();
        if (!m_tss->ok()) {
            return plainError(m_tss->error());
        }
        if (tcti.startsWith(QLatin1String("device:"))) {
            const QByteArray path = tcti.mid(7).toLocal8Bit();
            if (::access(path.constData(), R_OK | W_OK) != 0) {
                const int err = errno;
                QString text = QStringLiteral("TPM device %1 is not accessible: %2")
                                   .arg(QString::fromLocal8Bit(path),
                                        QString::fromLocal8Bit(std::strerror(err)));
                if (err == EACCES) {
                    text += QStringLiteral(" (add the user to group 'tss' and log in again)");
                }
                TpmError error = plainError(text);
                error.notAccessible = true;
                return error;
            }
        }
        TSS2_RC rc = m_tss->Tss2_TctiLdr_Initialize(tcti.toUtf8().constData(), &m_tcti);
        if (rc != TSS2_RC_SUCCESS) {
            m_tcti = nullptr;
            return tssError(rc, "TCTI initialisation");
        }
        rc = m_tss->Esys_Initialize(&m_ctx, m_tcti, nullptr);
        if (rc != TSS2_RC_SUCCESS) {
            m_ctx = nullptr;
            close();
            return tssError(rc, "ESYS initialisation");
        }
        rc = m_tss->Esys_Startup(m_ctx, TPM2_SU_CLEAR);
        if (rc != TSS2_RC_SUCCESS && (rc & ~TSS2_RC_LAYER_MASK) != TPM2_RC_INITIALIZE) {
            const TpmError e = tssError(rc, "TPM2_Startup");
            close();
            return e;
        }
        return {};
    }

    // After a broken connection nothing of this context is usable: the next open() starts over.
    void closeIfLost(const TpmError& error) {
        if (error.connectionLost)
            close();
    }

    void close() {
        if (m_ctx) {
            m_tss->Esys_Finalize(&m_ctx);
            m_ctx = nullptr;
        }
        if (m_tcti) {
            m_tss->Tss2_TctiLdr_Finalize(&m_tcti);
            m_tcti = nullptr;
        }
    }

    // Hierarchy passwords (§4; empty = none), given to ESYS before every use of the owner or
    // endorsement hierarchy.
    void setHierarchyAuth(const QByteArray& owner, const QByteArray& endorsement) {
        m_ownerAuth = owner;
        m_endorsementAuth = endorsement;
    }

    void applyHierarchyAuth() {
        const auto set = [this](ESYS_TR hierarchy, const QByteArray& value) {
            TPM2B_AUTH auth{};
            auth.size = quint16(qMin<qsizetype>(value.size(), sizeof(auth.buffer)));
            std::memcpy(auth.buffer, value.constData(), auth.size);
            m_tss->Esys_TR_SetAuth(m_ctx, hierarchy, &auth);
        };
        set(ESYS_TR_RH_OWNER, m_ownerAuth);
        set(ESYS_TR_RH_ENDORSEMENT, m_endorsementAuth);
    }

    AkResult loadAk(const AkBlobs& saved) {
        AkResult r;
        if (!m_ctx) {
            r.error = plainError(QStringLiteral("TPM not open"));
            return r;
        }
        applyHierarchyAuth();
        TPM2B_SENSITIVE_CREATE sensitive{};
        TPM2B_DATA outside{};
        TPML_PCR_SELECTION pcrs{};
        const TPM2B_PUBLIC srkTmpl = srkTemplate();
        ESYS_TR srk = ESYS_TR_NONE;
        TSS2_RC rc = m_tss->Esys_CreatePrimary(
            m_ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive,
            &srkTmpl, &outside, &pcrs, &srk, nullptr, nullptr, nullptr, nullptr);
        if (rc != TSS2_RC_SUCCESS) {
            r.error = tssError(rc, "creating the SRK");
            return r;
        }
        TPM2B_PUBLIC pub{};
        TPM2B_PRIVATE priv{};
        if (saved.isEmpty()) {
            const TPM2B_PUBLIC akTmpl = akTemplate();
            TPM2B_PRIVATE* outPriv = nullptr;
            TPM2B_PUBLIC* outPub = nullptr;
            rc = m_tss->Esys_Create(m_ctx, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                    &sensitive, &akTmpl, &outside, &pcrs, &outPriv, &outPub,
                                    nullptr, nullptr, nullptr);
            if (rc != TSS2_RC_SUCCESS) {
                m_tss->Esys_FlushContext(m_ctx, srk);
                r.error = tssError(rc, "creating the AK");
                return r;
            }
            pub = *outPub;
            priv = *outPriv;
            m_tss->Esys_Free(outPriv);
            m_tss->Esys_Free(outPub);
            uint8_t buf[sizeof(TPMT_PUBLIC)];
            size_t off = 0;
            rc = m_tss->Tss2_MU_TPMT_PUBLIC_Marshal(&pub.publicArea, buf, sizeof buf, &off);
            if (rc != TSS2_RC_SUCCESS) {
                m_tss->Esys_FlushContext(m_ctx, srk);
                r.error = tssError(rc, "marshalling the AK public area");
                return r;
            }
            r.blobs.pub = QByteArray(reinterpret_cast<const char*>(buf), qsizetype(off));
            r.blobs.priv = QByteArray(reinterpret_cast<const char*>(priv.buffer), priv.size);
            r.created = true;
        } else {
            size_t off = 0;
            rc = m_tss->Tss2_MU_TPMT_PUBLIC_Unmarshal(
                reinterpret_cast<const uint8_t*>(saved.pub.constData()), size_t(saved.pub.size()),
                &off, &pub.publicArea);
            if (rc != TSS2_RC_SUCCESS || off != size_t(saved.pub.size()) ||
                size_t(saved.priv.size()) > sizeof priv.buffer) {
                m_tss->Esys_FlushContext(m_ctx, srk);
                r.error = plainError(QStringLiteral("the saved AK blobs are malformed"));
                return r;
            }
            priv.size = quint16(saved.priv.size());
            std::memcpy(priv.buffer, saved.priv.constData(), size_t(saved.priv.size()));
            r.blobs = saved;
        }
        ESYS_TR ak = ESYS_TR_NONE;
        rc = m_tss->Esys_Load(m_ctx, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub,
                              &ak);
        m_tss->Esys_FlushContext(m_ctx, srk);
        if (rc != TSS2_RC_SUCCESS) {
            r.error = tssError(rc, "loading the AK");
            return r;
        }
        r.handle = ak;
        return r;
    }

    void flush(quint32 handle) {
        if (m_ctx && handle != ESYS_TR_NONE) {
            m_tss->Esys_FlushContext(m_ctx, handle);
        }
    }

    bool handleExists(TPM2_CAP cap, TPM2_HANDLE first, TPM2_HANDLE wanted, TpmError* error) {
        TPMS_CAPABILITY_DATA* data = nullptr;
        const TSS2_RC rc =
            m_tss->Esys_GetCapability(m_ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, cap, first,
                                      TPM2_MAX_CAP_HANDLES, nullptr, &data);
        if (rc != TSS2_RC_SUCCESS) {
            *error = tssError(rc, "TPM2_GetCapability(handles)");
            return false;
        }
        bool found = false;
        for (quint32 i = 0; i < data->data.handles.count; ++i) {
            found = found || data->data.handles.handle[i] == wanted;
        }
        m_tss->Esys_Free(data);
        return found;
    }

    TpmError readEkCertificate(QByteArray* der) {
        TpmError error;
        if (!handleExists(TPM2_CAP_HANDLES, TPM2_HR_NV_INDEX, kEkCertIndex, &error)) {
            return error;
        }
        ESYS_TR nv = ESYS_TR_NONE;
        TSS2_RC rc = m_tss->Esys_TR_FromTPMPublic(m_ctx, kEkCertIndex, ESYS_TR_NONE, ESYS_TR_NONE,
                                                  ESYS_TR_NONE, &nv);
        if (rc != TSS2_RC_SUCCESS) {
            return tssError(rc, "opening the EK certificate index");
        }
        TPM2B_NV_PUBLIC* nvPub = nullptr;
        rc = m_tss->Esys_NV_ReadPublic(m_ctx, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nvPub,
                                       nullptr);
        quint32 chunk = 512;
        TPMS_CAPABILITY_DATA* props = nullptr;
        if (rc == TSS2_RC_SUCCESS &&
            m_tss->Esys_GetCapability(m_ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                      TPM2_CAP_TPM_PROPERTIES, TPM2_PT_NV_BUFFER_MAX, 1, nullptr,
                                      &props) == TSS2_RC_SUCCESS) {
            if (props->data.tpmProperties.count == 1 &&
                props->data.tpmProperties.tpmProperty[0].property == TPM2_PT_NV_BUFFER_MAX) {
                chunk = props->data.tpmProperties.tpmProperty[0].value;
            }
            m_tss->Esys_Free(props);
        }
        if (rc == TSS2_RC_SUCCESS) {
            const quint32 size = nvPub->nvPublic.dataSize;
            m_tss->Esys_Free(nvPub);
            for (quint32 offset = 0; offset < size && rc == TSS2_RC_SUCCESS;) {
                TPM2B_MAX_NV_BUFFER* data = nullptr;
                const quint16 n = quint16(qMin(chunk, size - offset));
                rc = m_tss->Esys_NV_Read(m_ctx, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
                                         ESYS_TR_NONE, ESYS_TR_NONE, n, quint16(offset), &data);
                if (rc == TSS2_RC_SUCCESS) {
                    der->append(reinterpret_cast<const char*>(data->buffer), data->size);
                    offset += data->size;
                    m_tss->Esys_Free(data);
                }
            }
        }
        m_tss->Esys_TR_Close(m_ctx, &nv);
        if (rc != TSS2_RC_SUCCESS) {
            der->clear();
            return tssError(rc, "reading the EK certificate");
        }
        return {};
    }

    // The EK as an ESYS handle: the persistent one or a transient primary (template L-1).
    TpmError acquireEk(ESYS_TR* ek, bool* transient, TPM2B_PUBLIC** pub) {
        TpmError error;
        const bool persistent =
            handleExists(TPM2_CAP_HANDLES, TPM2_PERSISTENT_FIRST, kEkPersistent, &error);
        if (!error.ok()) {
            return error;
        }
        TSS2_RC rc;
        if (persistent) {
            *transient = false;
            rc = m_tss->Esys_TR_FromTPMPublic(m_ctx, kEkPersistent, ESYS_TR_NONE, ESYS_TR_NONE,
                                              ESYS_TR_NONE, ek);
            if (rc != TSS2_RC_SUCCESS) {
                return tssError(rc, "opening the persistent EK");
            }
            if (pub) {
                rc = m_tss->Esys_ReadPublic(m_ctx, *ek, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                            pub, nullptr, nullptr);
                if (rc != TSS2_RC_SUCCESS) {
                    m_tss->Esys_TR_Close(m_ctx, ek);
                    return tssError(rc, "reading the EK public key");
                }
            }
            return {};
        }
        *transient = true;
        TPM2B_SENSITIVE_CREATE sensitive{};
        TPM2B_DATA outside{};
        TPML_PCR_SELECTION pcrs{};
        const TPM2B_PUBLIC tmpl = ekTemplate();
        rc = m_tss->Esys_CreatePrimary(m_ctx, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD,
                                       ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &tmpl, &outside,
                                       &pcrs, ek, pub, nullptr, nullptr, nullptr);
        return rc == TSS2_RC_SUCCESS ? TpmError{} : tssError(rc, "creating the EK");
    }

    void releaseEk(ESYS_TR* ek, bool transient) {
        if (transient) {
            m_tss->Esys_FlushContext(m_ctx, *ek);
        } else {
            m_tss->Esys_TR_Close(m_ctx, ek);
        }
        *ek = ESYS_TR_NONE;
    }

    EkResult readEk() {
        EkResult r;
        if (!m_ctx) {
            r.error = plainError(QStringLiteral("TPM not open"));
            return r;
        }
        applyHierarchyAuth();
        r.error = readEkCertificate(&r.certDer);
        if (!r.error.ok()) {
            return r;
        }
        ESYS_TR ek = ESYS_TR_NONE;
        bool transient = false;
        TPM2B_PUBLIC* pub = nullptr;
        r.error = acquireEk(&ek, &transient, &pub);
        if (!r.error.ok()) {
            return r;
        }
        releaseEk(&ek, transient);
        if (pub->publicArea.type != TPM2_ALG_RSA) {
            r.error = plainError(QStringLiteral("the EK is not an RSA key"));
        } else {
            r.pubDer =
                rsaSpki(pub->publicArea.unique.rsa, pub->publicArea.parameters.rsaDetail.exponent);
            r.fingerprintHex = QString::fromLatin1(
                QCryptographicHash::hash(r.pubDer, QCryptographicHash::Sha256).toHex());
        }
        m_tss->Esys_Free(pub);
        return r;
    }

    BytesResult activate(quint32 ak, const QByteArray& enc) {
        BytesResult r;
        if (!m_ctx) {
            r.error = plainError(QStringLiteral("TPM not open"));
            return r;
        }
        applyHierarchyAuth();
        // §3.4: u16 L || TPM2B_ID_OBJECT (L bytes) || TPM2B_ENCRYPTED_SECRET (the rest).
        TPM2B_ID_OBJECT credBlob{};
        TPM2B_ENCRYPTED_SECRET secret{};
        const auto* bytes = reinterpret_cast<const uint8_t*>(enc.constData());
        const size_t total = size_t(enc.size());
        const size_t len = total >= 2 ? (size_t(bytes[0]) << 8 | bytes[1]) : 0;
        size_t off1 = 0;
        size_t off2 = 0;
        if (total < 2 + len ||
            m_tss->Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(bytes + 2, len, &off1, &credBlob) !=
                TSS2_RC_SUCCESS ||
            off1 != len ||
            m_tss->Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(bytes + 2 + len, total - 2 - len, &off2,
                                                            &secret) != TSS2_RC_SUCCESS ||
            off2 != total - 2 - len) {
            r.error = plainError(QStringLiteral("malformed enc_credential from namek"));
            return r;
        }
        ESYS_TR ek = ESYS_TR_NONE;
        bool transient = false;
        r.error = acquireEk(&ek, &transient, nullptr);
        if (!r.error.ok()) {
            return r;
        }
        TPMT_SYM_DEF symmetric{};
        symmetric.algorithm = TPM2_ALG_NULL;
        ESYS_TR session = ESYS_TR_NONE;
        TSS2_RC rc = m_tss->Esys_StartAuthSession(
            m_ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
            TPM2_SE_POLICY, &symmetric, TPM2_ALG_SHA256, &session);
        if (rc != TSS2_RC_SUCCESS) {
            releaseEk(&ek, transient);
            r.error = tssError(rc, "starting the EK policy session");
            return r;
        }
        rc = m_tss->Esys_PolicySecret(m_ctx, ESYS_TR_RH_ENDORSEMENT, session, ESYS_TR_PASSWORD,
                                      ESYS_TR_NONE, ESYS_TR_NONE, nullptr, nullptr, nullptr, 0,
                                      nullptr, nullptr);
        TPM2B_DIGEST* certInfo = nullptr;
        if (rc == TSS2_RC_SUCCESS) {
            rc = m_tss->Esys_ActivateCredential(m_ctx, ak, ek, ESYS_TR_PASSWORD, session,
                                                ESYS_TR_NONE, &credBlob, &secret, &certInfo);
            if (rc != TSS2_RC_SUCCESS) {
                r.error = tssError(rc, "TPM2_ActivateCredential");
            }
        } else {
            r.error = tssError(rc, "TPM2_PolicySecret");
        }
        m_tss->Esys_FlushContext(m_ctx, session); // may already be closed by the TPM: ignore errors
        releaseEk(&ek, transient);
        if (certInfo) {
            r.data = QByteArray(reinterpret_cast<const char*>(certInfo->buffer), certInfo->size);
            m_tss->Esys_Free(certInfo);
        }
        return r;
    }

    BytesResult quote(quint32 ak, const QByteArray& nonce) {
        BytesResult r;
        if (!m_ctx) {
            r.error = plainError(QStringLiteral("TPM not open"));
            return r;
        }
        TPM2B_DATA qualifying{};
        if (size_t(nonce.size()) > sizeof qualifying.buffer) {
            r.error = plainError(QStringLiteral("nonce too long"));
            return r;
        }
        qualifying.size = quint16(nonce.size());
        std::memcpy(qualifying.buffer, nonce.constData(), size_t(nonce.size()));
        TPMT_SIG_SCHEME scheme{};
        scheme.scheme = TPM2_ALG_NULL;
        TPML_PCR_SELECTION pcrs{}; // exactly one SHA-256 selection with no PCR (§3.5)
        pcrs.count = 1;
        pcrs.pcrSelections[0].hash = TPM2_ALG_SHA256;
        pcrs.pcrSelections[0].sizeofSelect = 3;
        TPM2B_ATTEST* attest = nullptr;
        TPMT_SIGNATURE* signature = nullptr;
        const TSS2_RC rc =
            m_tss->Esys_Quote(m_ctx, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qualifying,
                              &scheme, &pcrs, &attest, &signature);
        if (rc != TSS2_RC_SUCCESS) {
            r.error = tssError(rc, "TPM2_Quote");
            return r;
        }
        uint8_t sigBuf[sizeof(TPMT_SIGNATURE)];
        size_t sigLen = 0;
        const TSS2_RC mrc =
            m_tss->Tss2_MU_TPMT_SIGNATURE_Marshal(signature, sigBuf, sizeof sigBuf, &sigLen);
        if (mrc == TSS2_RC_SUCCESS) {
            const quint32 n = attest->size;
            r.data.append(char(n >> 24)).append(char((n >> 16) & 0xff));
            r.data.append(char((n >> 8) & 0xff)).append(char(n & 0xff));
            r.data.append(reinterpret_cast<const char*>(attest->attestationData), attest->size);
            r.data.append(reinterpret_cast<const char*>(sigBuf), qsizetype(sigLen));
        } else {
            r.error = tssError(mrc, "marshalling the quote signature");
        }
        m_tss->Esys_Free(attest);
        m_tss->Esys_Free(signature);
        return r;
    }

private:
    TpmError tssError(TSS2_RC rc, const char* what) const {
        return decodedTssError(*m_tss, rc, what);
    }

    const Tss2Library* m_tss = nullptr; // set by open(); every other call needs an open context
    TSS2_TCTI_CONTEXT* m_tcti = nullptr;
    ESYS_CONTEXT* m_ctx = nullptr;
    QByteArray m_ownerAuth;
    QByteArray m_endorsementAuth;
};

std::shared_ptr<TpmDevice> TpmDevice::shared(const QString& tcti) {
    routeTssLogging();
    static QMutex mutex;
    static QHash<QString, std::weak_ptr<TpmDevice>> devices;
    QMutexLocker lock(&mutex);
    std::shared_ptr<TpmDevice> device = devices.value(tcti).lock();
    if (!device) {
        device.reset(new TpmDevice(tcti));
        devices.insert(tcti, device);
    }
    return device;
}

TpmDevice::TpmDevice(QString tcti)
    : m_tcti(std::move(tcti))
    , m_thread(new QThread)
    , m_worker(new TpmWorker) {
    m_thread->setObjectName(QStringLiteral("tpm"));
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

TpmDevice::~TpmDevice() {
    // Finalise ESYS on the worker after every queued job (FIFO), then stop the thread.
    TpmWorker* worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

void TpmDevice::post(std::function<void()> job) {
    QMetaObject::invokeMethod(m_worker, std::move(job), Qt::QueuedConnection);
}

void TpmDevice::open(const TpmReceiverPtr& rx, std::function<void(TpmError)> done) {
    TpmWorker* w = m_worker;
    const QString tcti = m_tcti;
    std::atomic<int>* generation = &m_generation;
    post([w, tcti, rx, done, generation] {
        const bool wasOpen = w->isOpen();
        const TpmError e = w->open(tcti);
        if (e.ok() && !wasOpen)
            ++*generation;
        rx->deliver([done, e] { done(e); });
    });
}

void TpmDevice::loadAk(const AkBlobs& saved, const TpmReceiverPtr& rx,
                       std::function<void(AkResult)> done) {
    TpmWorker* w = m_worker;
    post([w, saved, rx, done] {
        const AkResult r = withRetry([w, &saved] { return w->loadAk(saved); });
        w->closeIfLost(r.error);
        rx->deliver([done, r] { done(r); });
    });
}

void TpmDevice::setHierarchyAuth(const QByteArray& owner, const QByteArray& endorsement) {
    TpmWorker* w = m_worker;
    post([w, owner, endorsement] { w->setHierarchyAuth(owner, endorsement); });
}

void TpmDevice::flushAk(quint32 handle) {
    TpmWorker* w = m_worker;
    post([w, handle] { w->flush(handle); });
}

void TpmDevice::readEk(const TpmReceiverPtr& rx, std::function<void(EkResult)> done) {
    TpmWorker* w = m_worker;
    post([w, rx, done] {
        const EkResult r = withRetry([w] { return w->readEk(); });
        w->closeIfLost(r.error);
        rx->deliver([done, r] { done(r); });
    });
}

void TpmDevice::activateCredential(quint32 ak, const QByteArray& encCredential,
                                   const TpmReceiverPtr& rx,
                                   std::function<void(BytesResult)> done) {
    TpmWorker* w = m_worker;
    post([w, ak, encCredential, rx, done] {
        const BytesResult r =
            withRetry([w, ak, &encCredential] { return w->activate(ak, encCredential); });
        w->closeIfLost(r.error);
        rx->deliver([done, r] { done(r); });
    });
}

void TpmDevice::quote(quint32 ak, const QByteArray& nonce, const TpmReceiverPtr& rx,
                      std::function<void(BytesResult)> done) {
    TpmWorker* w = m_worker;
    post([w, ak, nonce, rx, done] {
        const BytesResult r = withRetry([w, ak, &nonce] { return w->quote(ak, nonce); });
        w->closeIfLost(r.error);
        rx->deliver([done, r] { done(r); });
    });
}

} // namespace nexustray::attestation::tpm
