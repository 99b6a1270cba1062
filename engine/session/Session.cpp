#include "session/Session.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QUrl>

#include <algorithm>

#include "Logging.h"
#include "config/Hostname.h"
#include "protocol/Frame.h"
#include "websocket/ProxySettings.h"
#include "websocket/TrustStore.h"
#include "websocket/WebSocketClient.h"

namespace nexustray {

namespace {
// A hub refusal (1008) whose reason says the token's time claims did not fit the hub's clock.
SessionErrorKind refusalKind(const QString& reason) {
    for (const char* word : {"expired", "not valid yet", "too old", "used before issued"}) {
        if (reason.contains(QLatin1String(word), Qt::CaseInsensitive))
            return SessionErrorKind::ClockSkew;
    }
    return SessionErrorKind::AuthenticationRefused;
}

// A token provider's failure: what it says it is about, else a refused attestation.
SessionErrorKind providerKind(const TokenResult& result) {
    return result.errorKind == SessionErrorKind::None ? SessionErrorKind::AuthenticationRefused
                                                      : result.errorKind;
}

StreamMultiplexer::Settings multiplexerSettings(const SessionSettings& settings) {
    StreamMultiplexer::Settings mux;
    mux.sessionId = settings.sessionId;
    mux.backendName = settings.backend.name;
    mux.relayUrl = settings.relayUrl;
    mux.router = PortRouter(settings.backend.portMappings);
    mux.connectHandler = settings.connectHandler;
    mux.flow = settings.backend.flowControl;
    mux.healthChecks = settings.backend.healthChecks;
    mux.dialTimeoutMs = settings.timings.dialTimeoutMs;
    mux.drainTimeoutMs = settings.timings.drainTimeoutMs;
    mux.udpRoutes = settings.backend.udpRoutes; // each UDP port's flow idle timeout
    mux.outboundTimeoutMs = settings.timings.outboundTimeoutMs;
    return mux;
}
} // namespace

Session::Session(SessionSettings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_muxSettings(multiplexerSettings(m_settings))
    , m_backoff(m_settings.backoff) {
    qRegisterMetaType<nexustray::TokenResult>();
    qRegisterMetaType<nexustray::SessionSnapshot>();
    qRegisterMetaType<nexustray::StreamSnapshot>();
    qRegisterMetaType<nexustray::AttestationEvent>();
    m_stateSince = QDateTime::currentDateTimeUtc();
    for (QTimer* t :
         {&m_attemptTimer, &m_retryTimer, &m_stableTimer, &m_stopTimer, &m_deadlineTimer})
        t->setSingleShot(true);
}

Session::~Session() {
    // Destruction without stop(): release everything without talking to the hub.
    closeAllStreams(false);
    dropWebSocket();
    // Old connections' streams still flushing locally go now, while this link is whole.
    for (const QPointer<StreamMultiplexer>& mux : std::exchange(m_retired, {}))
        delete mux.data();
}

void Session::setTokenProvider(std::unique_ptr<TokenProvider> provider) {
    m_provider = std::move(provider);
}

SessionSnapshot Session::snapshot() const {
    SessionSnapshot s;
    s.sessionId = m_settings.sessionId;
    s.backendName = m_settings.backend.name;
    s.relayUrl = m_settings.relayUrl;
    s.state = m_state;
    s.stateSince = m_stateSince;
    s.lastError = m_lastError;
    s.errorKind = m_lastError.isEmpty() ? SessionErrorKind::None : m_errorKind;
    s.hostnames = m_settings.backend.hostnames;
    s.weight = m_settings.backend.weight;
    if (m_state == SessionState::Backoff)
        s.reconnectAt = m_reconnectAt;
    s.activeStreams = m_mux ? int(m_mux->streamCount()) : 0;
    s.bytesIn = m_bytesIn + (m_mux ? m_mux->bytesIn() : 0);
    s.bytesOut = m_bytesOut + (m_mux ? m_mux->bytesOut() : 0);
    return s;
}

void Session::noteError(const QString& error, SessionErrorKind kind) {
    m_lastError = error;
    m_errorKind = kind;
}

void Session::reportAttestation(AttestationStage stage, AttestationResult result,
                                const QString& reason) {
    Q_EMIT attestationFinished(
        {m_settings.backend.name, m_settings.sessionId, stage, result, reason});
}

void Session::settleVerdict(AttestationResult result, const QString& reason) {
    if (!std::exchange(m_verdictPending, false))
        return;
    reportAttestation(m_verdictStage, result, reason);
}

void Session::setState(SessionState state, const QString& error, SessionErrorKind kind) {
    if (!error.isEmpty())
        noteError(error, kind);
    if (state != m_state) {
        m_state = state;
        m_stateSince = QDateTime::currentDateTimeUtc();
    }
    if (state == SessionState::Connected) {
        m_lastError.clear();
        m_errorKind = SessionErrorKind::None;
    }
    Q_EMIT sessionChanged(snapshot());
}

void Session::start() {
    connect(&m_attemptTimer, &QTimer::timeout, this, [this] {
        attemptFailed(QStringLiteral("no handshake challenge from the relay in time"),
                      SessionErrorKind::Unreachable);
    });
    connect(&m_retryTimer, &QTimer::timeout, this, &Session::beginAttempt);
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &Session::onKeepalive);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &Session::onReceiveDeadline);
    connect(&m_stableTimer, &QTimer::timeout, this, [this] {
        settleVerdict(AttestationResult::Ok); // stage 1 was not refused
        m_established = true;
        m_backoff.reset();
    });
    connect(&m_healthTimer, &QTimer::timeout, this, &Session::runHealthChecks);
    connect(&m_snapshotTimer, &QTimer::timeout, this, &Session::onSnapshotTick);
    connect(&m_stopTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcSession).noquote()
            << m_settings.sessionId << "relay did not confirm the close in time";
        dropWebSocket();
        onWsDisconnected();
    });
    m_snapshotTimer.start(m_settings.timings.snapshotIntervalMs);
    m_clock.start();
    if (m_settings.backend.healthChecks.enabled)
        m_healthTimer.start(m_settings.timings.healthCheckIntervalMs);

    const QUrl relay(m_settings.relayUrl);
    if (relay.scheme().compare(QLatin1String("ws"), Qt::CaseInsensitive) == 0 &&
        !hostname::isLoopbackHost(relay.host())) {
        // Tokens would cross the network in clear text: only with an explicit opt-in.
        if (!m_settings.backend.tls.allowInsecure) {
            const QString error =
                QStringLiteral("refusing unencrypted relay %1 (ws:// to a non-loopback host); "
                               "use wss:// or set tls.allowInsecure: true")
                    .arg(m_settings.relayUrl);
            qCCritical(lcSession).noquote() << m_settings.sessionId << "cannot start:" << error;
            m_phase = Phase::Stopped;
            setState(SessionState::Failed, error, SessionErrorKind::Configuration);
            return;
        }
        qCWarning(lcSession).noquote()
            << m_settings.sessionId << "relay" << m_settings.relayUrl
            << "is not encrypted (tls.allowInsecure: true): tokens and traffic are readable on "
               "the network";
    }
    if (!m_provider && m_settings.tokenProviderFactory)
        m_provider = m_settings.tokenProviderFactory(m_settings.backend);
    if (!m_provider) {
        QString error;
        m_provider = createTokenProvider(m_settings.backend, &error);
        if (!m_provider) {
            qCCritical(lcSession).noquote() << m_settings.sessionId << "cannot start:" << error;
            m_phase = Phase::Stopped;
            setState(SessionState::Failed, error, SessionErrorKind::Configuration);
            return;
        }
    }
    m_provider->setParent(nullptr);
    connect(m_provider.get(), &TokenProvider::finished, this, &Session::onTokenFinished);
    beginAttempt();
}

