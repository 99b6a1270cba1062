// See Socks5Handshake.h.
#include "socks5/Socks5Handshake.h"

#include <QHostAddress>
#include <QTcpSocket>

#include "Logging.h"
#include "socks5/Socks5Wire.h"

namespace nexustray::socks5 {

namespace {

// Holds the longest greeting + authentication + request (257 + 513 + 262 bytes) a client may
// send at once, and bounds what a client sending garbage can make us buffer.
constexpr qint64 kHandshakeReadBuffer = 2048;

// (QByteArray{a, b} would be QByteArray(size a, fill b).)
QByteArray twoBytes(char first, char second) {
    QByteArray bytes;
    bytes.append(first).append(second);
    return bytes;
}

QString phaseName(int phase) {
    static const char* const names[] = {"greeting", "authentication", "request"};
    return QLatin1String(names[phase]);
}

QString kindName(OutboundResult::Kind kind) {
    switch (kind) {
    case OutboundResult::Kind::Connected:
        return QStringLiteral("connected");
    case OutboundResult::Kind::Refused:
        return QStringLiteral("refused by the hub");
    case OutboundResult::Kind::Timeout:
        return QStringLiteral("no answer from the hub in time");
    case OutboundResult::Kind::NotConnected:
        return QStringLiteral("no live session");
    case OutboundResult::Kind::SessionLost:
        return QStringLiteral("session lost while pending");
    case OutboundResult::Kind::Stopping:
        return QStringLiteral("client stopping");
    }
    return {};
}

} // namespace

Socks5Handshake::Socks5Handshake(QTcpSocket* socket, Socks5Settings settings, OutboundOpener opener)
    : m_socket(socket)
    , m_settings(std::move(settings))
    , m_opener(std::move(opener)) {
    socket->setParent(this);
    socket->setReadBufferSize(kHandshakeReadBuffer);
    m_peer = socket->peerAddress().toString() + u':' + QString::number(socket->peerPort());
    connect(socket, &QIODevice::readyRead, this, &Socks5Handshake::onReadyRead);
    connect(socket, &QAbstractSocket::disconnected, this, &Socks5Handshake::onClientGone);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &Socks5Handshake::onDeadline);
    m_deadline.start(m_settings.deadlineMs);
    // Bytes may already be buffered (no readyRead would come for them).
    QTimer::singleShot(0, this, &Socks5Handshake::onReadyRead);
}

Socks5Handshake::~Socks5Handshake() = default;

QString Socks5Handshake::peer() const {
    return m_settings.label.isEmpty() ? m_peer : m_settings.label + u' ' + m_peer;
}

void Socks5Handshake::onReadyRead() {
    while (m_socket && m_phase < Phase::Pending && step()) {
    }
}

bool Socks5Handshake::step() {
    const QByteArray bytes = m_socket->peek(m_socket->bytesAvailable());
    const bool withAuth = !m_settings.username.isEmpty();
    switch (m_phase) {
    case Phase::Greeting: {
        const Greeting greeting = parseGreeting(bytes);
        if (greeting.status == Parse::Bad)
            fail({}, greeting.problem);
        if (greeting.status != Parse::Ok)
            return false;
        m_socket->read(greeting.length);
        const char method = withAuth ? kMethodUserPass : kMethodNoAuth;
        if (!greeting.methods.contains(method)) {
            fail(twoBytes(kVersion, kNoAcceptableMethod),
                 QStringLiteral("no acceptable authentication method (offered %1, need %2)")
                     .arg(QString::fromLatin1(greeting.methods.toHex(' ')),
                          withAuth ? QStringLiteral("02 username/password")
                                   : QStringLiteral("00 none")));
            return false;
        }
        m_socket->write(twoBytes(kVersion, method));
        m_phase = withAuth ? Phase::Auth : Phase::Request;
        return true;
    }
    case Phase::Auth: {
        const UserPass auth = parseUserPass(bytes);
        if (auth.status == Parse::Bad)
            fail({}, auth.problem);
        if (auth.status != Parse::Ok)
            return false;
        m_socket->read(auth.length);
        // Both compared every time (no short cut that would tell which one was wrong).
        const bool userOk = constantTimeEquals(auth.username, m_settings.username);
        const bool passOk = constantTimeEquals(auth.password, m_settings.password);
        if (!(userOk & passOk)) {
            fail(twoBytes(kUserPassVersion, 0x01),
                 QStringLiteral("authentication failed for user '%1'")
                     .arg(QString::fromUtf8(auth.username)));
            return false;
        }
        m_socket->write(twoBytes(kUserPassVersion, 0x00));
        m_phase = Phase::Request;
        return true;
    }
    case Phase::Request: {
        const Request request = parseRequest(bytes);
        if (request.status == Parse::Bad)
            fail({}, request.problem);
        if (request.status != Parse::Ok)
            return false;
        m_socket->read(request.length);
        if (request.reply != Reply::Succeeded)
            fail(replyBytes(request.reply), request.problem);
        else
            startOpen(request.targetAddr);
        return false;
    }
    case Phase::Pending:
    case Phase::Done:
        break;
    }
    return false;
}

