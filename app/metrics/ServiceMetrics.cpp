#include "ServiceMetrics.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

#include <iterator>

#include "PrometheusText.h"
#include "nexustray/Client.h"

namespace nexustray::app {

namespace {

constexpr size_t kClosedMemory = 4096;
const StreamKind kKinds[] = {StreamKind::Tcp, StreamKind::Udp, StreamKind::Outbound};
const AttestationStage kStages[] = {AttestationStage::Handshake, AttestationStage::Attest,
                                    AttestationStage::Reauth};
const AttestationResult kResults[] = {AttestationResult::Ok, AttestationResult::Failed,
                                      AttestationResult::Rejected, AttestationResult::Lost};
constexpr int kResultCount = int(std::size(kResults));

QString isoTime(const QDateTime& t) {
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

} // namespace

ServiceMetrics::ServiceMetrics(Client* client, QObject* parent)
    : QObject(parent)
    , m_client(client) {
    connect(client, &Client::sessionChanged, this, &ServiceMetrics::onSession);
    connect(client, &Client::streamChanged, this,
            [this](const StreamSnapshot& s) { onStream(s, s.state == StreamState::Closed); });
    connect(client, &Client::streamClosed, this,
            [this](const StreamSnapshot& s) { onStream(s, true); });
    connect(client, &Client::attestationFinished, this, &ServiceMetrics::onAttestation);
    for (const SessionSnapshot& s : client->sessions())
        onSession(s);
}

void ServiceMetrics::onSession(const SessionSnapshot& s) {
    SessionTrack& track = m_sessionTracks[s.sessionId];
    BackendTotals& totals = m_backends[s.backendName];
    // A restarted session counts from 0 again: a smaller value is a new run, all of it new bytes.
    totals.bytesToLocal += s.bytesIn >= track.lastIn ? s.bytesIn - track.lastIn : s.bytesIn;
    totals.bytesToHub += s.bytesOut >= track.lastOut ? s.bytesOut - track.lastOut : s.bytesOut;
    track.lastIn = s.bytesIn;
    track.lastOut = s.bytesOut;
    if (s.state == SessionState::Connected && track.state != SessionState::Connected)
        ++track.connects;
    track.state = s.state;
    track.backend = s.backendName;
    track.relay = s.relayUrl;
}

QList<double> ServiceMetrics::dialBuckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

void ServiceMetrics::onAttestation(const AttestationEvent& e) {
    ++m_backends[e.backendName].attestations[int(e.stage) * kResultCount + int(e.result)];
}

QString ServiceMetrics::backendOf(const QString& sessionId) const {
    const auto it = m_sessionTracks.constFind(sessionId);
    if (it != m_sessionTracks.constEnd())
        return it->backend;
    return sessionId.left(sessionId.lastIndexOf(QLatin1Char('#')));
}

void ServiceMetrics::onStream(const StreamSnapshot& s, bool closed) {
    if (m_closed.contains(s.clientId))
        return; // a late snapshot of a stream that is already counted and gone
    auto it = m_open.find(s.clientId);
    if (it == m_open.end()) {
        const QString backend = backendOf(s.sessionId);
        BackendTotals& totals = m_backends[backend];
        ++totals.streamsTotal[int(s.kind)];
        if (s.dialSeconds >= 0) // seen for the first time already dialled (or even closed)
            totals.dialSeconds.observe(s.dialSeconds);
        if (!closed)
            m_open.insert(s.clientId, OpenStream{backend, s.kind, s.dialSeconds >= 0});
    } else {
        if (!it->dialObserved && s.dialSeconds >= 0) {
            m_backends[it->backend].dialSeconds.observe(s.dialSeconds);
            it->dialObserved = true;
        }
        if (closed)
            m_open.erase(it);
    }
    if (closed) {
        m_closed.insert(s.clientId);
        m_closedOrder.push_back(s.clientId);
        if (m_closedOrder.size() > kClosedMemory) {
            m_closed.remove(m_closedOrder.front());
            m_closedOrder.pop_front();
        }
    }
}

QByteArray ServiceMetrics::prometheusText() const {
    PrometheusText out;
    const QString backendKey = QStringLiteral("backend");
    QStringList backends; // configured ones first (their series exist from the start), then others
    for (const BackendConfig& b : m_client->config().backends)
        backends << b.name;
    for (auto it = m_backends.constBegin(); it != m_backends.constEnd(); ++it) {
        if (!backends.contains(it.key()))
            backends << it.key();
    }

    out.family("nexustray_build_info", "gauge", "Build information; always 1.");
    out.sample("nexustray_build_info",
               {{QStringLiteral("version"), QCoreApplication::applicationVersion()}}, 1);

    out.family("nexustray_session_connected", "gauge",
               "1 while the session to this relay is connected and authenticated, else 0.");
    QMap<QString, SessionSnapshot> sessions; // sorted by id for a stable output
    for (const SessionSnapshot& s : m_client->sessions())
        sessions.insert(s.sessionId, s);
    for (const SessionSnapshot& s : std::as_const(sessions))
        out.sample("nexustray_session_connected",
                   {{backendKey, s.backendName}, {QStringLiteral("relay"), s.relayUrl}},
                   s.state == SessionState::Connected ? 1 : 0);

    out.family("nexustray_streams_open", "gauge",
               "Streams open now, by kind (tcp, udp, outbound).");
    QHash<QPair<QString, int>, int> open;
    for (const OpenStream& o : m_open)
        ++open[{o.backend, int(o.kind)}];
    for (const QString& b : std::as_const(backends))
        for (StreamKind kind : kKinds)
            out.sample("nexustray_streams_open",
                       {{backendKey, b}, {QStringLiteral("kind"), streamKindName(kind)}},
                       open.value({b, int(kind)}));

    out.family("nexustray_streams_total", "counter", "Streams opened since start, by kind.");
    for (const QString& b : std::as_const(backends))
        for (StreamKind kind : kKinds)
            out.sample("nexustray_streams_total",
                       {{backendKey, b}, {QStringLiteral("kind"), streamKindName(kind)}},
                       double(m_backends.value(b).streamsTotal.value(int(kind))));

    out.family("nexustray_relayed_bytes_total", "counter",
               "Payload bytes relayed since start: to_local = hub to local service, to_hub = "
               "local service to hub.");
    for (const QString& b : std::as_const(backends)) {
        const BackendTotals t = m_backends.value(b);
        out.sample("nexustray_relayed_bytes_total",
                   {{backendKey, b}, {QStringLiteral("direction"), QStringLiteral("to_local")}},
                   double(t.bytesToLocal));
        out.sample("nexustray_relayed_bytes_total",
                   {{backendKey, b}, {QStringLiteral("direction"), QStringLiteral("to_hub")}},
                   double(t.bytesToHub));
    }

    out.family("nexustray_reconnects_total", "counter",
               "Times a session connected again after an earlier connection ended.");
    QMap<QString, SessionTrack> tracks;
    for (auto it = m_sessionTracks.constBegin(); it != m_sessionTracks.constEnd(); ++it)
        tracks.insert(it.key(), it.value());
    for (const SessionTrack& t : std::as_const(tracks))
        out.sample("nexustray_reconnects_total",
                   {{backendKey, t.backend}, {QStringLiteral("relay"), t.relay}},
                   qMax(0, t.connects - 1));

    out.family("nexustray_attestations_total", "counter",
               "Token requests of the sessions by stage (handshake, attest, reauth) and result: "
               "ok, failed (no token), rejected (hub closed with 1008), lost (no verdict).");
    // A backend's totals without copying them (a histogram each); zeros for one not seen yet.
    static const BackendTotals kNone;
    const auto totalsOf = [this](const QString& b) -> const BackendTotals& {
        const auto it = m_backends.constFind(b);
        return it != m_backends.constEnd() ? *it : kNone;
    };
    for (const QString& b : std::as_const(backends))
        for (AttestationStage stage : kStages)
            for (AttestationResult result : kResults)
                out.sample("nexustray_attestations_total",
                           {{backendKey, b},
                            {QStringLiteral("stage"), stageName(stage)},
                            {QStringLiteral("result"), attestationResultName(result)}},
                           double(totalsOf(b).attestations.value(int(stage) * kResultCount +
                                                                 int(result))));

    out.family("nexustray_stream_dial_seconds", "histogram",
               "Local dial time of TCP streams: from the hub's connect to the local service "
               "connected (failed dials are not observed).");
    for (const QString& b : std::as_const(backends))
        out.histogram("nexustray_stream_dial_seconds", {{backendKey, b}}, totalsOf(b).dialSeconds);

    out.family("nexustray_config_reloads_total", "counter",
               "Configuration reloads (SIGHUP) by result.");
    const QPair<int, int> reloads = m_reloads ? m_reloads() : QPair<int, int>{0, 0};
    out.sample("nexustray_config_reloads_total",
               {{QStringLiteral("result"), QStringLiteral("success")}}, reloads.first);
    out.sample("nexustray_config_reloads_total",
               {{QStringLiteral("result"), QStringLiteral("failure")}}, reloads.second);
    return out.text();
}

int ServiceMetrics::readiness(QByteArray* json) const {
    QJsonObject backends;
    bool ready = true;
    const QList<SessionSnapshot> sessions = m_client->sessions();
    for (const BackendConfig& b : m_client->config().backends) {
        if (!b.enabled)
            continue;
        int connected = 0;
        int total = 0;
        for (const SessionSnapshot& s : sessions) {
            if (s.backendName != b.name)
                continue;
            ++total;
            connected += s.state == SessionState::Connected ? 1 : 0;
        }
        ready = ready && connected > 0;
        backends.insert(b.name, QJsonObject{{QStringLiteral("connected"), connected},
                                            {QStringLiteral("sessions"), total}});
    }
    *json = QJsonDocument(QJsonObject{{QStringLiteral("ready"), ready},
                                      {QStringLiteral("backends"), backends}})
                .toJson(QJsonDocument::Compact);
    return ready ? 200 : 503;
}

QByteArray ServiceMetrics::statusJson() const {
    QJsonArray sessions;
    for (const SessionSnapshot& s : m_client->sessions()) {
        sessions.append(
            QJsonObject{{QStringLiteral("id"), s.sessionId},
                        {QStringLiteral("backend"), s.backendName},
                        {QStringLiteral("relay"), s.relayUrl},
                        {QStringLiteral("state"), sessionStateName(s.state)},
                        {QStringLiteral("since"), isoTime(s.stateSince)},
                        {QStringLiteral("lastError"), s.lastError},
                        {QStringLiteral("errorKind"), sessionErrorKindName(s.errorKind)},
                        {QStringLiteral("hostnames"), QJsonArray::fromStringList(s.hostnames)},
                        {QStringLiteral("weight"), s.weight},
                        {QStringLiteral("activeStreams"), s.activeStreams},
                        {QStringLiteral("bytesIn"), double(s.bytesIn)},
                        {QStringLiteral("bytesOut"), double(s.bytesOut)}});
    }
    QJsonArray streams;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const StreamSnapshot& s : m_client->streams()) {
        QJsonObject o{{QStringLiteral("session"), s.sessionId},
                      {QStringLiteral("clientId"), s.clientId.toString(QUuid::WithoutBraces)},
                      {QStringLiteral("kind"), streamKindName(s.kind)},
                      {QStringLiteral("state"), streamStateName(s.state)},
                      {QStringLiteral("hostname"), s.hostname},
                      {QStringLiteral("port"), s.port},
                      {QStringLiteral("clientIp"), s.clientIp},
                      {QStringLiteral("target"), s.target},
                      {QStringLiteral("bytesIn"), double(s.bytesIn)},
                      {QStringLiteral("bytesOut"), double(s.bytesOut)},
                      {QStringLiteral("ageSeconds"),
                       s.openedAt.isValid() ? double(s.openedAt.secsTo(now)) : 0.0}};
        if (s.kind == StreamKind::Udp) {
            o.insert(QStringLiteral("datagramsIn"), double(s.datagramsIn));
            o.insert(QStringLiteral("datagramsOut"), double(s.datagramsOut));
            o.insert(QStringLiteral("datagramsDropped"), double(s.datagramsDropped));
        }
        streams.append(o);
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("sessions"), sessions},
                                     {QStringLiteral("streams"), streams}})
        .toJson(QJsonDocument::Compact);
}

} // namespace nexustray::app