void Session::beginAttempt() {
    if (m_stopping)
        return;
    m_retryTimer.stop();
    m_established = false;
    m_phase = Phase::FetchingToken;
    setState(SessionState::Connecting);
    // The stage-0 token is fetched before dialling, so a slow provider cannot miss the hub's 10 s
    // deadline after the upgrade (protocol.md §2.1).
    m_pendingStage = AttestationStage::Handshake;
    m_pendingRequest = m_provider->request({AttestationStage::Handshake, QString()});
}

void Session::onTokenFinished(quint64 requestId, const nexustray::TokenResult& result) {
    if (requestId != m_pendingRequest)
        return; // a cancelled or superseded request
    m_pendingRequest = 0;
    const AttestationStage stage = m_pendingStage;
    if (!result.ok || result.token.trimmed().isEmpty()) {
        const QString error =
            result.ok ? QStringLiteral("token provider returned empty token") : result.error;
        reportAttestation(stage, AttestationResult::Failed, error);
        if (stage == AttestationStage::Reauth) {
            qCWarning(lcSession).noquote()
                << m_settings.sessionId << "re-attestation failed, ending the session:" << error;
            noteError(QStringLiteral("re-attestation failed: %1").arg(error), providerKind(result));
            if (m_ws)
                m_ws->close(ws::Normal);
            return;
        }
        const QString failure = QStringLiteral("%1 token: %2").arg(stageName(stage), error);
        if (result.permanent) { // the provider knows no retry can help
            qCCritical(lcSession).noquote() << m_settings.sessionId << "giving up:" << failure;
            m_phase = Phase::Stopped;
            setState(SessionState::Failed, failure, providerKind(result));
            return;
        }
        m_minRetryMs = result.retryAfterMs;
        attemptFailed(failure, providerKind(result));
        return;
    }
    const QString token = result.token.trimmed();
    switch (stage) {
    case AttestationStage::Handshake:
        if (m_phase != Phase::FetchingToken)
            return;
        m_handshakeToken = token;
        m_verdictPending = true; // settled by the challenge, a refusal or a failed dial
        m_verdictStage = AttestationStage::Handshake;
        openWebSocket();
        break;
    case AttestationStage::Attest:
        if (m_phase != Phase::Attesting || !m_ws)
            return;
        m_ws->sendTextMessage(token);
        // Success is silent (protocol.md §2 step 4): from here on we are live. The verdict is
        // settled by the hub's next message, the stable timer, or a 1008 close.
        m_verdictPending = true;
        m_verdictStage = AttestationStage::Attest;
        m_phase = Phase::Live;
        // The destination of PROXY protocol headers, for this connection's streams.
        m_muxSettings.relayAddress =
            proxy::relayAddress(QUrl(m_settings.relayUrl), m_ws->proxy(), m_ws->peerAddress());
        openStreams();
        m_sinceReceive.restart();
        m_keepaliveTimer.start(m_settings.timings.keepaliveIntervalMs);
        m_deadlineTimer.start(m_settings.timings.keepaliveDeadlineMs);
        m_stableTimer.start(m_settings.timings.stableAfterMs);
        qCInfo(lcSession).noquote()
            << m_settings.sessionId << "connected to" << m_settings.relayUrl;
        setState(SessionState::Connected);
        // The dial's garbage (TLS handshake, trust store) is freed by now; glibc would keep it
        // resident in the worker thread's arena for good. Once per connect, so cheap.
        HeapTrimmer::trimNow();
        break;
    case AttestationStage::Reauth:
        if (const qsizetype size = token.toUtf8().size(); size > protocol::kMaxClientMessage) {
            // The hub would end the session with 1009 anyway; say why instead.
            qCWarning(lcSession).noquote()
                << m_settings.sessionId << "re-attestation token too large (" << size
                << "bytes), ending the session";
            const QString why =
                QStringLiteral("token larger than %1 bytes").arg(protocol::kMaxClientMessage);
            noteError(QStringLiteral("re-attestation ") + why, SessionErrorKind::Other);
            reportAttestation(stage, AttestationResult::Failed, why);
            if (m_ws)
                m_ws->close(ws::Normal);
            return;
        }
        if (m_phase == Phase::Live && m_ws) {
            m_ws->sendTextMessage(token);
            qCInfo(lcSession).noquote() << m_settings.sessionId << "re-attested";
            // The hub's success is silent and its refusal a drop like any other (§3): sent = ok.
            reportAttestation(stage, AttestationResult::Ok);
        }
        break;
    }
}

