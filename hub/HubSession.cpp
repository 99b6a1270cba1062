#include "hub/HubSession.h"

#include "Logging.h"
#include "hub/HubEmulator_p.h"
#include "hub/HubUdpFlow.h"
#include "hub/HubUdpPort.h"
#include "hub/HubUserStream.h"
#include "protocol/Frame.h"

#include <QDateTime>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>

namespace nexustray::hub {

using namespace nexustray::protocol;

namespace {

constexpr int kMaxCloseReasonBytes = 123; // RFC 6455: 125-byte control payload minus the code
constexpr qint64 kMaxGrant = 1 << 20;
constexpr int kDefaultUdpTimeout = 30;
constexpr int kMinUdpTimeout = 5;
constexpr int kMaxUdpTimeout = 300;
constexpr int kDefaultReauthGrace = 10;
constexpr int kInitialOutboundCredits = 64;
// The real hub queues at most 256 messages per session lane, and its writer sends them at network
// speed. The emulator's WebSocket buffer is unbounded and flushes one block per event-loop turn,
// so without a bound it would read users megabytes ahead of what it writes, which no hub does
// (and which would make pause_stream meaningless in old-hub mode).
constexpr qint64 kMaxWriteBacklog = 1024 * 1024;

QString newNonce() {
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray raw(reinterpret_cast<const char*>(words), sizeof(words));
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QList<int> sortedUnique(QList<int> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

// The claim rules of protocol.md §2.2 / §8 / §9 that do not depend on the stage.
std::optional<SessionIdentity> buildIdentity(const TokenClaims& claims, const HubOptions& options,
                                             const QString& stage, QString* error) {
    SessionIdentity id;
    bool anyGiven = false;
    for (const QString& raw : claims.hostnames) {
        const QString name = normalizeHubHostname(raw);
        if (name.isEmpty()) {
            continue;
        }
        anyGiven = true;
        if (name.startsWith(QLatin1String("tcp:")) || name.startsWith(QLatin1String("udp:"))) {
            *error = QStringLiteral("%1 token hostname %2 uses a reserved route prefix")
                         .arg(stage, name.left(64));
            return std::nullopt;
        }
        if (!id.hostnames.contains(name)) {
            id.hostnames.append(name);
        }
    }
    if (!claims.hostnames.isEmpty() && !anyGiven) {
        *error = QStringLiteral("%1 token hostnames are all empty").arg(stage);
        return std::nullopt;
    }
    for (int port : claims.tcpPorts) {
        if (options.allowedTcpPortClaims) {
            if (options.allowedTcpPortClaims->isEmpty()) {
                *error =
                    QStringLiteral("tcp port claims are disabled (allowedTCPPortClaims is empty)");
                return std::nullopt;
            }
            if (!options.allowedTcpPortClaims->contains(port)) {
                *error = QStringLiteral("tcp port claim %1 is not allowed").arg(port);
                return std::nullopt;
            }
        }
        if (port < 1 || port > 65535) {
            *error = QStringLiteral("tcp port claim %1 is not allowed").arg(port);
            return std::nullopt;
        }
    }
    id.tcpPorts = sortedUnique(claims.tcpPorts);
    for (const auto& route : claims.udpRoutes) {
        if (options.allowedUdpPortClaims) {
            if (options.allowedUdpPortClaims->isEmpty()) {
                *error =
                    QStringLiteral("udp port claims are disabled (allowedUDPPortClaims is empty)");
                return std::nullopt;
            }
            if (!options.allowedUdpPortClaims->contains(route.port)) {
                *error = QStringLiteral("udp port claim %1 is not allowed").arg(route.port);
                return std::nullopt;
            }
        }
        if (route.port < 1 || route.port > 65535) {
            *error = QStringLiteral("udp port claim %1 is not allowed").arg(route.port);
            return std::nullopt;
        }
        qint64 timeout = route.flowIdleTimeoutSeconds.value_or(0);
        if (timeout <= 0) {
            timeout = kDefaultUdpTimeout;
        }
        timeout = std::clamp<qint64>(timeout, kMinUdpTimeout, kMaxUdpTimeout);
        const auto existing = id.udpRoutes.constFind(route.port);
        if (existing != id.udpRoutes.constEnd() && *existing != timeout) {
            *error =
                QStringLiteral("udp route %1 has conflicting flow idle timeouts").arg(route.port);
            return std::nullopt;
        }
        id.udpRoutes.insert(route.port, static_cast<int>(timeout));
    }
    if (claims.hasAllowedOutboundPorts && !claims.allowedOutboundPorts.isEmpty() &&
        !claims.outboundAllowed) {
        *error = QStringLiteral("allowed_outbound_ports requires outbound_allowed");
        return std::nullopt;
    }
    if (claims.outboundAllowed && !options.outboundEnabled) {
        *error = QStringLiteral("outbound connections are disabled on this proxy");
        return std::nullopt;
    }
    for (int port : claims.allowedOutboundPorts) {
        if (port < 1 || port > 65535 ||
            (!options.allowedOutboundPorts.isEmpty() &&
             !options.allowedOutboundPorts.contains(port))) {
            *error = QStringLiteral("outbound port %1 not allowed by server").arg(port);
            return std::nullopt;
        }
    }
    id.outboundAllowed = claims.outboundAllowed;
    id.allowedOutboundPorts = sortedUnique(claims.allowedOutboundPorts);
    return id;
}

// Identity equality across stages (protocol.md §2.2 stage 1, §3).
QString identityDifference(const SessionIdentity& a, const SessionIdentity& b, const QString& who) {
    QStringList ha = a.hostnames;
    QStringList hb = b.hostnames;
    ha.sort();
    hb.sort();
    if (ha != hb) {
        return who + QStringLiteral(" hostnames differ from handshake token");
    }
    if (a.tcpPorts != b.tcpPorts) {
        return who + QStringLiteral(" tcp ports differ from handshake token");
    }
    if (a.udpRoutes != b.udpRoutes) {
        return who + QStringLiteral(" udp routes differ from handshake token");
    }
    if (a.outboundAllowed != b.outboundAllowed ||
        a.allowedOutboundPorts != b.allowedOutboundPorts) {
        return who + QStringLiteral(" outbound settings differ from handshake token");
    }
    return QString();
}

// Settings that take effect at stage 1 and on every re-authentication.
QString checkSessionSettings(const TokenClaims& claims) {
    if (claims.maintenanceGraceCapSeconds && *claims.maintenanceGraceCapSeconds < 0) {
        return QStringLiteral("maintenance_grace_cap_seconds must not be negative");
    }
    if (!claims.authorizerStatusUri.isEmpty()) {
        const QUrl url(claims.authorizerStatusUri, QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty()) {
            return QStringLiteral("authorizer_status_uri must be an https URL with a host");
        }
    }
    return QString();
}

} // namespace

HubSession::HubSession(QWebSocket* socket, HubEmulatorPrivate* hub)
    : QObject(hub)
    , d(hub)
    , m_socket(socket) {
    m_socket->setParent(this);
    // See every message whole, so that oversize messages get our own 1009 and tokens are unlimited.
    m_socket->setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    m_socket->setMaxAllowedIncomingFrameSize(64 * 1024 * 1024);
    m_socket->setOutgoingFrameSize(128 * 1024); // the hub sends every message as one frame

    connect(m_socket, &QWebSocket::textMessageReceived, this, &HubSession::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &HubSession::onBinary);
    connect(m_socket, &QWebSocket::disconnected, this, &HubSession::onDisconnected);
    connect(m_socket, &QWebSocket::pong, this, [this] {
        if (m_state == State::Authenticated) {
            ++d->stats.keepalivePongs;
            armReadDeadline();
        }
    });
    connect(m_socket, &QWebSocket::bytesWritten, this, [this] {
        if (m_socket->bytesToWrite() == 0) {
            m_writeStallTimer.stop();
        } else {
            m_writeStallTimer.start();
        }
        if (m_usersHeld && m_socket->bytesToWrite() < kMaxWriteBacklog) {
            m_usersHeld = false;
            const auto streams = m_streams.values();
            for (HubUserStream* stream : streams) {
                stream->outputDrained();
            }
        }
    });

    for (QTimer* t : {&m_tokenTimer, &m_readDeadline, &m_reauthTimer, &m_reauthGraceTimer,
                      &m_writeStallTimer}) {
        t->setSingleShot(true);
    }
    m_tokenTimer.setInterval(d->options.tokenTimeoutMs);
    connect(&m_tokenTimer, &QTimer::timeout, this, &HubSession::onTokenTimeout);
    m_pingTimer.setInterval(d->options.pingIntervalMs);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] { m_socket->ping(); });
    m_readDeadline.setInterval(d->options.readDeadlineMs);
    connect(&m_readDeadline, &QTimer::timeout, this,
            [this] { dropSession(QStringLiteral("read deadline exceeded")); });
    connect(&m_reauthTimer, &QTimer::timeout, this, &HubSession::issueReauthChallenge);
    connect(&m_reauthGraceTimer, &QTimer::timeout, this,
            [this] { dropSession(QStringLiteral("reauth answer not received in time")); });
    m_writeStallTimer.setInterval(d->options.writeDeadlineMs);
    connect(&m_writeStallTimer, &QTimer::timeout, this, [this] {
        if (m_socket->bytesToWrite() > 0) {
            dropSession(QStringLiteral("write deadline exceeded"));
        }
    });

