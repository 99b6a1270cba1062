// A software TPM for tests (tpm-namek.md §7): `swtpm socket` on a short Unix socket path, started
// as a QProcess and ready once a TCTI connect + GetRandom succeeds. Kind::WithEkCert copies a state
// manufactured once per test run by swtpm_setup with a private local CA (persistent RSA EK
// 0x81010001 and its certificate at 0x01C00002); Kind::Bare starts from an empty state: a TPM
// without EK certificate (the ek_pub path) whose seeds differ from every other instance.
#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace nexustray::test {

class SwtpmLauncher {
public:
    enum class Kind { WithEkCert, Bare };
    explicit SwtpmLauncher(Kind kind = Kind::WithEkCert);
    ~SwtpmLauncher();
    SwtpmLauncher(const SwtpmLauncher&) = delete;
    SwtpmLauncher& operator=(const SwtpmLauncher&) = delete;

    // Starts swtpm (the state directory is prepared on the first start and kept across restarts)
    // and waits up to `timeoutMs` until it answers. Returns false with *error on failure.
    bool start(QString* error, int timeoutMs = 15000);
    void stop();

    // Removes the persistent EK 0x81010001 (the certificate stays in NV): a TPM on which the client
    // must recreate the EK from template L-1 to match the certificate (§3.1).
    bool evictPersistentEk(QString* error);

    // Sets the owner and endorsement hierarchy passwords (TPM2_HierarchyChangeAuth; the current
    // ones must be empty), as an administrator or OS provisioning may have done (§4).
    bool setHierarchyPasswords(const QByteArray& owner, const QByteArray& endorsement,
                               QString* error);

    QString tcti() const; // "swtpm:path=<dir>/tpm.sock"
    QString stateDir() const { return m_dir ? m_dir->path() : QString(); }

    // The directory of the state manufactured once per process (empty + *error on failure).
    static QString manufacturedState(QString* error);

private:
    Kind m_kind;
    std::unique_ptr<QTemporaryDir> m_dir;
    bool m_prepared = false;
    QProcess m_process;
};

} // namespace nexustray::test