void Session::openWebSocket() {
    dropWebSocket();
    m_phase = Phase::Dialing;
    m_ws = new WebSocketClient(this);
    m_ws->setMaxAllowedIncomingMessageSize(protocol::kIncomingMessageLimit);
    const QUrl url(m_settings.relayUrl);
    // The backend's `proxy:` key, else HTTPS_PROXY/ALL_PROXY/NO_PROXY, read at every dial.
    const proxy::Route route =
        proxy::routeFor(url, m_settings.backend.proxy, proxy::Environment::fromProcess());
    if (!route.error.isEmpty()) {
        attemptFailed(route.error, SessionErrorKind::Configuration);
        return;
    }
    m_ws->setProxy(route.proxy);
    if (url.scheme() == QLatin1String("wss")) {
        // Qt's default configuration keeps loading system roots on demand; tls.caFile and the
        // SSL_CERT_* roots Qt lacks are checked beside it (websocket/AddedRoots.h).
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        QString caError;
        QStringList envProblems;
        std::shared_ptr<const trust::AddedRoots> added;
        if (!trust::addedRoots(m_settings.backend.tls.caFile, &added, &caError, &envProblems)) {
            // The file went away or broke after the load: say so and retry (not a refusal).
            attemptFailed(caError, SessionErrorKind::Configuration,
                          QStringLiteral("tls.caFile unusable"));
            return;
        }
        for (const QString& problem : std::as_const(envProblems))
            qCWarning(lcSession).noquote() << m_settings.sessionId << problem;
        ssl.setAllowedNextProtocols({}); // never offer h2: the hub could not upgrade it
        m_ws->setSslConfiguration(ssl);
        m_ws->setAddedRoots(std::move(added));
        connect(m_ws, &WebSocketClient::sslErrors, this, [this](const QList<QSslError>& errors) {
            QStringList texts;
            for (const QSslError& e : errors)
                texts << e.errorString();
            noteError(
                QStringLiteral("TLS verification failed: %1").arg(texts.join(QStringLiteral("; "))),
                SessionErrorKind::Unreachable);
        });
    }
    connect(m_ws, &WebSocketClient::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        // A failed dial or upgrade may end without disconnected(): fail the attempt here.
        if (m_phase == Phase::Dialing && m_ws) {
            const QString why = m_lastError.isEmpty() ? m_ws->errorString() : m_lastError;
            attemptFailed(QStringLiteral("cannot reach %1: %2").arg(m_settings.relayUrl, why),
                          SessionErrorKind::Unreachable, why);
        }
    });
    connect(m_ws, &WebSocketClient::connected, this, &Session::onWsConnected);
    connect(m_ws, &WebSocketClient::disconnected, this, &Session::onWsDisconnected);
    connect(m_ws, &WebSocketClient::textMessageReceived, this, &Session::onTextMessage);
    connect(m_ws, &WebSocketClient::binaryMessageReceived, this, &Session::onBinaryMessage);
    connect(m_ws, &WebSocketClient::pong, this, [this] { m_sinceReceive.restart(); });
    connect(m_ws, &WebSocketClient::bytesWritten, this, [this] {
        if (m_mux && m_ws)
            m_mux->onLinkWritten();
    });
    m_lastError.clear();
    m_errorKind = SessionErrorKind::None;
    m_ws->open(url);
}