    m_tokenTimer.start();
}

HubSession::~HubSession() {
    m_socket->disconnect(this); // no callbacks from a socket that dies with us
}

void HubSession::onTokenTimeout() {
    if (m_state != State::AwaitStage0 && m_state != State::AwaitStage1) {
        return;
    }
    const QString stage =
        m_state == State::AwaitStage0 ? QStringLiteral("stage0") : QStringLiteral("stage1");
    rejectHandshake(QStringLiteral("read %1 token: read tcp %2->%3: i/o timeout")
                        .arg(stage, hubEndpoint(m_socket->localAddress(), m_socket->localPort()),
                             hubEndpoint(m_socket->peerAddress(), m_socket->peerPort())));
}

void HubSession::armReadDeadline() {
    m_readDeadline.start();
}

bool HubSession::oversize(qsizetype bytes) {
    if (bytes <= kMaxClientMessage) {
        return false;
    }
    violation(QStringLiteral("message of %1 bytes exceeds %2").arg(bytes).arg(kMaxClientMessage));
    closeSession(1009, QString());
    return true;
}

void HubSession::onText(const QString& text) {
    if (m_state == State::Finished) {
        return;
    }
    const QByteArray bytes = text.toUtf8();
    switch (m_state) {
    case State::AwaitStage0:
        handleStage0(bytes);
        return;
    case State::AwaitStage1:
        handleStage1(bytes);
        return;
    case State::Authenticated:
        if (oversize(bytes.size())) {
            return;
        }
        armReadDeadline();
        if (!m_reauthNonce.isEmpty()) {
            handleReauth(bytes);
        }
        // Text while no re-authentication is pending is ignored.
        return;
    case State::Finished:
        return;
    }
}

void HubSession::onBinary(const QByteArray& message) {
    if (m_state == State::Finished) {
        return;
    }
    if (m_state != State::Authenticated) {
        rejectHandshake(QStringLiteral("expected text frame for %1 token, got type 2")
                            .arg(m_state == State::AwaitStage0 ? QStringLiteral("stage0")
                                                               : QStringLiteral("stage1")));
        return;
    }
    if (oversize(message.size())) {
        return;
    }
    armReadDeadline();
    const DecodedMessage decoded = decodeMessage(message);
    switch (decoded.kind) {
    case DecodedMessage::Kind::Invalid:
        violation(decoded.error);
        return;
    case DecodedMessage::Kind::Control:
        handleControl(decoded.control);
        return;
    case DecodedMessage::Kind::Data: {
        HubUserStream* stream = m_streams.value(decoded.clientId);
        HubUdpFlow* flow = stream ? nullptr : m_udpFlows.value(decoded.clientId);
        if (!stream && !flow) {
            return; // unknown ID: dropped silently
        }
        d->stats.bytesFromClient += static_cast<quint64>(decoded.payload.size());
        ReverseGrants& reverse = stream ? stream->reverse : flow->reverse;
        if (d->options.initialCredits > 0 && reverse.received()) {
            ++d->stats.creditOverdrafts;
        }
        if (stream) {
            stream->writeFromClient(decoded.payload);
        } else {
            flow->port->writeFromClient(flow, decoded.payload); // exactly one datagram
        }
        return;
    }
    }
}

void HubSession::handleStage0(const QByteArray& token) {
    QString error;
    const auto claims = d->validator.validate(token, nowMs(), &error);
    if (!claims) {
        rejectHandshake(QStringLiteral("stage0 token validation failed: jwt validation failed: ") +
                        error);
        return;
    }
    m_backendName = claims->subject;
    if (claims->hostnames.isEmpty() && claims->tcpPorts.isEmpty() && claims->udpRoutes.isEmpty()) {
        rejectHandshake(QStringLiteral("stage0 token missing hostnames and port claims"));
        return;
    }
    auto identity = buildIdentity(*claims, d->options, QStringLiteral("stage0"), &error);
    if (!identity) {
        rejectHandshake(error);
        return;
    }
    if (claims->handshakeMaxAgeSeconds > 0) {
        if (!claims->iat) {
            rejectHandshake(QStringLiteral("stage0 token missing iat required by "
                                           "handshake_max_age_seconds"));
            return;
        }
        const double age = static_cast<double>(nowMs()) / 1000.0 - *claims->iat;
        if (age > static_cast<double>(claims->handshakeMaxAgeSeconds)) {
            rejectHandshake(QStringLiteral("stage0 token too old: issued %1s ago, max %2s")
                                .arg(static_cast<qint64>(age))
                                .arg(claims->handshakeMaxAgeSeconds));
            return;
        }
    }
    m_identity = *identity;
    m_weight = claims->weight.value_or(0) <= 0 ? 1 : static_cast<int>(*claims->weight);
    m_nonce = newNonce();
    Challenge challenge;
    challenge.type = Challenge::Type::Handshake;
    challenge.nonce = m_nonce;
    m_socket->sendTextMessage(QString::fromLatin1(serializeChallenge(challenge)));
    m_state = State::AwaitStage1;
    m_tokenTimer.start();
}

void HubSession::handleStage1(const QByteArray& token) {
    QString error;
    const auto claims = d->validator.validate(token, nowMs(), &error);
    if (!claims) {
        rejectHandshake(QStringLiteral("stage1 token validation failed: jwt validation failed: ") +
                        error);
        return;
    }
    if (claims->sessionNonce != m_nonce) {
        rejectHandshake(QStringLiteral("session nonce mismatch: expected %1 got %2")
                            .arg(m_nonce, claims->sessionNonce));
        return;
    }
    const auto identity = buildIdentity(*claims, d->options, QStringLiteral("stage1"), &error);
    if (!identity) {
        rejectHandshake(error);
        return;
    }
    const QString difference =
        identityDifference(m_identity, *identity, QStringLiteral("attested token"));
    if (!difference.isEmpty()) {
        rejectHandshake(difference);
        return;
    }
    if (claims->weight.value_or(0) > 0 && *claims->weight != m_weight) {
        rejectHandshake(QStringLiteral("attested token weight differs from handshake token"));
        return;
    }
    const QString settings = checkSessionSettings(*claims);
    if (!settings.isEmpty()) {
        rejectHandshake(settings);
        return;
    }
    if (!claims->subject.isEmpty()) {
        m_backendName = claims->subject;
    }
    m_tokenTimer.stop();
    m_state = State::Authenticated;
    applyReauthSettings(*claims);
    m_pingTimer.start();
    armReadDeadline();
    d->sessionAuthenticated(this);
    scheduleReauth();
}

void HubSession::applyReauthSettings(const TokenClaims& claims) {
    m_reauthIntervalSeconds = std::max<qint64>(0, claims.reauthIntervalSeconds);
    m_reauthGraceSeconds =
        claims.reauthGraceSeconds > 0 ? claims.reauthGraceSeconds : kDefaultReauthGrace;
}

void HubSession::scheduleReauth() {
    m_reauthTimer.stop();
    if (m_reauthIntervalSeconds <= 0 || m_state != State::Authenticated) {
        return;
    }
    // interval plus a random 0-20 %
    const double factor = 1.0 + QRandomGenerator::global()->bounded(0.2);
    const double ms =
        static_cast<double>(m_reauthIntervalSeconds) * d->options.secondUnitMs * factor;
    m_reauthTimer.start(static_cast<int>(std::min(ms, 2.0e9)));
}

void HubSession::issueReauthChallenge() {
    if (m_state != State::Authenticated) {
        return;
    }
    m_reauthTimer.stop();
    m_reauthNonce = newNonce();
    Challenge challenge;
    challenge.type = Challenge::Type::Reauth;
    challenge.nonce = m_reauthNonce;
    m_socket->sendTextMessage(QString::fromLatin1(serializeChallenge(challenge)));
    m_reauthGraceTimer.start(static_cast<int>(
        std::min<qint64>(m_reauthGraceSeconds * d->options.secondUnitMs, 2000000000)));
    Q_EMIT d->q->reauthChallengeSent(m_backendName);
}

void HubSession::handleReauth(const QByteArray& token) {
    const QString nonce = m_reauthNonce;
    m_reauthNonce.clear(); // only the first token per challenge counts
    m_reauthGraceTimer.stop();
    QString error;
    const auto claims = d->validator.validate(token, nowMs(), &error);
    if (!claims) {
        dropSession(QStringLiteral("reauth token validation failed: ") + error);
        return;
    }
    if (claims->sessionNonce != nonce) {
        dropSession(QStringLiteral("reauth session nonce mismatch"));
        return;
    }
    const auto identity = buildIdentity(*claims, d->options, QStringLiteral("reauth"), &error);
    if (!identity) {
        dropSession(error);
        return;
    }
    QString difference = identityDifference(m_identity, *identity, QStringLiteral("reauth token"));
    if (difference.isEmpty() && claims->weight.value_or(0) > 0 && *claims->weight != m_weight) {
        difference = QStringLiteral("reauth token weight differs from handshake token");
    }
    if (difference.isEmpty()) {
        difference = checkSessionSettings(*claims);
    }
    if (!difference.isEmpty()) {
        dropSession(difference);
        return;
    }
    applyReauthSettings(*claims);
    Q_EMIT d->q->sessionReauthenticated(m_backendName);
    scheduleReauth();
}

void HubSession::handleControl(const ControlMessage& message) {
    if (HubUdpFlow* flow = m_udpFlows.value(message.clientId)) {
        handleUdpControl(flow, message);
        return;
    }
    HubUserStream* stream = m_streams.value(message.clientId);
    switch (message.event) {
    case ControlEvent::Disconnect:
        Q_EMIT d->q->clientDisconnectReceived(message.clientId, message.reason);
        if (stream) {
            m_streams.remove(message.clientId);
            --d->stats.activeStreams;
            Q_EMIT d->q->streamClosed(message.clientId, QStringLiteral("client disconnect"));
            stream->closeAfterClientDisconnect();
        }
        return;
    case ControlEvent::PingClient:
        if (stream) {
            ControlMessage pong;
            pong.event = ControlEvent::PongClient;
            pong.clientId = message.clientId;
            sendControl(pong);
        }
        return;
    case ControlEvent::PauseStream:
        if (stream) {
            ++d->stats.pausesReceived;
            stream->pause();
        }
        return;
    case ControlEvent::ResumeStream:
        if (stream) {
            stream->resume(std::min(message.credits, kMaxGrant));
        }
        return;
    case ControlEvent::OutboundConnect:
        handleOutboundConnect(message);
        return;
    case ControlEvent::Connect:
    case ControlEvent::PongClient:
    case ControlEvent::OutboundResult:
    case ControlEvent::Unknown:
        qCDebug(lcHub) << "ignoring event" << message.rawEvent;
        return;
    }
}

// Control messages for a UDP flow: as for a stream, except that pause_stream does nothing.
void HubSession::handleUdpControl(HubUdpFlow* flow, const ControlMessage& message) {
    switch (message.event) {
    case ControlEvent::Disconnect:
        Q_EMIT d->q->clientDisconnectReceived(message.clientId, message.reason);
        m_udpFlows.remove(message.clientId);
        flow->port->clientDisconnected(flow);
        return;
    case ControlEvent::PingClient: {
        ControlMessage pong;
        pong.event = ControlEvent::PongClient;
        pong.clientId = message.clientId;
        sendControl(pong);
        return;
    }
    case ControlEvent::PauseStream:
        ++d->stats.pausesReceived; // no effect on UDP (protocol.md §8.3)
        return;
    case ControlEvent::ResumeStream:
        flow->port->creditGranted(flow, std::min(message.credits, kMaxGrant));
        return;
    case ControlEvent::OutboundConnect:
        handleOutboundConnect(message); // refused: the ID is in use
        return;
    case ControlEvent::Connect:
    case ControlEvent::PongClient:
    case ControlEvent::OutboundResult:
    case ControlEvent::Unknown:
        qCDebug(lcHub) << "ignoring event" << message.rawEvent;
        return;
    }
}

void HubSession::handleOutboundConnect(const ControlMessage& message) {
    auto refuse = [&](const QString& reason) {
        ControlMessage result;
        result.event = ControlEvent::OutboundResult;
        result.clientId = message.clientId;
        result.reason = reason;
        sendControl(result);
    };
    if (!d->options.outboundEnabled) {
        return refuse(QStringLiteral("outbound connections disabled on this proxy"));
    }
    if (!m_identity.outboundAllowed) {
        return refuse(QStringLiteral("outbound connections not allowed for this backend"));
    }
    const QString target = message.targetAddr;
    if (target.toUtf8().size() > 260) {
        return refuse(QStringLiteral("target address too long"));
    }
    for (QChar c : target) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
            return refuse(QStringLiteral("target address contains control characters"));
        }
    }
    const qsizetype colon = target.lastIndexOf(QLatin1Char(':'));
    QString host = colon > 0 ? target.left(colon) : QString();
    const QString portText = colon > 0 ? target.mid(colon + 1) : QString();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'))) {
        host = host.mid(1, host.size() - 2);
    } else if (host.contains(QLatin1Char(':'))) {
        host.clear(); // an IPv6 literal must be bracketed
    }
    if (host.isEmpty() || portText.isEmpty()) {
        return refuse(QStringLiteral("invalid target address"));
    }
    bool ok = false;
    const int port = portText.toInt(&ok);
    if (!ok || port < 1 || port > 65535) {
        return refuse(QStringLiteral("invalid target port"));
    }
    if (!d->options.allowedOutboundPorts.isEmpty() &&
        !d->options.allowedOutboundPorts.contains(port)) {
        return refuse(QStringLiteral("outbound port %1 not allowed by server").arg(port));
    }
    if (!m_identity.allowedOutboundPorts.isEmpty() &&
        !m_identity.allowedOutboundPorts.contains(port)) {
        return refuse(QStringLiteral("outbound port %1 not allowed for this backend").arg(port));
    }
    int outbound = m_outboundInFlight;
    for (HubUserStream* s : std::as_const(m_streams)) {
        outbound += s->isOutbound() ? 1 : 0;
    }
    if (outbound >= d->options.maxOutboundPerSession) {
        return refuse(QStringLiteral("outbound connection limit exceeded"));
    }
    if (message.clientId.isNull()) {
        return refuse(QStringLiteral("missing client ID"));
    }
    if (d->options.outboundWithholdResult) {
        return; // test hook: the request passed every check and is never answered
    }
    // An ID already in use is found only when the dialled stream is registered (§9.1: after
    // the dial), so a duplicate ID to an unreachable target reads "dial failed".
    ++m_outboundInFlight;
    // The stream reports back with attachStream() or outboundDialFailed().
    new HubUserStream(this, message.clientId, host, static_cast<quint16>(port), d);
}

