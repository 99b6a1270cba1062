// Desktop notifications when a tunnel goes down, comes back, or attestation fails: each names the
// backend and, from the session's SessionErrorKind, says what to do (ErrorAdvice).
//
// Fed with session snapshots; emits notify() (TrayController shows it as a tray balloon / desktop
// notification). Rate-limited: the same kind of event for the same session is reported at most
// once per kSameEventCooldownMs, and at most one notification is shown per kMinGapMs - events in
// between are merged into one summary. A backend switched off by the user is not "down".
// Can be turned off (persisted by the caller, e.g. in QSettings).
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include "nexustray/Snapshots.h"

class QTimer;

namespace nexustray::ui {

class Notifier : public QObject {
    Q_OBJECT
public:
    enum class Kind { Down, Back, AttestationFailed, Failed };
    enum class Severity { Information, Warning, Critical };
    static constexpr int kSameEventCooldownMs = 60000;
    static constexpr int kMinGapMs = 5000;

    explicit Notifier(QObject* parent = nullptr);
    ~Notifier() override;

    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }

    // Timing knobs for tests.
    void setRateLimits(int sameEventCooldownMs, int minGapMs);

    void onSessionChanged(const nexustray::SessionSnapshot& snapshot);

    // `message` followed by the advice for the snapshot's error kind (if any).
    static QString withAdvice(const QString& message, const nexustray::SessionSnapshot& snapshot);

Q_SIGNALS:
    void notify(const QString& title, const QString& message,
                nexustray::ui::Notifier::Severity severity);

private:
    struct Event {
        Kind kind;
        QString title;
        QString message;
        Severity severity;
    };
    void raise(const QString& sessionId, Event event);
    void deliver();

    struct Track {
        SessionState state = SessionState::Disabled;
        bool wasUp = false; // has been connected since the backend was switched on
        bool reportedDown = false;
    };
    QHash<QString, Track> m_tracks;
    QHash<QString, qint64> m_lastEventMs; // "<session>|<kind>" -> time
    QList<Event> m_queue;
    QElapsedTimer m_clock;
    qint64 m_lastDeliveredMs = -1;
    QTimer* m_gapTimer;
    bool m_enabled = true;
    int m_cooldownMs = kSameEventCooldownMs;
    int m_minGapMs = kMinGapMs;
};

} // namespace nexustray::ui