void Session::onWsConnected() {
    m_phase = Phase::WaitingChallenge;
    setState(SessionState::Authenticating);
    m_ws->sendTextMessage(m_handshakeToken);
    m_handshakeToken.clear();
    m_attemptTimer.start(m_settings.timings.challengeTimeoutMs);
}

void Session::onTextMessage(const QString& text) {
    m_sinceReceive.restart();
    const auto challenge = protocol::parseChallenge(text.toUtf8());
    if (m_phase == Phase::WaitingChallenge) {
        m_attemptTimer.stop();
        if (!challenge || challenge->type != protocol::Challenge::Type::Handshake ||
            challenge->nonce.trimmed().isEmpty()) {
            attemptFailed(QStringLiteral("unexpected message during handshake"),
                          SessionErrorKind::Unreachable);
            return;
        }
        settleVerdict(AttestationResult::Ok); // the hub accepted stage 0
        m_phase = Phase::Attesting;
        m_pendingStage = AttestationStage::Attest;
        m_pendingRequest = m_provider->request({AttestationStage::Attest, challenge->nonce});
        return;
    }
    if (m_phase == Phase::Live)
        settleVerdict(AttestationResult::Ok); // the hub talks to us after stage 1
    if (m_phase != Phase::Live || !challenge ||
        challenge->type != protocol::Challenge::Type::Reauth)
        return; // late handshake challenges, unknown types and non-JSON text are ignored
    if (challenge->nonce.trimmed().isEmpty()) {
        qCWarning(lcSession).noquote() << m_settings.sessionId << "reauth challenge without nonce";
        m_ws->close(ws::ProtocolError);
        return;
    }
    // Asynchronous: the WebSocket keeps being read while the provider works (protocol.md §3).
    if (m_pendingRequest)
        m_provider->cancel(m_pendingRequest);
    m_pendingStage = AttestationStage::Reauth;
    m_pendingRequest = m_provider->request({AttestationStage::Reauth, challenge->nonce});
}

