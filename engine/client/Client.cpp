#include "nexustray/Client.h"

#include <QHash>
#include <QLocalSocket>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "Logging.h"
#include "client/BackendIdentities.h"
#include "client/NetworkWatch.h"
#include "client/Socks5Service.h"
#include "client/TpmRelayAddresses.h"
#include "session/Session.h"

namespace nexustray {

namespace {
// The backend of `config` called `name`, or nullptr.
const BackendConfig* findBackend(const Config& config, const QString& name) {
    for (const BackendConfig& b : config.backends) {
        if (b.name == name)
            return &b;
    }
    return nullptr;
}

OutboundStream::Failure publicFailure(OutboundResult::Kind kind) {
    switch (kind) {
    case OutboundResult::Kind::Refused:
        return OutboundStream::Failure::Refused;
    case OutboundResult::Kind::Timeout:
        return OutboundStream::Failure::Timeout;
    case OutboundResult::Kind::SessionLost:
        return OutboundStream::Failure::SessionLost;
    case OutboundResult::Kind::Stopping:
        return OutboundStream::Failure::Stopping;
    case OutboundResult::Kind::NotConnected:
    case OutboundResult::Kind::Connected:
        break;
    }
    return OutboundStream::Failure::NotConnected;
}

// The session's end of an outbound socketpair on its way to the worker thread. If the queued call
// never runs (the session went first), its destructor closes the descriptor and still reports
// an outcome, so that the handle hears exactly once.
class OutboundHandoff {
public:
    OutboundHandoff(int fd, OutboundCallback report)
        : m_fd(fd)
        , m_report(std::move(report)) {}
    ~OutboundHandoff() {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_report(OutboundResult{OutboundResult::Kind::SessionLost,
                                    QStringLiteral("the session ended")});
        }
    }
    OutboundHandoff(const OutboundHandoff&) = delete;
    OutboundHandoff& operator=(const OutboundHandoff&) = delete;
    int take() { return std::exchange(m_fd, -1); }
    const OutboundCallback& report() const { return m_report; }

private:
    int m_fd;
    OutboundCallback m_report;
};
} // namespace

// One session and the thread it lives on. A restarted backend runs a new worker under the same
// session id while the old one may still be stopping: the generation tells them apart.
struct SessionWorker {
    QString sessionId;
    QString backendName;
    BackendConfig backend; // as started (a tpm backend's relays resolved)
    int index = 0;         // in backend.nexusAddresses
    quint64 generation = 0;
    QThread* thread = nullptr;
    QPointer<Session> session;
    bool stopping = false;
};

class ClientPrivate {
public:
    explicit ClientPrivate(Client* client, Config cfg)
        : q(client)
        , config(std::move(cfg)) {}

    void startBackend(const BackendConfig& backend);
    void startSession(const BackendConfig& backend, int index);
    // A new session in place of this one (same id, same settings); the old one stops.
    void restartWorker(SessionWorker* worker);
    // Every session of the backend starts afresh (re-enrollment).
    void restartBackend(const QString& backendName);
    const BackendConfig* backendNamed(const QString& backendName) const;
    // A tpm backend without nexusAddresses: its sessions start once namek's nexus_endpoints are
    // known (saved identity or first enrollment); until then "<backend>#1" reports the wait.
    void resolveRelays(const BackendConfig& backend);
    void relaysResolved(const QString& backendName, const RelayAddresses& result);
    void cancelResolving(const QString& backendName);
    void stopWorker(SessionWorker* worker);
    void workerStopped(SessionWorker* worker);
    void watchNetwork();
    // True when a newer worker runs under `sessionId`: what generation `generation` reports is
    // stale (e.g. the late Disabled of a backend switched off and on again).
    bool superseded(const QString& sessionId, quint64 generation) const;
    // The session id a backend's first session has, also before it has one (its placeholder
    // while a tpm backend's relays are resolved).
    static QString firstSessionId(const QString& backendName) {
        return QStringLiteral("%1#1").arg(backendName);
    }
    // A connected, current session of the backend (round robin over them), or nullptr.
    SessionWorker* connectedWorker(const QString& backendName);
    // The session a new SOCKS5 connection of the backend goes to: a connected one (round robin),
    // else any current one (it answers "not connected" unless it connects first), else nullptr.
    Session* socks5Session(const QString& backendName);
    // The SOCKS5 listeners follow the enabled backends while running (Socks5Service::sync).
    void syncSocks5() { socks5.sync(config, running && !stopRequested); }
    bool hasWorker(const QString& backendName) const {
        return std::any_of(workers.cbegin(), workers.cend(),
                           [&](const SessionWorker* w) { return w->backendName == backendName; });
    }