void HubSession::attachStream(HubUserStream* stream, const QString& hostname, bool isTls,
                              bool httpPrelude) {
    if (stream->isOutbound()) {
        // Outbound dial finished: success result (before any data), then relay.
        --m_outboundInFlight;
        if (m_state != State::Authenticated) {
            stream->abortNow();
            return;
        }
        if (m_streams.contains(stream->id()) || m_udpFlows.contains(stream->id())) {
            ControlMessage refused;
            refused.event = ControlEvent::OutboundResult;
            refused.clientId = stream->id();
            refused.reason = QStringLiteral("registration failed: client ID already in use");
            sendControl(refused);
            stream->abortNow();
            return;
        }
        m_streams.insert(stream->id(), stream);
        ++d->stats.activeStreams;
        ++d->stats.streamsOpened;
        stream->attach(this, stream->id());
        stream->reverse.clientBalance = kInitialOutboundCredits;
        ControlMessage result;
        result.event = ControlEvent::OutboundResult;
        result.clientId = stream->id();
        result.success = true;
        result.credits = d->options.initialCredits > 0 ? kInitialOutboundCredits : 0;
        sendControl(result);
        Q_EMIT d->q->streamOpened(stream->id(), hostname);
        return;
    }
    const QUuid id = newStreamId();
    const QByteArray prelude = stream->takePrelude();
    m_streams.insert(id, stream);
    ++d->stats.activeStreams;
    ++d->stats.streamsOpened;
    stream->reverse.clientBalance = d->options.initialCredits;

    ControlMessage connectMsg;
    connectMsg.event = ControlEvent::Connect;
    connectMsg.clientId = id;
    connectMsg.connPort = stream->relayPort().advertisedPort;
    connectMsg.clientIp = stream->clientAddress();
    connectMsg.transport = QStringLiteral("tcp");
    connectMsg.hostname = hostname;
    connectMsg.isTls = isTls;
    connectMsg.credits = std::max(0, d->options.initialCredits);
    sendControl(connectMsg);
    Q_EMIT d->q->streamOpened(id, hostname);
    // The first data message may exceed 32 768 bytes for an HTTP head (up to 64 KiB); other
    // preludes are at most 32 KiB (TLS) or are cut into ordinary chunks.
    const QByteArray header = dataHeader(id);
    const qsizetype chunk = httpPrelude ? prelude.size() : kMaxDataPayload;
    for (qsizetype at = 0; at < prelude.size(); at += chunk) {
        sendData(header, QByteArrayView(prelude).sliced(at, std::min(chunk, prelude.size() - at)));
        stream->preludeSent();
    }
    stream->attach(this, id); // starts relaying (and may read more right away)
}