void Session::onBinaryMessage(const QByteArray& message) {
    m_sinceReceive.restart();
    if (m_phase == Phase::WaitingChallenge) {
        // protocol.md §2.1: the first message must be the text challenge.
        attemptFailed(QStringLiteral("expected text message during handshake"),
                      SessionErrorKind::Unreachable);
        return;
    }
    if (m_phase != Phase::Live)
        return;
    if (!m_established) {
        settleVerdict(AttestationResult::Ok); // the hub relays to us after stage 1
        m_established = true;
        m_backoff.reset();
    }
    m_mux->onHubMessage(message);
}

void Session::openStreams() {
    closeAllStreams(false); // none left from an earlier connection, normally
    m_mux = new StreamMultiplexer(m_muxSettings, this, this);
    connect(m_mux, &StreamMultiplexer::streamChanged, this, &Session::streamChanged);
    connect(m_mux, &StreamMultiplexer::streamClosed, this, &Session::streamClosed);
}

void Session::closeAllStreams(bool notifyHub) {
    if (!m_mux)
        return;
    StreamMultiplexer* mux = std::exchange(m_mux, nullptr);
    mux->closeAll(notifyHub);
    m_bytesIn += mux->bytesIn();
    m_bytesOut += mux->bytesOut();
    m_retired.erase(std::remove_if(m_retired.begin(), m_retired.end(),
                                   [](const QPointer<StreamMultiplexer>& old) { return !old; }),
                    m_retired.end());
    m_retired.emplace_back(mux);
    mux->retire(); // deletes itself once its closing streams are released
}

bool Session::isOpen() const {
    return m_ws && m_phase == Phase::Live;
}

void Session::sendBinary(const QByteArray& message) {
    m_ws->sendBinaryMessage(message);
}

qint64 Session::bytesToWrite() const {
    return m_ws ? m_ws->bytesToWrite() : 0;
}

void Session::flush() {
    if (m_ws)
        m_ws->flush();
}

void Session::onSnapshotTick() {
    emitDirtyStreams();
    if (m_heapTrimmer.observe(m_mux ? int(m_mux->streamCount()) : 0, m_clock.elapsed()))
        HeapTrimmer::trimNow();
}

void Session::emitDirtyStreams() {
    bool changed = m_mux && m_mux->emitDirtyStreams();
    for (const QPointer<StreamMultiplexer>& old : m_retired) {
        if (old && old->emitDirtyStreams())
            changed = true;
    }
    if (changed)
        Q_EMIT sessionChanged(snapshot());
}

void Session::runHealthChecks() {
    if (m_mux)
        m_mux->checkHealth();
}

void Session::onKeepalive() {
    if (m_ws && m_phase == Phase::Live)
        m_ws->ping();
}