    Client* q;
    Config config;
    ConnectHandler handler;
    TokenProviderFactory providerFactory;
    QList<SessionWorker*> workers;
    QHash<QString, SessionSnapshot> sessions;
    QHash<QUuid, StreamSnapshot> streams;
    QHash<QUuid, quint64> streamGenerations; // which worker reported each stream
    quint64 nextGeneration = 0;
    quint64 nextOutbound = 0; // spreads outbound requests over a backend's connected sessions
    bool running = false;
    bool stopRequested = false;
    NetworkWatch* networkWatch = nullptr;                            // owned by q
    std::map<QString, std::unique_ptr<TpmRelayAddresses>> resolving; // by backend name
    BackendIdentities identities{
        q, [this](const BackendIdentity& identity) { Q_EMIT q->backendIdentityChanged(identity); }};
    Socks5Service socks5{[this](const QString& backendName) { return socks5Session(backendName); }};
};

Client::Client(Config config, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<ClientPrivate>(this, std::move(config))) {
    qRegisterMetaType<nexustray::SessionSnapshot>();
    qRegisterMetaType<nexustray::StreamSnapshot>();
    qRegisterMetaType<nexustray::BackendIdentity>();
    qRegisterMetaType<nexustray::AttestationEvent>();
}

Client::~Client() {
    // Bounded and synchronous: each session is torn down on its own thread, without waiting for
    // the relay. Use stop() first for a graceful shutdown.
    for (SessionWorker* worker : std::as_const(d->workers)) {
        if (worker->session) {
            Session* session = worker->session;
            QMetaObject::invokeMethod(
                session, [session] { delete session; }, Qt::BlockingQueuedConnection);
        }
        worker->thread->quit();
        worker->thread->wait();
        delete worker->thread;
        delete worker;
    }
    d->workers.clear();
}

void Client::setConnectHandler(ConnectHandler handler) {
    d->handler = std::move(handler);
}

void Client::setTokenProviderFactory(TokenProviderFactory factory) {
    d->providerFactory = std::move(factory);
}

const Config& Client::config() const {
    return d->config;
}

bool Client::isRunning() const {
    return d->running;
}

void Client::start() {
    if (d->running)
        return;
    d->running = true;
    d->stopRequested = false;
    d->watchNetwork();
    for (const BackendConfig& backend : std::as_const(d->config.backends)) {
        d->identities.loadSaved(backend);
        if (backend.enabled)
            d->startBackend(backend);
    }
    if (d->workers.isEmpty())
        qCWarning(lcClient) << "no enabled backends: nothing to connect";
    d->syncSocks5();
}

void ClientPrivate::watchNetwork() {
    if (networkWatch)
        return;
    networkWatch = new NetworkWatch(q);
    QObject::connect(networkWatch, &NetworkWatch::networkAvailable, q, [this] {
        for (SessionWorker* worker : std::as_const(workers)) {
            if (worker->session)
                QMetaObject::invokeMethod(worker->session, &Session::networkAvailable,
                                          Qt::QueuedConnection);
        }
    });
    networkWatch->start();
}

void ClientPrivate::resolveRelays(const BackendConfig& backend) {
    const QString name = backend.name;
    qCInfo(lcClient).noquote() << "backend" << name
                               << "has no nexusAddresses: asking namek for its relays";
    SessionSnapshot waiting;
    waiting.sessionId = firstSessionId(name);
    waiting.backendName = name;
    waiting.state = SessionState::Connecting;
    waiting.stateSince = QDateTime::currentDateTimeUtc();
    sessions.insert(waiting.sessionId, waiting);
    Q_EMIT q->sessionChanged(waiting);
    resolving[name] = std::make_unique<TpmRelayAddresses>(
        backend, q, [this, name](const RelayAddresses& r) { relaysResolved(name, r); });
}

