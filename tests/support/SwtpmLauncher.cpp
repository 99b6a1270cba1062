#include "SwtpmLauncher.h"

#include "attestation/tpm/Tss2Library.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QThread>

#include <cstring>
#include <utility>

namespace nexustray::test {

namespace {

// tpm2-tss as the engine loads it on first use: the test binaries do not link it either (issue 10).
const attestation::tpm::Tss2Library& tss() {
    return attestation::tpm::Tss2Library::instance();
}

bool writeFile(const QString& path, const QByteArray& content) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

bool copyDir(const QString& from, const QString& to) {
    const QDir src(from);
    for (const QString& name : src.entryList(QDir::Files)) {
        if (!QFile::copy(src.filePath(name), QDir(to).filePath(name))) {
            return false;
        }
    }
    return true;
}

// One TCTI connect + GetRandom: the TPM is up and serving commands.
bool answers(const QString& tcti) {
    TSS2_TCTI_CONTEXT* t = nullptr;
    if (tss().Tss2_TctiLdr_Initialize(tcti.toUtf8().constData(), &t) != TSS2_RC_SUCCESS) {
        return false;
    }
    ESYS_CONTEXT* ctx = nullptr;
    bool ok = false;
    if (tss().Esys_Initialize(&ctx, t, nullptr) == TSS2_RC_SUCCESS) {
        TPM2B_DIGEST* random = nullptr;
        ok = tss().Esys_GetRandom(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 8, &random) ==
             TSS2_RC_SUCCESS;
        tss().Esys_Free(random);
        tss().Esys_Finalize(&ctx);
    }
    tss().Tss2_TctiLdr_Finalize(&t);
    return ok;
}

} // namespace

QString SwtpmLauncher::manufacturedState(QString* error) {
    static std::unique_ptr<QTemporaryDir> dir; // lives for the test run, removed at exit
    static QString failure;
    if (dir || !failure.isEmpty()) {
        *error = failure;
        return failure.isEmpty() ? dir->filePath(QStringLiteral("state")) : QString();
    }
    dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/stpm-m-XXXXXX"));
    const QString d = dir->path();
    const QString localca = QStandardPaths::findExecutable(QStringLiteral("swtpm_localca"));
    const QString setup = QStandardPaths::findExecutable(QStringLiteral("swtpm_setup"));
    QDir(d).mkpath(QStringLiteral("localca"));
    QDir(d).mkpath(QStringLiteral("state"));
    const QByteArray ca = (d + QStringLiteral("/localca/")).toUtf8();
    const bool written =
        writeFile(d + QStringLiteral("/swtpm-localca.conf"),
                  "statedir = " + ca + "\nsigningkey = " + ca + "signkey.pem\nissuercert = " + ca +
                      "issuercert.pem\ncertserial = " + ca + "certserial\n") &&
        writeFile(d + QStringLiteral("/swtpm-localca.options"),
                  "--platform-manufacturer swtpm\n--platform-version 2.1\n"
                  "--platform-model swtpm\n") &&
        writeFile(d + QStringLiteral("/swtpm_setup.conf"),
                  "create_certs_tool = " + localca.toUtf8() +
                      "\ncreate_certs_tool_config = " + d.toUtf8() +
                      "/swtpm-localca.conf\ncreate_certs_tool_options = " + d.toUtf8() +
                      "/swtpm-localca.options\n");
    if (setup.isEmpty() || localca.isEmpty() || !written) {
        failure = QStringLiteral("swtpm_setup/swtpm_localca not found (package swtpm-tools)");
    } else {
        QProcess p;
        p.start(setup, {QStringLiteral("--tpm2"), QStringLiteral("--tpmstate"),
                        d + QStringLiteral("/state"), QStringLiteral("--config"),
                        d + QStringLiteral("/swtpm_setup.conf"), QStringLiteral("--create-ek-cert"),
                        QStringLiteral("--logfile"), d + QStringLiteral("/setup.log")});
        if (!p.waitForFinished(120000) || p.exitCode() != 0) {
            failure = QStringLiteral("swtpm_setup failed: ") +
                      QString::fromLocal8Bit(p.readAllStandardError());
        }
    }
    *error = failure;
    return failure.isEmpty() ? d + QStringLiteral("/state") : QString();
}

SwtpmLauncher::SwtpmLauncher(Kind kind)
    : m_kind(kind) {
    // Keep libtss2's connection errors while polling out of the test output.
    if (qEnvironmentVariableIsEmpty("TSS2_LOG")) {
        qputenv("TSS2_LOG", "all+none");
    }
}

SwtpmLauncher::~SwtpmLauncher() {
    stop();
}

QString SwtpmLauncher::tcti() const {
    return QStringLiteral("swtpm:path=%1/tpm.sock").arg(stateDir());
}

bool SwtpmLauncher::start(QString* error, int timeoutMs) {
    if (!m_prepared) {
        m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/stpm-XXXXXX"));
        if (!m_dir->isValid()) {
            *error = QStringLiteral("no temporary directory");
            return false;
        }
        if (m_kind == Kind::WithEkCert) {
            const QString source = manufacturedState(error);
            if (source.isEmpty() || !copyDir(source, m_dir->path())) {
                *error = QStringLiteral("cannot copy the manufactured TPM state: ") + *error;
                return false;
            }
        }
        m_prepared = true;
    }
    if (!tss().ok()) {
        *error = tss().error();
        return false;
    }
    const QString sock = m_dir->filePath(QStringLiteral("tpm.sock"));
    QFile::remove(sock);
    QFile::remove(sock + QStringLiteral(".ctrl"));
    // swtpm reports every client disconnect on stderr: keep that in its own log file.
    m_process.setStandardOutputFile(QProcess::nullDevice());
    m_process.setStandardErrorFile(m_dir->filePath(QStringLiteral("swtpm.log")), QIODevice::Append);
    m_process.start(QStringLiteral("swtpm"),
                    {QStringLiteral("socket"), QStringLiteral("--tpm2"),
                     QStringLiteral("--tpmstate"), QStringLiteral("dir=") + m_dir->path(),
                     QStringLiteral("--server"), QStringLiteral("type=unixio,path=") + sock,
                     QStringLiteral("--ctrl"),
                     QStringLiteral("type=unixio,path=") + sock + QStringLiteral(".ctrl"),
                     QStringLiteral("--flags"), QStringLiteral("not-need-init,startup-clear")});
    if (!m_process.waitForStarted(timeoutMs)) {
        *error = QStringLiteral("swtpm did not start: ") + m_process.errorString();
        return false;
    }
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process.state() != QProcess::Running) {
            *error = QStringLiteral("swtpm exited with %1").arg(m_process.exitCode());
            return false;
        }
        if (QFile::exists(sock) && answers(tcti())) {
            return true;
        }
        QThread::msleep(20); // poll interval of the readiness condition
    }
    *error = QStringLiteral("swtpm did not answer in time");
    stop();
    return false;
}