void Session::onReceiveDeadline() {
    if (!m_ws || m_phase != Phase::Live)
        return;
    // The read deadline (protocol.md §1.4) is re-armed by every message and pong. Rather than
    // restarting a timer per message, the timer fires at the old deadline and moves on to the
    // new one if something arrived meanwhile.
    const qint64 left = m_settings.timings.keepaliveDeadlineMs - m_sinceReceive.elapsed();
    if (left > 0) {
        m_deadlineTimer.start(int(left));
        return;
    }
    qCWarning(lcSession).noquote() << m_settings.sessionId << "relay silent for"
                                   << m_sinceReceive.elapsed() << "ms, reconnecting";
    noteError(QStringLiteral("relay stopped answering"), SessionErrorKind::ConnectionLost);
    m_ws->abort();
}

void Session::dropWebSocket() {
    if (!m_ws)
        return;
    WebSocketClient* ws = std::exchange(m_ws, nullptr);
    ws->disconnect(this);
    ws->abort();
    ws->deleteLater();
}

void Session::onWsDisconnected() {
    if (!m_ws && m_phase != Phase::Live && !m_stopping)
        return;
    const bool wasLive = m_phase == Phase::Live;
    const bool neverUpgraded = m_phase == Phase::Dialing; // DNS, refused, TLS: no WebSocket yet
    const bool established = m_established;
    int code = 0;
    QString reason;
    QString socketError;
    if (m_ws) {
        code = m_ws->closeCode();
        reason = m_ws->closeReason();
        if (m_ws->error() != QAbstractSocket::UnknownSocketError)
            socketError = m_ws->errorString();
        else if (neverUpgraded) // the dial failed without a socket error
            socketError = QStringLiteral("connection failed (host not found or unreachable)");
    }
    m_attemptTimer.stop();
    m_keepaliveTimer.stop();
    m_deadlineTimer.stop();
    m_stableTimer.stop();
    if (m_pendingRequest) {
        m_provider->cancel(m_pendingRequest);
        m_pendingRequest = 0;
    }
    closeAllStreams(false);
    dropWebSocket();

    if (m_stopping) {
        settleVerdict(AttestationResult::Lost, QStringLiteral("session stopped"));
        m_stopTimer.stop();
        m_phase = Phase::Stopped;
        setState(SessionState::Disabled);
        Q_EMIT stopped();
        return;
    }

    // A 1008 right after stage 1 is an authentication refusal, not a session end (protocol.md
    // §2.3): back off instead of reconnecting in a tight loop.
    const bool refused = code == ws::PolicyViolated;
    const SessionErrorKind endKind = refused   ? SessionErrorKind::AuthenticationRefused
                                     : wasLive ? SessionErrorKind::ConnectionLost
                                               : SessionErrorKind::Unreachable;
    QString error;
    SessionErrorKind kind = endKind;
    if (!reason.isEmpty()) {
        error = QStringLiteral("relay closed the connection (%1): %2").arg(code).arg(reason);
        if (refused)
            kind = refusalKind(reason);
    } else if (!m_lastError.isEmpty()) {
        error = m_lastError;
        kind = m_errorKind;
    } else if (!socketError.isEmpty()) {
        error = socketError;
    } else {
        error = QStringLiteral("connection closed (code %1)").arg(code);
    }
    const QString cause = error; // without the URL: "edge403.example.net" is no refusal
    settleVerdict(refused ? AttestationResult::Rejected : AttestationResult::Lost, error);
    if (neverUpgraded && reason.isEmpty())
        error = QStringLiteral("cannot reach %1: %2").arg(m_settings.relayUrl, error);

    if (wasLive && established && !refused) {
        qCInfo(lcSession).noquote()
            << m_settings.sessionId << "session ended:" << error << "- reconnecting";
        noteError(error, kind);
        beginAttempt();
        return;
    }
    attemptFailed(error, kind, cause);
}