void ClientPrivate::relaysResolved(const QString& backendName, const RelayAddresses& result) {
    resolving.erase(backendName);
    const BackendConfig* backend = backendNamed(backendName);
    if (!running || stopRequested || !backend || !backend->enabled)
        return;
    if (!result.urls.isEmpty()) {
        BackendConfig resolved = *backend;
        resolved.nexusAddresses = result.urls;
        startBackend(resolved);
        return;
    }
    SessionSnapshot failed = sessions.value(firstSessionId(backendName));
    failed.sessionId = firstSessionId(backendName);
    failed.backendName = backendName;
    failed.state = result.permanent ? SessionState::Failed : SessionState::Backoff;
    failed.stateSince = QDateTime::currentDateTimeUtc();
    failed.lastError = QStringLiteral("relay addresses from namek: %1").arg(result.error);
    failed.errorKind = result.errorKind;
    const int delayMs = std::max(result.retryAfterMs, 5000);
    if (!result.permanent)
        failed.reconnectAt = failed.stateSince.addMSecs(delayMs);
    sessions.insert(failed.sessionId, failed);
    Q_EMIT q->sessionChanged(failed);
    qCWarning(lcClient).noquote() << failed.sessionId << failed.lastError;
    if (result.permanent)
        return;
    QTimer::singleShot(delayMs, q, [this, backendName] {
        const BackendConfig* again = backendNamed(backendName);
        // Still wanted and not started meanwhile (a toggle or new config starts afresh).
        const bool started = resolving.count(backendName) > 0 || hasWorker(backendName);
        if (running && !stopRequested && again && again->enabled && !started &&
            sessions.value(firstSessionId(backendName)).state == SessionState::Backoff)
            startBackend(*again);
    });
}

void ClientPrivate::cancelResolving(const QString& backendName) {
    resolving.erase(backendName);
    // A placeholder "<backend>#1" of a backend that never got a session is reported as ended.
    const QString sessionId = firstSessionId(backendName);
    if (hasWorker(backendName) || !sessions.contains(sessionId))
        return;
    SessionSnapshot last = sessions.take(sessionId);
    last.state = SessionState::Disabled;
    last.stateSince = QDateTime::currentDateTimeUtc();
    last.reconnectAt = {};
    Q_EMIT q->sessionChanged(last);
}

void ClientPrivate::startBackend(const BackendConfig& backend) {
    if (backend.attestation.usesTpm() && backend.nexusAddresses.isEmpty()) {
        resolveRelays(backend);
        return;
    }
    for (int i = 0; i < backend.nexusAddresses.size(); ++i)
        startSession(backend, i);
}

void ClientPrivate::startSession(const BackendConfig& backend, int i) {
    SessionSettings settings;
    settings.sessionId = QStringLiteral("%1#%2").arg(backend.name).arg(i + 1);
    settings.backend = backend;
    settings.relayUrl = backend.nexusAddresses.at(i);
    settings.connectHandler = handler;
    settings.tokenProviderFactory = providerFactory;

    auto* worker = new SessionWorker;
    worker->sessionId = settings.sessionId;
    worker->backendName = backend.name;
    worker->backend = backend;
    worker->index = i;
    worker->generation = ++nextGeneration;
    const quint64 generation = worker->generation;
    worker->thread = new QThread;
    worker->thread->setObjectName(QStringLiteral("session %1").arg(settings.sessionId));
    auto* session = new Session(std::move(settings));
    worker->session = session;
    session->moveToThread(worker->thread);
    QObject::connect(worker->thread, &QThread::started, session, &Session::start);
    QObject::connect(worker->thread, &QThread::finished, session, &QObject::deleteLater);
    QObject::connect(session, &Session::sessionChanged, q,
                     [this, generation](const SessionSnapshot& s) {
                         if (superseded(s.sessionId, generation))
                             return;
                         sessions.insert(s.sessionId, s);
                         Q_EMIT q->sessionChanged(s);
                     });
    QObject::connect(session, &Session::streamChanged, q,
                     [this, generation](const StreamSnapshot& s) {
                         streams.insert(s.clientId, s);
                         streamGenerations.insert(s.clientId, generation);
                         Q_EMIT q->streamChanged(s);
                     });
    QObject::connect(session, &Session::streamClosed, q, [this](const StreamSnapshot& s) {
        streams.remove(s.clientId);
        streamGenerations.remove(s.clientId);
        Q_EMIT q->streamClosed(s);
    });
    QObject::connect(session, &Session::attestationFinished, q, &Client::attestationFinished);
    QObject::connect(session, &Session::stopped, q, [this, worker] { workerStopped(worker); });
    workers.append(worker);
    worker->thread->start();
}