QUuid HubSession::newStreamId() const {
    QUuid id = QUuid::createUuid();
    while (m_streams.contains(id) || m_udpFlows.contains(id)) {
        id = QUuid::createUuid();
    }
    return id;
}

void HubSession::attachUdpFlow(HubUdpFlow* flow) {
    m_udpFlows.insert(flow->id, flow);
    flow->reverse.clientBalance = d->options.initialCredits;
    ControlMessage connectMsg;
    connectMsg.event = ControlEvent::Connect;
    connectMsg.clientId = flow->id;
    connectMsg.connPort = flow->port->advertisedPort();
    connectMsg.clientIp = flow->clientAddress();
    connectMsg.transport = QStringLiteral("udp");
    connectMsg.hostname = QStringLiteral("udp:%1").arg(flow->port->advertisedPort());
    connectMsg.credits = std::max(0, d->options.initialCredits);
    sendControl(connectMsg);
}

void HubSession::udpFlowEnded(HubUdpFlow* flow, bool notifyClient) {
    if (m_udpFlows.value(flow->id) != flow) {
        return;
    }
    m_udpFlows.remove(flow->id);
    if (notifyClient && m_state == State::Authenticated) {
        ControlMessage disconnect;
        disconnect.event = ControlEvent::Disconnect;
        disconnect.clientId = flow->id;
        sendControl(disconnect);
    }
}