void Socks5Handshake::onDeadline() {
    fail({}, QStringLiteral("no complete %1 within %2 ms")
                 .arg(phaseName(int(m_phase)))
                 .arg(m_settings.deadlineMs));
}

void Socks5Handshake::onClientGone() {
    if (m_phase == Phase::Pending) {
        // The socket is the opener's now; it learns this when it gets its result.
        qCInfo(lcSocks5).noquote()
            << peer() << "closed while the outbound dial to" << m_target << "was pending";
        return;
    }
    if (m_phase == Phase::Done)
        return;
    qCInfo(lcSocks5).noquote() << peer() << "closed during the" << phaseName(int(m_phase));
    m_phase = Phase::Done;
    m_deadline.stop();
    deleteLater(); // the socket is our child
}

void Socks5Handshake::startOpen(const QString& targetAddr) {
    m_deadline.stop();
    m_target = targetAddr;
    if (!m_opener) {
        fail(replyBytes(Reply::GeneralFailure),
             QStringLiteral("CONNECT %1: no session to ask").arg(targetAddr));
        return;
    }
    m_phase = Phase::Pending;
    QTcpSocket* socket = m_socket;
    disconnect(socket, &QIODevice::readyRead, this, &Socks5Handshake::onReadyRead);
    // Qt cannot stop reading a socket altogether: cap its buffer at what is there (at least one
    // byte, 0 would mean unlimited), so the rest of the client's data waits in the kernel until
    // the stream reads it.
    socket->setReadBufferSize(qMax<qint64>(socket->bytesAvailable(), 1));
    socket->setParent(nullptr);
    // The opener must call back before destroying it; should it not, do not linger.
    connect(socket, &QObject::destroyed, this, [this] {
        if (m_phase == Phase::Pending) {
            qCWarning(lcSocks5).noquote()
                << peer() << "socket destroyed without an outbound result for" << m_target;
            m_phase = Phase::Done;
            deleteLater();
        }
    });
    qCDebug(lcSocks5).noquote() << peer() << "CONNECT" << targetAddr;
    m_opener(targetAddr, socket, [self = QPointer<Socks5Handshake>(this)](const OutboundResult& r) {
        if (self)
            self->onResult(r);
    });
}

void Socks5Handshake::onResult(const OutboundResult& result) {
    if (m_phase != Phase::Pending) {
        qCWarning(lcSocks5).noquote() << peer() << "second outbound result ignored";
        return;
    }
    m_phase = Phase::Done;
    deleteLater();
    QTcpSocket* socket = m_socket;
    if (!socket)
        return;
    disconnect(socket, nullptr, this, nullptr);
    const QByteArray reply = replyBytes(replyFor(result.kind));
    const bool connected = socket->state() == QAbstractSocket::ConnectedState;
    const bool written = connected && socket->write(reply) == reply.size() && socket->flush();
    const QString outcome =
        kindName(result.kind) +
        (result.reason.isEmpty() ? QString() : QStringLiteral(" (") + result.reason + u')');
    if (result.kind == OutboundResult::Kind::Connected) {
        if (!written) {
            // The opener sees a socket that is no longer connected and ends the stream with
            // local_error (OutboundOpener.h).
            qCInfo(lcSocks5).noquote() << peer() << "CONNECT" << m_target
                                       << "succeeded but the client is gone; stream ends "
                                          "(local_error)";
            socket->abort();
            return;
        }
        qCInfo(lcSocks5).noquote() << peer() << "CONNECT" << m_target << "relaying";
        return;
    }
    qCInfo(lcSocks5).noquote() << peer() << "CONNECT" << m_target << "failed:" << outcome
                               << "- reply" << QString::fromLatin1(reply.mid(1, 1).toHex());
}

void Socks5Handshake::fail(const QByteArray& reply, const QString& why) {
    if (m_phase == Phase::Done)
        return;
    qCInfo(lcSocks5).noquote() << peer() << why << (reply.isEmpty() ? "- closed" : "- replied")
                               << QString::fromLatin1(reply.toHex(' '));
    m_phase = Phase::Done;
    m_deadline.stop();
    deleteLater();
    QTcpSocket* socket = m_socket;
    if (!socket)
        return;
    disconnect(socket, nullptr, this, nullptr);
    // Outlives us until the reply is out; unread bytes are taken so the close is a FIN, not a
    // reset that could overtake the reply.
    socket->setParent(nullptr);
    if (!reply.isEmpty())
        socket->write(reply);
    socket->read(socket->bytesAvailable());
    socket->flush();
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

} // namespace nexustray::socks5