void ClientPrivate::restartWorker(SessionWorker* worker) {
    const BackendConfig backend = worker->backend;
    const int index = worker->index;
    qCInfo(lcClient).noquote() << "restarting" << worker->sessionId;
    stopWorker(worker); // may delete it
    startSession(backend, index);
}

void ClientPrivate::restartBackend(const QString& backendName) {
    const BackendConfig* backend = backendNamed(backendName);
    if (!running || stopRequested || !backend || !backend->enabled)
        return;
    if (!hasWorker(backendName)) { // never got a session (relays not resolved): start over
        cancelResolving(backendName);
        startBackend(*backend);
        return;
    }
    const QList<SessionWorker*> current = workers;
    for (SessionWorker* worker : current) {
        if (worker->backendName == backendName && !worker->stopping)
            restartWorker(worker);
    }
}

const BackendConfig* ClientPrivate::backendNamed(const QString& backendName) const {
    return findBackend(config, backendName);
}

bool ClientPrivate::superseded(const QString& sessionId, quint64 generation) const {
    return std::any_of(workers.cbegin(), workers.cend(), [&](const SessionWorker* w) {
        return w->sessionId == sessionId && w->generation > generation;
    });
}

void ClientPrivate::stopWorker(SessionWorker* worker) {
    if (worker->stopping)
        return;
    worker->stopping = true;
    if (worker->session)
        QMetaObject::invokeMethod(worker->session, &Session::stop, Qt::QueuedConnection);
    else
        workerStopped(worker);
}

void ClientPrivate::workerStopped(SessionWorker* worker) {
    if (!workers.contains(worker))
        return;
    workers.removeOne(worker);
    worker->thread->quit();
    worker->thread->wait();
    delete worker->thread; // the session was deleted when its thread finished
    // Only this worker's streams: a restarted backend's new session has the same session id.
    for (auto it = streamGenerations.begin(); it != streamGenerations.end();) {
        if (it.value() == worker->generation) {
            streams.remove(it.key());
            it = streamGenerations.erase(it);
        } else {
            ++it;
        }
    }
    // A restarted backend may already run a new session under the same id: keep its snapshot.
    const bool replaced = superseded(worker->sessionId, worker->generation);
    qCDebug(lcClient).noquote() << "worker" << worker->generation << "of" << worker->sessionId
                                << "finished" << (replaced ? "(superseded)" : "");
    // The session normally reported Disabled itself before stopped(); say it only if not.
    if (!replaced && sessions.value(worker->sessionId).state != SessionState::Disabled) {
        SessionSnapshot last = sessions.take(worker->sessionId);
        last.sessionId = worker->sessionId;
        last.backendName = worker->backendName;
        last.state = SessionState::Disabled;
        last.activeStreams = 0;
        Q_EMIT q->sessionChanged(last);
    } else if (!replaced) {
        sessions.remove(worker->sessionId);
    }
    delete worker;
    if (workers.isEmpty() && stopRequested) {
        running = false;
        stopRequested = false;
        qCInfo(lcClient) << "all sessions stopped";
        Q_EMIT q->stopped();
    }
}