qint64 HubSession::udpIdleTimeoutMs(quint16 advertisedPort) const {
    return qint64(m_identity.udpRoutes.value(advertisedPort, kDefaultUdpTimeout)) *
           d->options.secondUnitMs;
}

void HubSession::sendReverseGrant(const QUuid& id) {
    ControlMessage grant;
    grant.event = ControlEvent::ResumeStream;
    grant.clientId = id;
    grant.credits = ReverseGrants::kBatch;
    sendControl(grant);
}

void HubSession::outboundDialFailed(HubUserStream* stream, const QString& reason) {
    --m_outboundInFlight;
    ControlMessage result;
    result.event = ControlEvent::OutboundResult;
    result.clientId = stream->id();
    result.reason = reason;
    if (m_state == State::Authenticated) {
        sendControl(result);
    }
}

void HubSession::streamEnded(HubUserStream* stream, const QString& why, bool notifyClient) {
    const QUuid id = stream->id();
    if (m_streams.value(id) != stream) {
        return;
    }
    m_streams.remove(id);
    --d->stats.activeStreams;
    if (notifyClient && m_state == State::Authenticated) {
        ControlMessage disconnect;
        disconnect.event = ControlEvent::Disconnect;
        disconnect.clientId = id;
        sendControl(disconnect);
    }
    Q_EMIT d->q->streamClosed(id, why);
}

