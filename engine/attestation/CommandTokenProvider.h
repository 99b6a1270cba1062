// Token provider that runs the configured external command (attestation spec §1): one child
// process per request, no shell, bounded output, a time limit, stdout parsed, stderr only used
// for error messages.
#pragma once

#include <QByteArray>

#include <map>

#include "nexustray/Config.h"
#include "nexustray/TokenProvider.h"

class QProcess;
class QTimer;

namespace nexustray::attestation {

class CommandTokenProvider : public TokenProvider {
    Q_OBJECT
public:
    static constexpr qsizetype kMaxStdoutBytes = 64 * 1024; // exceeding it kills the child
    static constexpr qsizetype kMaxStderrBytes = 8 * 1024;  // kept for messages; rest dropped

    CommandTokenProvider(AttestationConfig config, AttestationIdentity identity,
                         QObject* parent = nullptr);
    ~CommandTokenProvider() override;

    quint64 request(const TokenRequest& request) override;
    void cancel(quint64 requestId) override;

    // Number of children that are still running (including killed ones not reaped yet).
    int runningCount() const;

private:
    struct Run {
        QProcess* process = nullptr;
        QTimer* timer = nullptr;
        QByteArray out;
        QByteArray err;
        QString nonce;
        QString failure; // set once the child is being killed (timeout, output too large)
    };

    void onStdout(quint64 id);
    void onStderr(quint64 id);
    void onFinished(quint64 id, int exitCode, bool crashed);
    void onStartFailed(quint64 id);
    void onTimeout(quint64 id);
    void killWithFailure(quint64 id, const QString& failure);
    void complete(quint64 id, const TokenResult& result);
    void discard(Run& run);
    QString stderrSuffix(const Run& run) const;

    AttestationConfig m_config;
    AttestationIdentity m_identity;
    std::map<quint64, Run> m_runs;
};

} // namespace nexustray::attestation