void Client::stop() {
    if (!d->running || d->stopRequested)
        return;
    d->stopRequested = true;
    d->syncSocks5(); // no new SOCKS5 connections; pending requests end with the sessions
    for (const BackendConfig& backend : std::as_const(d->config.backends))
        d->cancelResolving(backend.name);
    if (d->workers.isEmpty()) {
        d->running = false;
        d->stopRequested = false;
        QMetaObject::invokeMethod(this, &Client::stopped, Qt::QueuedConnection);
        return;
    }
    const QList<SessionWorker*> workers = d->workers;
    for (SessionWorker* worker : workers)
        d->stopWorker(worker);
}

void Client::setBackendEnabled(const QString& backendName, bool enabled) {
    for (BackendConfig& backend : d->config.backends) {
        if (backend.name != backendName || backend.enabled == enabled)
            continue;
        backend.enabled = enabled;
        if (!d->running)
            return;
        if (enabled) {
            d->startBackend(backend);
        } else {
            d->cancelResolving(backendName);
            const QList<SessionWorker*> workers = d->workers;
            for (SessionWorker* worker : workers) {
                if (worker->backendName == backendName)
                    d->stopWorker(worker);
            }
        }
        d->syncSocks5();
        return;
    }
}

void Client::applyConfig(Config config) {
    const Config old = std::exchange(d->config, std::move(config));
    d->identities.retain(d->config);
    if (!d->running)
        return;
    for (const BackendConfig& backend : std::as_const(d->config.backends))
        d->identities.loadSaved(backend); // a tpm backend added or changed
    // Stop what was removed or changed; keep identical backends running untouched. Equality
    // compares every setting (Config.h) and nothing else: only `line` is ignored, so moving a
    // backend within the file does not restart it.
    for (const BackendConfig& before : old.backends) {
        const BackendConfig* after = findBackend(d->config, before.name);
        if (after && *after == before)
            continue;
        d->cancelResolving(before.name);
        const QList<SessionWorker*> workers = d->workers;
        for (SessionWorker* worker : workers) {
            if (worker->backendName == before.name) {
                qCInfo(lcClient).noquote()
                    << "configuration changed, restarting" << worker->sessionId;
                d->stopWorker(worker);
            }
        }
    }
    for (const BackendConfig& after : std::as_const(d->config.backends)) {
        const BackendConfig* before = findBackend(old, after.name);
        if (before && *before == after)
            continue;
        if (after.enabled)
            d->startBackend(after);
    }
    d->syncSocks5();
}

void Client::closeStream(const QString& sessionId, const QUuid& clientId) {
    // The worker that reported the stream (a restarted session may run under the same id).
    const quint64 generation = d->streamGenerations.value(clientId);
    for (SessionWorker* worker : std::as_const(d->workers)) {
        if (worker->sessionId != sessionId || worker->generation != generation || !worker->session)
            continue;
        QMetaObject::invokeMethod(
            worker->session,
            [session = worker->session, clientId] {
                if (session)
                    session->closeStream(clientId);
            },
            Qt::QueuedConnection);
        return;
    }
}

void Client::retryNow(const QString& backendName) {
    const BackendConfig* backend = d->backendNamed(backendName);
    if (!d->running || d->stopRequested || !backend || !backend->enabled)
        return;
    auto waiting = [](SessionState state) {
        return state == SessionState::Failed || state == SessionState::Backoff;
    };
    if (!d->hasWorker(backendName)) {
        // A tpm backend whose relays namek has not given yet: ask again now.
        if (d->resolving.count(backendName) == 0 &&
            waiting(d->sessions.value(ClientPrivate::firstSessionId(backendName)).state))
            d->startBackend(*backend);
        return;
    }
    const QList<SessionWorker*> workers = d->workers;
    for (SessionWorker* worker : workers) {
        if (worker->backendName != backendName || worker->stopping ||
            d->superseded(worker->sessionId, worker->generation))
            continue;
        const SessionState state = d->sessions.value(worker->sessionId).state;
        if (state == SessionState::Failed) {
            d->restartWorker(worker); // a stopped session cannot start again: a new one
        } else if (state == SessionState::Backoff && worker->session) {
            QMetaObject::invokeMethod(
                worker->session,
                [session = worker->session] {
                    if (session)
                        session->retryNow();
                },
                Qt::QueuedConnection);
        }
    }
}

