// Reconnect policy of protocol.md §10.1: doubling from 5 s to 60 s with ±25 % jitter, applied only
// after failed attempts; "rate limit" errors wait 60 s; authentication refusals are "permanent" and
// give up after 5 in a row.
#pragma once

#include <QRandomGenerator>
#include <QString>

#include <optional>

namespace nexustray {

enum class FailureClass { Transient, Permanent, RateLimited };

// Classifies the cause of a failed attempt (case-insensitive keywords of protocol.md §10.1, matched
// as whole words). Pass the cause only (hub close reason, upgrade status line, provider or socket
// error), never text with the relay URL in it: "wss://edge403.example.net:8403" is not a refusal.
FailureClass classifyFailure(const QString& cause);

struct BackoffPolicy {
    int baseMs = 5000;
    int maxMs = 60000;
    double jitter = 0.25;
    int rateLimitMs = 60000;
    int maxPermanentFailures = 5;
};

class Backoff {
public:
    explicit Backoff(BackoffPolicy policy = {}, quint32 seed = 0);

    // Delay before the next attempt after a failure; nullopt = give up for good.
    std::optional<int> nextDelayMs(FailureClass failure);
    // After a successful handshake.
    void reset();
    // Network came back: transient failures start counting from zero again.
    void resetTransient() { m_transient = 0; }

    int transientFailures() const { return m_transient; }
    int permanentFailures() const { return m_permanent; }

private:
    int jittered(int baseMs);

    BackoffPolicy m_policy;
    QRandomGenerator m_random;
    int m_transient = 0;
    int m_permanent = 0;
};

} // namespace nexustray
