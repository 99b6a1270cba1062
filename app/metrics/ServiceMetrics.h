// What the metrics endpoint reports (issue 15), kept from the Client's public signals only
// (sessions and streams as snapshots): Prometheus text exposition 0.0.4 for /metrics, the
// readiness JSON for /ready and the status JSON for /status. Counters are this process's own
// totals: they never go backwards when a session restarts (its byte counters start again at 0;
// the deltas are added up here).
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QUuid>

#include <deque>
#include <functional>

#include "Histogram.h"
#include "nexustray/Snapshots.h"

namespace nexustray {
class Client;
}

namespace nexustray::app {

class ServiceMetrics : public QObject {
    Q_OBJECT
public:
    // nexustray_stream_dial_seconds buckets: local dials take well under a millisecond to a few
    // seconds (a service busy or far away); the dial timeout (10 s) ends slower ones.
    static QList<double> dialBuckets();

    explicit ServiceMetrics(Client* client, QObject* parent = nullptr);

    // Config reloads (SIGHUP) so far, for nexustray_config_reloads_total.
    void setReloadCounts(std::function<QPair<int, int>()> succeededAndFailed) {
        m_reloads = std::move(succeededAndFailed);
    }

    QByteArray prometheusText() const;
    // 200 when every enabled backend has a connected session, else 503; and the JSON body.
    int readiness(QByteArray* json) const;
    QByteArray statusJson() const;

private:
    struct BackendTotals {
        quint64 bytesToLocal = 0;
        quint64 bytesToHub = 0;
        QHash<int, quint64> streamsTotal; // StreamKind -> streams seen
        // AttestationStage * kAttestationResults + AttestationResult -> token requests
        QHash<int, quint64> attestations;
        Histogram dialSeconds{dialBuckets()};
    };
    struct SessionTrack {
        QString backend;
        QString relay;
        SessionState state = SessionState::Disabled;
        quint64 lastIn = 0;
        quint64 lastOut = 0;
        int connects = 0; // times it reached Connected
    };
    struct OpenStream {
        QString backend;
        StreamKind kind = StreamKind::Tcp;
        bool dialObserved = false; // its dial time is in the histogram
    };

    void onSession(const SessionSnapshot& s);
    void onStream(const StreamSnapshot& s, bool closed);
    void onAttestation(const AttestationEvent& e);
    QString backendOf(const QString& sessionId) const;

    Client* m_client;
    std::function<QPair<int, int>()> m_reloads;
    QHash<QString, SessionTrack> m_sessionTracks; // by session id
    QHash<QString, BackendTotals> m_backends;     // by backend name
    QHash<QUuid, OpenStream> m_open;
    std::deque<QUuid> m_closedOrder; // bounded memory of closed ids: late snapshots are stale
    QSet<QUuid> m_closed;
};

} // namespace nexustray::app