void HubSession::sendControl(const ControlMessage& message) {
    if (m_state == State::Finished) {
        return;
    }
    if (message.event == ControlEvent::ResumeStream) {
        ++d->stats.reverseGrantsSent;
    }
    m_socket->sendBinaryMessage(encodeControl(message));
    if (m_socket->bytesToWrite() > 0 && !m_writeStallTimer.isActive()) {
        m_writeStallTimer.start();
    }
}

void HubSession::sendData(const QByteArray& header, QByteArrayView payload) {
    if (m_state == State::Finished) {
        return;
    }
    d->stats.bytesToClient += static_cast<quint64>(payload.size());
    m_socket->sendBinaryMessage(encodeData(header, payload));
    if (m_socket->bytesToWrite() > 0 && !m_writeStallTimer.isActive()) {
        m_writeStallTimer.start();
    }
}

bool HubSession::mayReadUsers() {
    if (m_socket->bytesToWrite() < kMaxWriteBacklog) {
        return true;
    }
    m_usersHeld = true;
    return false;
}

void HubSession::sendRawBinary(const QByteArray& message) {
    if (m_state == State::Authenticated) {
        m_socket->sendBinaryMessage(message);
    }
}

void HubSession::sendRawText(const QByteArray& message) {
    if (m_state == State::Authenticated) {
        m_socket->sendTextMessage(QString::fromUtf8(message));
    }
}