void Client::checkIdentity(const QString& backendName) {
    if (const BackendConfig* backend = d->backendNamed(backendName))
        d->identities.check(*backend);
}

void Client::reenroll(const QString& backendName) {
    const BackendConfig* backend = d->backendNamed(backendName);
    if (!backend)
        return;
    qCInfo(lcClient).noquote() << "re-enrolling the TPM of" << backendName;
    d->identities.reenroll(*backend, [this, backendName] { d->restartBackend(backendName); });
}

SessionWorker* ClientPrivate::connectedWorker(const QString& backendName) {
    QList<SessionWorker*> connected;
    for (SessionWorker* worker : std::as_const(workers)) {
        if (worker->backendName == backendName && !worker->stopping && worker->session &&
            !superseded(worker->sessionId, worker->generation) &&
            sessions.value(worker->sessionId).state == SessionState::Connected)
            connected.append(worker);
    }
    if (connected.isEmpty())
        return nullptr;
    return connected.at(qsizetype(nextOutbound++ % quint64(connected.size())));
}

Session* ClientPrivate::socks5Session(const QString& backendName) {
    if (SessionWorker* worker = connectedWorker(backendName))
        return worker->session;
    for (SessionWorker* worker : std::as_const(workers)) {
        if (worker->backendName == backendName && !worker->stopping && worker->session &&
            !superseded(worker->sessionId, worker->generation))
            return worker->session;
    }
    return nullptr;
}

OutboundStream* Client::openOutbound(const QString& backendName, const QString& targetAddr,
                                     QObject* parent) {
    auto* handle = new OutboundStream(targetAddr, parent);
    if (d->stopRequested) {
        handle->failLater(OutboundStream::Failure::Stopping,
                          QStringLiteral("the client is stopping"));
        return handle;
    }
    SessionWorker* worker = d->running ? d->connectedWorker(backendName) : nullptr;
    if (!worker) {
        qCInfo(lcClient).noquote() << "outbound to" << targetAddr << "via" << backendName
                                   << "failed: no connected session";
        handle->failLater(OutboundStream::Failure::NotConnected,
                          QStringLiteral("no connected session of backend '%1'").arg(backendName));
        return handle;
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        const QString error = QString::fromLocal8Bit(std::strerror(errno));
        qCWarning(lcClient).noquote() << "outbound: socketpair failed:" << error;
        handle->failLater(OutboundStream::Failure::NotConnected, error);
        return handle;
    }
    handle->m_sessionId = worker->sessionId;
    handle->m_socket->setSocketDescriptor(fds[0]);
    // The outcome crosses back to this thread through the Client (alive while any session is:
    // ~Client ends them first), then reaches the handle if it still exists.
    QPointer<OutboundStream> target(handle);
    OutboundCallback report = [this, target](const OutboundResult& r) {
        QMetaObject::invokeMethod(
            this,
            [target, r] {
                if (target)
                    target->deliver(r.kind == OutboundResult::Kind::Connected,
                                    publicFailure(r.kind), r.reason);
            },
            Qt::QueuedConnection);
    };
    auto handoff = std::make_shared<OutboundHandoff>(fds[1], std::move(report));
    Session* session = worker->session;
    QMetaObject::invokeMethod(
        session,
        [session, handoff, targetAddr] {
            auto* local = new QLocalSocket;
            const int fd = handoff->take();
            if (!local->setSocketDescriptor(fd)) {
                ::close(fd);
                handoff->report()(
                    OutboundResult{OutboundResult::Kind::NotConnected, local->errorString()});
                delete local;
                return;
            }
            session->openOutbound(targetAddr, local, handoff->report());
        },
        Qt::QueuedConnection);
    return handle;
}

QList<BackendIdentity> Client::identities() const {
    return d->identities.all();
}

QList<SessionSnapshot> Client::sessions() const {
    return d->sessions.values();
}

QList<StreamSnapshot> Client::streams() const {
    return d->streams.values();
}

} // namespace nexustray

#include "nexustray/moc_Client.cpp"
