// A library token provider whose behaviour a test switches at run time (from any thread): tokens
// signed with the hub's secret, with a wrong one (the hub refuses them: close 1008), or a
// permanent failure (as a suspended TPM device gives), or expired tokens. For the user-action
// tests: make a session fail, fix the cause, retry.
#pragma once

#include <QByteArray>
#include <QMutex>

#include "nexustray/TokenProvider.h"

namespace nexustray::test {

class TokenMode {
public:
    // Expired: signed right, but exp lies two minutes in the past (a clock running ahead).
    enum Value { Good, WrongSecret, PermanentFailure, Expired };
    Value get() const {
        QMutexLocker lock(&m_mutex);
        return m_value;
    }
    void set(Value value) {
        QMutexLocker lock(&m_mutex);
        m_value = value;
    }

private:
    mutable QMutex m_mutex;
    Value m_value = Good;
};

class SwitchableTokenProvider : public TokenProvider {
public:
    // `secret`: the hub's; a permanent failure says `failure` with `failureKind`.
    SwitchableTokenProvider(BackendConfig backend, QByteArray secret, const TokenMode* mode,
                            QString failure = QStringLiteral("device suspended/revoked (test)"),
                            SessionErrorKind failureKind = SessionErrorKind::None);

    quint64 request(const TokenRequest& request) override;

private:
    BackendConfig m_backend;
    QByteArray m_secret;
    const TokenMode* m_mode;
    QString m_failure;
    SessionErrorKind m_failureKind;
};

} // namespace nexustray::test
