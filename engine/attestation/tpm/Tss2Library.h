// tpm2-tss loaded on first use (issue 10): the engine does not link libtss2-*, whose mapping and
// relocation would cost every process ~0.5 MB of RSS even when no backend uses attestation.tpm.
// Tss2Library dlopen()s the ESAPI, marshalling, TCTI loader and RC decoder libraries and resolves
// the functions the TPM code calls into typed pointers named like the functions themselves
// (`lib.Esys_Quote(...)`); the tss2 headers give only the declarations.
#pragma once

#include <QString>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

// Every function called through Tss2Library, by library. The last three Esys_ ones serve the test
// TPM's provisioning (tests/support/SwtpmLauncher), which must not link tpm2-tss either.
#define NEXUS_TSS2_ESYS_FUNCTIONS(F)                                                               \
    F(Esys_Initialize)                                                                             \
    F(Esys_Finalize)                                                                               \
    F(Esys_Free)                                                                                   \
    F(Esys_Startup)                                                                                \
    F(Esys_TR_SetAuth)                                                                             \
    F(Esys_TR_FromTPMPublic)                                                                       \
    F(Esys_TR_Close)                                                                               \
    F(Esys_CreatePrimary)                                                                          \
    F(Esys_Create)                                                                                 \
    F(Esys_Load)                                                                                   \
    F(Esys_FlushContext)                                                                           \
    F(Esys_GetCapability)                                                                          \
    F(Esys_NV_ReadPublic)                                                                          \
    F(Esys_NV_Read)                                                                                \
    F(Esys_ReadPublic)                                                                             \
    F(Esys_StartAuthSession)                                                                       \
    F(Esys_PolicySecret)                                                                           \
    F(Esys_ActivateCredential)                                                                     \
    F(Esys_Quote)                                                                                  \
    F(Esys_GetRandom)                                                                              \
    F(Esys_EvictControl)                                                                           \
    F(Esys_HierarchyChangeAuth)
#define NEXUS_TSS2_MU_FUNCTIONS(F)                                                                 \
    F(Tss2_MU_TPMT_PUBLIC_Marshal)                                                                 \
    F(Tss2_MU_TPMT_PUBLIC_Unmarshal)                                                               \
    F(Tss2_MU_TPMT_SIGNATURE_Marshal)                                                              \
    F(Tss2_MU_TPM2B_ID_OBJECT_Unmarshal)                                                           \
    F(Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal)
#define NEXUS_TSS2_TCTILDR_FUNCTIONS(F)                                                            \
    F(Tss2_TctiLdr_Initialize)                                                                     \
    F(Tss2_TctiLdr_Finalize)
#define NEXUS_TSS2_RC_FUNCTIONS(F) F(Tss2_RC_Decode)

namespace nexustray::attestation::tpm {

class Tss2Library {
public:
    // The shared objects to load, by their sonames.
    struct Sonames {
        const char* esys = "libtss2-esys.so.0";
        const char* mu = "libtss2-mu.so.0";
        const char* tctildr = "libtss2-tctildr.so.0";
        const char* rc = "libtss2-rc.so.0";
    };

    // The process's instance, loaded from the default sonames by the first call (thread-safe);
    // it stays loaded for the rest of the process. Check ok() before calling through it.
    static const Tss2Library& instance();

    // Loads from `sonames` (tests name a missing one to see the failure).
    explicit Tss2Library(const Sonames& sonames);
    ~Tss2Library();
    Tss2Library(const Tss2Library&) = delete;
    Tss2Library& operator=(const Tss2Library&) = delete;

    bool ok() const { return m_error.isEmpty(); }
    // Why loading failed, naming the library and the dynamic loader's reason, with the packages
    // to install; empty when ok().
    QString error() const { return m_error; }

#define NEXUS_TSS2_POINTER(name) decltype(&::name) name = nullptr;
    NEXUS_TSS2_ESYS_FUNCTIONS(NEXUS_TSS2_POINTER)
    NEXUS_TSS2_MU_FUNCTIONS(NEXUS_TSS2_POINTER)
    NEXUS_TSS2_TCTILDR_FUNCTIONS(NEXUS_TSS2_POINTER)
    NEXUS_TSS2_RC_FUNCTIONS(NEXUS_TSS2_POINTER)
#undef NEXUS_TSS2_POINTER

private:
    void* open(const char* soname);
    template <typename Pointer>
    void resolve(void* handle, const char* soname, const char* name, Pointer* pointer);

    void* m_handles[4] = {};
    int m_opened = 0;
    QString m_error;
};

} // namespace nexustray::attestation::tpm
