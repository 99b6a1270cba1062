#include "Notifier.h"

#include <QTimer>

#include "ErrorAdvice.h"

namespace nexustray::ui {

namespace {
// Snapshots without an error kind (None/Other) fall back to the words of the error.
bool looksLikeAttestationText(const QString& error) {
    return error.contains(QLatin1String("attest"), Qt::CaseInsensitive) ||
           error.contains(QLatin1String("token"), Qt::CaseInsensitive) ||
           error.contains(QLatin1String("authenticat"), Qt::CaseInsensitive) ||
           error.contains(QLatin1String("handshake"), Qt::CaseInsensitive);
}

bool looksLikeAttestation(const SessionSnapshot& s) {
    switch (s.errorKind) {
    case SessionErrorKind::AuthenticationRefused:
    case SessionErrorKind::ClockSkew:
    case SessionErrorKind::TpmNotAccessible:
    case SessionErrorKind::DeviceSuspended:
        return true;
    case SessionErrorKind::None:
    case SessionErrorKind::Other:
        return looksLikeAttestationText(s.lastError);
    default:
        return false;
    }
}
} // namespace

QString Notifier::withAdvice(const QString& message, const SessionSnapshot& s) {
    const QString advice = ErrorAdvice::forKind(s.errorKind, s.backendName);
    return advice.isEmpty() ? message : message + QLatin1Char('\n') + advice;
}

Notifier::Notifier(QObject* parent)
    : QObject(parent)
    , m_gapTimer(new QTimer(this)) {
    m_clock.start();
    m_gapTimer->setSingleShot(true);
    connect(m_gapTimer, &QTimer::timeout, this, &Notifier::deliver);
}

Notifier::~Notifier() = default;

void Notifier::setEnabled(bool enabled) {
    m_enabled = enabled;
    if (!enabled) {
        m_queue.clear();
        m_gapTimer->stop();
    }
}

void Notifier::setRateLimits(int sameEventCooldownMs, int minGapMs) {
    m_cooldownMs = sameEventCooldownMs;
    m_minGapMs = minGapMs;
}

void Notifier::onSessionChanged(const SessionSnapshot& s) {
    Track& track = m_tracks[s.sessionId];
    const SessionState before = track.state;
    track.state = s.state;
    if (before == s.state)
        return;
    const QString where =
        s.relayUrl.isEmpty() ? s.backendName : tr("%1 via %2").arg(s.backendName, s.relayUrl);
    const QString why = s.lastError.isEmpty() ? tr("no details") : s.lastError;

    if (s.state == SessionState::Disabled) { // switched off on purpose: no alarm
        track.wasUp = false;
        track.reportedDown = false;
        return;
    }
    if (s.state == SessionState::Connected) {
        if (track.reportedDown)
            raise(s.sessionId, {Kind::Back, tr("Tunnel back up"),
                                tr("%1 is connected again.").arg(where), Severity::Information});
        track.wasUp = true;
        track.reportedDown = false;
        return;
    }
    if (s.state == SessionState::Failed) {
        const bool attestation = looksLikeAttestation(s);
        raise(s.sessionId, {attestation ? Kind::AttestationFailed : Kind::Failed,
                            attestation ? tr("Attestation failed") : tr("Tunnel stopped"),
                            withAdvice(tr("%1 gave up: %2").arg(where, why), s) +
                                QLatin1Char('\n') + tr("Then use “Retry now” in the tray menu."),
                            Severity::Critical});
        track.reportedDown = true;
        return;
    }
    if (s.state == SessionState::Backoff) {
        if (track.wasUp && !track.reportedDown) {
            raise(s.sessionId,
                  {Kind::Down, tr("Tunnel down"),
                   withAdvice(tr("%1 lost its connection: %2. Reconnecting.").arg(where, why), s),
                   Severity::Warning});
            track.reportedDown = true;
        } else if (!track.wasUp && !track.reportedDown && looksLikeAttestation(s)) {
            raise(s.sessionId, {Kind::AttestationFailed, tr("Attestation failed"),
                                withAdvice(tr("%1 was refused: %2. Retrying.").arg(where, why), s),
                                Severity::Warning});
            track.reportedDown = true;
        }
    }
}

void Notifier::raise(const QString& sessionId, Event event) {
    if (!m_enabled)
        return;
    const QString key = sessionId + QLatin1Char('|') + QString::number(int(event.kind));
    const qint64 now = m_clock.elapsed();
    auto last = m_lastEventMs.constFind(key);
    if (last != m_lastEventMs.constEnd() && now - *last < m_cooldownMs)
        return;
    m_lastEventMs.insert(key, now);
    m_queue.append(std::move(event));
    if (m_gapTimer->isActive())
        return;
    const qint64 sinceLast = m_lastDeliveredMs < 0 ? m_minGapMs : now - m_lastDeliveredMs;
    if (sinceLast >= m_minGapMs)
        deliver();
    else
        m_gapTimer->start(int(m_minGapMs - sinceLast));
}

void Notifier::deliver() {
    if (m_queue.isEmpty() || !m_enabled)
        return;
    m_lastDeliveredMs = m_clock.elapsed();
    if (m_queue.size() == 1) {
        const Event e = m_queue.takeFirst();
        Q_EMIT notify(e.title, e.message, e.severity);
        return;
    }
    Severity worst = Severity::Information;
    QStringList lines;
    for (const Event& e : std::as_const(m_queue)) {
        worst = qMax(worst, e.severity);
        lines << e.title + QStringLiteral(": ") + e.message;
    }
    const int count = int(m_queue.size());
    m_queue.clear();
    Q_EMIT notify(tr("%n tunnel event(s)", nullptr, count), lines.join(QLatin1Char('\n')), worst);
}

} // namespace nexustray::ui
