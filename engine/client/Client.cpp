#include "nexustray/Client.h"

#include <QHash>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <map>

#include "Logging.h"
#include "client/NetworkWatch.h"
#include "client/TpmRelayAddresses.h"
#include "session/Session.h"

namespace nexustray {

// One session and the thread it lives on. A restarted backend runs a new worker under the same
// session id while the old one may still be stopping: the generation tells them apart.
struct SessionWorker {
    QString sessionId;
    QString backendName;
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

    Client* q;
    Config config;
    ConnectHandler handler;
    TokenProviderFactory providerFactory;
    QList<SessionWorker*> workers;
    QHash<QString, SessionSnapshot> sessions;
    QHash<QUuid, StreamSnapshot> streams;
    QHash<QUuid, quint64> streamGenerations; // which worker reported each stream
    quint64 nextGeneration = 0;
    bool running = false;
    bool stopRequested = false;
    NetworkWatch* networkWatch = nullptr;                            // owned by q
    std::map<QString, std::unique_ptr<TpmRelayAddresses>> resolving; // by backend name
};

Client::Client(Config config, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<ClientPrivate>(this, std::move(config))) {
    qRegisterMetaType<nexustray::SessionSnapshot>();
    qRegisterMetaType<nexustray::StreamSnapshot>();
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
        if (backend.enabled)
            d->startBackend(backend);
    }
    if (d->workers.isEmpty())
        qCWarning(lcClient) << "no enabled backends: nothing to connect";
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
    waiting.sessionId = QStringLiteral("%1#1").arg(name);
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
    const auto backend =
        std::find_if(config.backends.cbegin(), config.backends.cend(),
                     [&](const BackendConfig& b) { return b.name == backendName; });
    if (!running || stopRequested || backend == config.backends.cend() || !backend->enabled)
        return;
    if (!result.urls.isEmpty()) {
        BackendConfig resolved = *backend;
        resolved.nexusAddresses = result.urls;
        startBackend(resolved);
        return;
    }
    SessionSnapshot failed = sessions.value(QStringLiteral("%1#1").arg(backendName));
    failed.sessionId = QStringLiteral("%1#1").arg(backendName);
    failed.backendName = backendName;
    failed.state = result.permanent ? SessionState::Failed : SessionState::Backoff;
    failed.stateSince = QDateTime::currentDateTimeUtc();
    failed.lastError = QStringLiteral("relay addresses from namek: %1").arg(result.error);
    const int delayMs = std::max(result.retryAfterMs, 5000);
    if (!result.permanent)
        failed.reconnectAt = failed.stateSince.addMSecs(delayMs);
    sessions.insert(failed.sessionId, failed);
    Q_EMIT q->sessionChanged(failed);
    qCWarning(lcClient).noquote() << failed.sessionId << failed.lastError;
    if (result.permanent)
        return;
    QTimer::singleShot(delayMs, q, [this, backendName] {
        const auto again =
            std::find_if(config.backends.cbegin(), config.backends.cend(),
                         [&](const BackendConfig& b) { return b.name == backendName; });
        // Still wanted and not started meanwhile (a toggle or new config starts afresh).
        const bool started = resolving.count(backendName) > 0 ||
                             std::any_of(workers.cbegin(), workers.cend(), [&](const auto* w) {
                                 return w->backendName == backendName;
                             });
        if (running && !stopRequested && again != config.backends.cend() && again->enabled &&
            !started &&
            sessions.value(QStringLiteral("%1#1").arg(backendName)).state == SessionState::Backoff)
            startBackend(*again);
    });
}

void ClientPrivate::cancelResolving(const QString& backendName) {
    resolving.erase(backendName);
    // A placeholder "<backend>#1" of a backend that never got a session is reported as ended.
    const QString sessionId = QStringLiteral("%1#1").arg(backendName);
    const bool hasWorker = std::any_of(workers.cbegin(), workers.cend(), [&](const auto* w) {
        return w->backendName == backendName;
    });
    if (hasWorker || !sessions.contains(sessionId))
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
    for (int i = 0; i < backend.nexusAddresses.size(); ++i) {
        SessionSettings settings;
        settings.sessionId = QStringLiteral("%1#%2").arg(backend.name).arg(i + 1);
        settings.backend = backend;
        settings.relayUrl = backend.nexusAddresses.at(i);
        settings.connectHandler = handler;
        settings.tokenProviderFactory = providerFactory;

        auto* worker = new SessionWorker;
        worker->sessionId = settings.sessionId;
        worker->backendName = backend.name;
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
        QObject::connect(session, &Session::stopped, q, [this, worker] { workerStopped(worker); });
        workers.append(worker);
        worker->thread->start();
    }
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
        return;
    }
}

void Client::applyConfig(Config config) {
    const Config old = std::exchange(d->config, std::move(config));
    if (!d->running)
        return;
    auto findBackend = [](const Config& c, const QString& name) -> const BackendConfig* {
        for (const BackendConfig& b : c.backends) {
            if (b.name == name)
                return &b;
        }
        return nullptr;
    };
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
}

QList<SessionSnapshot> Client::sessions() const {
    return d->sessions.values();
}

QList<StreamSnapshot> Client::streams() const {
    return d->streams.values();
}

} // namespace nexustray

#include "nexustray/moc_Client.cpp"