void Session::attemptFailed(const QString& error, SessionErrorKind kind, const QString& cause) {
    if (m_stopping)
        return;
    settleVerdict(AttestationResult::Lost, error); // e.g. the dial failed: the token never arrived
    if (m_provider) // e.g. the keyring secret is read again for the retry
        m_provider->sessionAttemptFailed();
    if (m_ws) {
        // Called directly (e.g. challenge timeout): tear down first, then decide.
        m_attemptTimer.stop();
        if (m_pendingRequest) {
            m_provider->cancel(m_pendingRequest);
            m_pendingRequest = 0;
        }
        closeAllStreams(false);
        dropWebSocket();
    }
    m_phase = Phase::Backoff;
    if (m_networkWake) {
        m_networkWake = false;
        m_backoff.resetTransient();
        qCInfo(lcSession).noquote() << m_settings.sessionId << "attempt failed:" << error
                                    << "- network changed, retrying now";
        noteError(error, kind);
        QMetaObject::invokeMethod(this, &Session::beginAttempt, Qt::QueuedConnection);
        return;
    }
    std::optional<int> delay =
        m_backoff.nextDelayMs(classifyFailure(cause.isEmpty() ? error : cause));
    if (delay) // the provider's least wait (TokenResult::retryAfterMs), e.g. namek's Retry-After
        delay = std::max(*delay, std::exchange(m_minRetryMs, 0));
    if (!delay) {
        qCCritical(lcSession).noquote()
            << m_settings.sessionId << "giving up after repeated refusals:" << error;
        m_phase = Phase::Stopped;
        setState(SessionState::Failed, error, kind);
        return;
    }
    qCWarning(lcSession).noquote()
        << m_settings.sessionId << "attempt failed:" << error
        << QStringLiteral("- retrying in %1 s").arg(*delay / 1000.0, 0, 'f', 1);
    m_reconnectAt = QDateTime::currentDateTimeUtc().addMSecs(*delay);
    m_retryTimer.start(*delay);
    setState(SessionState::Backoff, error, kind);
}

void Session::networkAvailable() {
    if (m_stopping || m_phase == Phase::Stopped)
        return;
    if (m_phase == Phase::Backoff && m_retryTimer.isActive()) {
        qCInfo(lcSession).noquote() << m_settings.sessionId << "network is back, retrying now";
        m_backoff.resetTransient();
        beginAttempt();
        return;
    }
    m_networkWake = true;
}

void Session::closeStream(const QUuid& clientId) {
    if (m_mux && m_mux->closeStream(clientId))
        qCInfo(lcSession).noquote() << m_settings.sessionId << "stream"
                                    << clientId.toString(QUuid::WithoutBraces) << "closed by user";
}

QUuid Session::openOutbound(const QString& targetAddr, QIODevice* local, OutboundCallback done) {
    if (m_mux && isOpen() && !m_stopping)
        return m_mux->openOutbound(targetAddr, local, std::move(done));
    qCInfo(lcSession).noquote() << m_settings.sessionId << "outbound to" << targetAddr
                                << "refused:" << (m_stopping ? "stopping" : "not connected");
    if (m_stopping)
        done(OutboundResult{OutboundResult::Kind::Stopping,
                            QStringLiteral("the client is stopping")});
    else
        done(OutboundResult{OutboundResult::Kind::NotConnected,
                            QStringLiteral("the session is not connected")});
    local->close();
    local->deleteLater();
    return {};
}

bool Session::retryNow() {
    if (m_stopping || m_phase != Phase::Backoff || !m_retryTimer.isActive())
        return false;
    qCInfo(lcSession).noquote() << m_settings.sessionId << "retrying now (asked by the user)";
    m_backoff.reset();
    m_minRetryMs = 0;
    beginAttempt();
    return true;
}

void Session::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    m_retryTimer.stop();
    m_attemptTimer.stop();
    m_healthTimer.stop();
    if (m_pendingRequest && m_provider) {
        m_provider->cancel(m_pendingRequest);
        m_pendingRequest = 0;
    }
    if (m_ws && m_phase == Phase::Live) {
        // protocol.md §10.4: tell the hub about every stream, then close with 1001.
        closeAllStreams(true);
        m_phase = Phase::Stopped;
        m_stopTimer.start(m_settings.timings.shutdownTimeoutMs);
        m_ws->close(ws::GoingAway, QStringLiteral("client shutting down"));
        return;
    }
    closeAllStreams(false);
    dropWebSocket();
    settleVerdict(AttestationResult::Lost, QStringLiteral("session stopped"));
    m_phase = Phase::Stopped;
    setState(SessionState::Disabled);
    Q_EMIT stopped();
}

} // namespace nexustray
