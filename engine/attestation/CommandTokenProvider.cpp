#include "attestation/CommandTokenProvider.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <limits>

#include "Logging.h"
#include "attestation/AttestationOutput.h"
#include "attestation/CommandEnvironment.h"
#include "attestation/StderrSummary.h"

namespace nexustray::attestation {

namespace {

// How long a killed child may take to be reaped before its request fails anyway.
constexpr int kKillGraceMs = 2000;
constexpr qint64 kMaxTimerMs = std::numeric_limits<int>::max(); // QTimer takes int ms

// Hand-built configs (library mode) may leave 0: the default of Config.h, as the loader does.
int effectiveTimeoutSeconds(const AttestationConfig& config) {
    return config.timeoutSeconds > 0 ? config.timeoutSeconds : AttestationConfig().timeoutSeconds;
}

TokenResult failure(const QString& error) {
    TokenResult r;
    r.error = error;
    return r;
}

} // namespace

CommandTokenProvider::CommandTokenProvider(AttestationConfig config, AttestationIdentity identity,
                                           QObject* parent)
    : TokenProvider(parent)
    , m_config(std::move(config))
    , m_identity(std::move(identity)) {}

CommandTokenProvider::~CommandTokenProvider() {
    // Kill and reap the children now, while the run table still exists: QProcess's destructor
    // waits for the child and could otherwise call back into a half-destroyed provider.
    for (auto& [id, run] : m_runs) {
        Q_UNUSED(id);
        run.process->disconnect(this);
        run.process->kill();
        run.process->waitForFinished(kKillGraceMs);
        delete run.process;
    }
    m_runs.clear();
}

int CommandTokenProvider::runningCount() const {
    int count = 0;
    for (const QProcess* p : findChildren<QProcess*>()) {
        if (p->state() != QProcess::NotRunning)
            ++count;
    }
    return count;
}

quint64 CommandTokenProvider::request(const TokenRequest& request) {
    const quint64 id = nextRequestId();
    const QString& command = m_config.command;

    // No shell: a bare name is looked up in this process's PATH, like Go's exec.LookPath.
    QString program = command;
    if (!command.contains(QLatin1Char('/'))) {
        program = QStandardPaths::findExecutable(command);
        if (program.isEmpty()) {
            deliverLater(
                id,
                failure(
                    QStringLiteral("attestation command \"%1\" not found in PATH").arg(command)));
            return id;
        }
    }

    Run& run = m_runs[id];
    run.nonce = request.nonce;
    run.process = new QProcess(this);
    run.process->setProgram(program);
    run.process->setArguments(m_config.args);
    run.process->setProcessEnvironment(
        buildCommandEnvironment(QProcessEnvironment::systemEnvironment(), m_config.env, m_identity,
                                request.stage, request.nonce));
    run.process->setProcessChannelMode(QProcess::SeparateChannels);
    run.process->setStandardInputFile(QProcess::nullDevice());

    connect(run.process, &QProcess::readyReadStandardOutput, this, [this, id] { onStdout(id); });
    connect(run.process, &QProcess::readyReadStandardError, this, [this, id] { onStderr(id); });
    connect(run.process, &QProcess::finished, this,
            [this, id](int exitCode, QProcess::ExitStatus status) {
                onFinished(id, exitCode, status == QProcess::CrashExit);
            });
    connect(run.process, &QProcess::errorOccurred, this, [this, id](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            onStartFailed(id);
    });

    const int timeoutSeconds = effectiveTimeoutSeconds(m_config);
    run.timer = new QTimer(this);
    run.timer->setSingleShot(true);
    connect(run.timer, &QTimer::timeout, this, [this, id] { onTimeout(id); });
    // In 64 bits and capped: seconds * 1000 in an int wraps for hand-built configs (the loader
    // bounds timeoutSeconds; library users may bypass it).
    run.timer->start(int(std::min<qint64>(qint64(timeoutSeconds) * 1000, kMaxTimerMs)));

    qCDebug(lcAttestation) << "running attestation command" << program << "for backend"
                           << m_identity.backendName << "stage" << stageName(request.stage);
    run.process->start();
    return id;
}

void CommandTokenProvider::cancel(quint64 requestId) {
    TokenProvider::cancel(requestId);
    const auto it = m_runs.find(requestId);
    if (it == m_runs.end())
        return;
    qCDebug(lcAttestation) << "attestation command cancelled for backend" << m_identity.backendName;
    discard(it->second);
    m_runs.erase(it);
}

void CommandTokenProvider::onStdout(quint64 id) {
    const auto it = m_runs.find(id);
    if (it == m_runs.end())
        return;
    Run& run = it->second;
    const QByteArray chunk = run.process->readAllStandardOutput();
    if (!run.failure.isEmpty())
        return; // being killed: drain and drop
    if (run.out.size() + chunk.size() > kMaxStdoutBytes) {
        killWithFailure(
            id, QStringLiteral("attestation command output exceeds %1 bytes").arg(kMaxStdoutBytes));
        return;
    }
    run.out.append(chunk);
}

void CommandTokenProvider::onStderr(quint64 id) {
    const auto it = m_runs.find(id);
    if (it == m_runs.end())
        return;
    Run& run = it->second;
    // Read everything so a chatty child never blocks on a full pipe; keep only the start.
    const QByteArray chunk = run.process->readAllStandardError();
    const qsizetype room = kMaxStderrBytes - run.err.size();
    if (room > 0)
        run.err.append(chunk.left(room));
}

void CommandTokenProvider::onTimeout(quint64 id) {
    const auto it = m_runs.find(id);
    if (it == m_runs.end())
        return;
    if (!it->second.failure.isEmpty()) {
        // The killed child was not reaped within the grace period: fail without waiting more.
        const QString error = it->second.failure;
        discard(it->second);
        m_runs.erase(it);
        complete(id, failure(error));
        return;
    }
    const int timeoutSeconds = effectiveTimeoutSeconds(m_config);
    killWithFailure(id,
                    QStringLiteral("attestation command timed out after %1 s").arg(timeoutSeconds));
}

void CommandTokenProvider::killWithFailure(quint64 id, const QString& error) {
    Run& run = m_runs.at(id);
    run.failure = error;
    qCWarning(lcAttestation).noquote()
        << "backend" << m_identity.backendName << "-" << error << "- killing the command";
    // SIGKILL to the child only (not its process group), as the Go client does. The request
    // completes once the child is reaped, so callers never see it still running.
    run.process->kill();
    run.timer->start(kKillGraceMs);
}

void CommandTokenProvider::onStartFailed(quint64 id) {
    const auto it = m_runs.find(id);
    if (it == m_runs.end())
        return;
    const QString error = QStringLiteral("attestation command \"%1\" could not be started: %2")
                              .arg(m_config.command, it->second.process->errorString());
    discard(it->second);
    m_runs.erase(it);
    complete(id, failure(error));
}

void CommandTokenProvider::onFinished(quint64 id, int exitCode, bool crashed) {
    const auto it = m_runs.find(id);
    if (it == m_runs.end())
        return;
    Run& run = it->second;
    onStdout(id); // anything still buffered
    onStderr(id);

    TokenResult result;
    if (!run.failure.isEmpty()) {
        result = failure(run.failure);
    } else if (crashed) {
        // For a crash QProcess reports the terminating signal as the exit code.
        result = failure(QStringLiteral("attestation command failed: killed by signal %1%2")
                             .arg(exitCode)
                             .arg(stderrSuffix(run)));
    } else if (exitCode != 0) {
        result = failure(QStringLiteral("attestation command failed: exit status %1%2")
                             .arg(exitCode)
                             .arg(stderrSuffix(run)));
    } else {
        result = parseAttestationOutput(run.out);
    }
    discard(run);
    m_runs.erase(it);
    complete(id, result);
}

QString CommandTokenProvider::stderrSuffix(const Run& run) const {
    QStringList secrets = m_config.env.values();
    secrets.append(run.nonce);
    const QString summary = summariseStderr(run.err, secrets);
    return summary.isEmpty() ? QString() : QStringLiteral(" (stderr: %1)").arg(summary);
}

void CommandTokenProvider::complete(quint64 id, const TokenResult& result) {
    if (result.ok)
        qCDebug(lcAttestation) << "attestation command succeeded for backend"
                               << m_identity.backendName;
    else
        qCDebug(lcAttestation).noquote() << "attestation command failed for backend"
                                         << m_identity.backendName << "-" << result.error;
    deliverLater(id, result);
}

void CommandTokenProvider::discard(Run& run) {
    // deleteLater: discard() may run inside the timer's own timeout() handler.
    run.timer->stop();
    run.timer->disconnect(this);
    run.timer->deleteLater();
    run.timer = nullptr;
    QProcess* process = run.process;
    run.process = nullptr;
    process->disconnect(this);
    if (process->state() == QProcess::NotRunning) {
        process->deleteLater();
        return;
    }
    // Reaped asynchronously; the QProcess stays a child of the provider until then.
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
    process->kill();
}

} // namespace nexustray::attestation

// Compiled here so that users of this file do not link every other module's moc code.
#include "moc_CommandTokenProvider.cpp"
