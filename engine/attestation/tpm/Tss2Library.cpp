#include "Tss2Library.h"

#include <dlfcn.h>

namespace nexustray::attestation::tpm {

namespace {

// The Debian packages of the default sonames (also the nexus-tray package's Recommends).
const auto kInstallHint = QLatin1String("install libtss2-esys-3.0.2-0, libtss2-mu0, "
                                        "libtss2-tctildr0 and libtss2-rc0 (tpm2-tss)");

QString dlError() {
    const char* reason = ::dlerror();
    return reason ? QString::fromLocal8Bit(reason) : QStringLiteral("unknown reason");
}

} // namespace

const Tss2Library& Tss2Library::instance() {
    // Never destroyed: a TPM worker thread may still call through it while the process exits.
    static const Tss2Library* const library = new Tss2Library(Sonames{});
    return *library;
}

Tss2Library::Tss2Library(const Sonames& sonames) {
#define NEXUS_TSS2_RESOLVE(name) resolve(handle, soname, #name, &name);
    if (const char* soname = sonames.esys; void* handle = open(soname)) {
        NEXUS_TSS2_ESYS_FUNCTIONS(NEXUS_TSS2_RESOLVE)
    }
    if (const char* soname = sonames.mu; void* handle = open(soname)) {
        NEXUS_TSS2_MU_FUNCTIONS(NEXUS_TSS2_RESOLVE)
    }
    if (const char* soname = sonames.tctildr; void* handle = open(soname)) {
        NEXUS_TSS2_TCTILDR_FUNCTIONS(NEXUS_TSS2_RESOLVE)
    }
    if (const char* soname = sonames.rc; void* handle = open(soname)) {
        NEXUS_TSS2_RC_FUNCTIONS(NEXUS_TSS2_RESOLVE)
    }
#undef NEXUS_TSS2_RESOLVE
}

Tss2Library::~Tss2Library() {
    while (m_opened > 0) {
        ::dlclose(m_handles[--m_opened]);
    }
}

// The library's handle, or nullptr once anything failed (the first failure is the one reported).
void* Tss2Library::open(const char* soname) {
    if (!ok()) {
        return nullptr;
    }
    void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        m_error = QStringLiteral("tpm2-tss is not installed: %1; %2").arg(dlError(), kInstallHint);
        return nullptr;
    }
    m_handles[m_opened++] = handle;
    return handle;
}

template <typename Pointer>
void Tss2Library::resolve(void* handle, const char* soname, const char* name, Pointer* pointer) {
    if (!ok()) {
        return;
    }
    // POSIX guarantees that a function's address survives the trip through void*.
    *pointer = reinterpret_cast<Pointer>(::dlsym(handle, name));
    if (!*pointer) {
        m_error = QStringLiteral("tpm2-tss is too old or broken: %1 has no %2 (%3); %4")
                      .arg(QLatin1String(soname), QLatin1String(name), dlError(), kInstallHint);
    }
}

} // namespace nexustray::attestation::tpm