namespace {

// Runs `operation` on a fresh ESYS context of this TPM (closed afterwards: swtpm serves one client
// at a time); returns its TSS2_RC, or the context's own failure.
template <typename Operation> TSS2_RC withEsys(const QString& tcti, Operation operation) {
    TSS2_TCTI_CONTEXT* t = nullptr;
    ESYS_CONTEXT* ctx = nullptr;
    TSS2_RC rc = tss().Tss2_TctiLdr_Initialize(tcti.toUtf8().constData(), &t);
    if (rc == TSS2_RC_SUCCESS) {
        rc = tss().Esys_Initialize(&ctx, t, nullptr);
    }
    if (rc == TSS2_RC_SUCCESS) {
        rc = operation(ctx);
    }
    if (ctx) {
        tss().Esys_Finalize(&ctx);
    }
    if (t) {
        tss().Tss2_TctiLdr_Finalize(&t);
    }
    return rc;
}

} // namespace

bool SwtpmLauncher::evictPersistentEk(QString* error) {
    const TSS2_RC rc = withEsys(tcti(), [](ESYS_CONTEXT* ctx) {
        ESYS_TR ek = ESYS_TR_NONE;
        TSS2_RC r = tss().Esys_TR_FromTPMPublic(ctx, 0x81010001, ESYS_TR_NONE, ESYS_TR_NONE,
                                                ESYS_TR_NONE, &ek);
        if (r == TSS2_RC_SUCCESS) {
            ESYS_TR gone = ESYS_TR_NONE;
            r = tss().Esys_EvictControl(ctx, ESYS_TR_RH_OWNER, ek, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                        ESYS_TR_NONE, 0x81010001, &gone);
        }
        return r;
    });
    if (rc != TSS2_RC_SUCCESS) {
        *error = QStringLiteral("evicting the EK: %1").arg(QLatin1String(tss().Tss2_RC_Decode(rc)));
    }
    return rc == TSS2_RC_SUCCESS;
}

bool SwtpmLauncher::setHierarchyPasswords(const QByteArray& owner, const QByteArray& endorsement,
                                          QString* error) {
    const TSS2_RC rc = withEsys(tcti(), [&](ESYS_CONTEXT* ctx) {
        TSS2_RC r = TSS2_RC_SUCCESS;
        for (const auto& [hierarchy, value] :
             {std::pair{ESYS_TR_RH_OWNER, owner}, std::pair{ESYS_TR_RH_ENDORSEMENT, endorsement}}) {
            TPM2B_AUTH auth{};
            auth.size = quint16(qMin<qsizetype>(value.size(), sizeof(auth.buffer)));
            std::memcpy(auth.buffer, value.constData(), auth.size);
            if (r == TSS2_RC_SUCCESS) {
                r = tss().Esys_HierarchyChangeAuth(ctx, hierarchy, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                                   ESYS_TR_NONE, &auth);
            }
        }
        return r;
    });
    if (rc != TSS2_RC_SUCCESS) {
        *error = QStringLiteral("setting the hierarchy passwords: %1")
                     .arg(QLatin1String(tss().Tss2_RC_Decode(rc)));
    }
    return rc == TSS2_RC_SUCCESS;
}

void SwtpmLauncher::stop() {
    if (m_process.state() == QProcess::NotRunning) {
        return;
    }
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

} // namespace nexustray::test