void HubSession::violation(const QString& what) {
    ++d->stats.protocolViolations;
    Q_EMIT d->q->protocolViolation(what);
}

void HubSession::rejectHandshake(const QString& reason) {
    if (m_state == State::Finished) {
        return;
    }
    ++d->stats.sessionsRejected;
    qCDebug(lcHub) << "handshake rejected:" << reason;
    if (reason.toUtf8().size() > kMaxCloseReasonBytes) {
        // The real hub fails to write such a close frame and just drops the connection.
        dropSession(reason);
    } else {
        closeSession(1008, reason);
    }
}

void HubSession::closeSession(int code, const QString& reason) {
    if (m_state == State::Finished) {
        return;
    }
    finish(code, reason);
    m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    // A peer that never answers the close frame must not keep the session alive.
    QTimer::singleShot(5000, this, [this] { m_socket->abort(); });
}

void HubSession::dropSession(const QString& why) {
    if (m_state == State::Finished) {
        return;
    }
    finish(1006, why);
    m_socket->abort();
}

void HubSession::onDisconnected() {
    if (m_state == State::Finished) {
        deleteLater();
        return;
    }
    finish(m_socket->closeCode(), m_socket->closeReason());
    deleteLater();
}

void HubSession::finish(int code, const QString& reason) {
    const bool wasAuthenticated = m_state == State::Authenticated;
    m_state = State::Finished;
    for (QTimer* t : {&m_tokenTimer, &m_pingTimer, &m_readDeadline, &m_reauthTimer,
                      &m_reauthGraceTimer, &m_writeStallTimer}) {
        t->stop();
    }
    // Session end: every user connection is flushed and closed; nothing more goes to the client.
    const auto streams = m_streams;
    m_streams.clear();
    for (auto it = streams.begin(); it != streams.end(); ++it) {
        --d->stats.activeStreams;
        Q_EMIT d->q->streamClosed(it.key(), QStringLiteral("session ended"));
        it.value()->closeGracefully();
    }
    const auto flows = std::exchange(m_udpFlows, {});
    for (HubUdpFlow* flow : flows) {
        flow->port->sessionEnded(flow);
    }
    if (wasAuthenticated) {
        --d->stats.authenticatedSessions;
    }
    d->sessionFinished(this);
    Q_EMIT d->q->sessionClosed(m_backendName, code, reason);
}

} // namespace nexustray::hub
