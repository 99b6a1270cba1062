#include "hub/HubUserStream.h"

#include <utility>

#include "Logging.h"
#include "hub/HubEmulator_p.h"
#include "hub/HubSession.h"
#include "protocol/Frame.h"

#include <QHostAddress>
#include <QTcpSocket>

#include <sys/socket.h>

namespace nexustray::hub {

using namespace nexustray::protocol;

namespace {
constexpr int kUserEofFlushMs = 50;            // buffered writes get ~50 ms after a user EOF
constexpr int kClientDisconnectCloseMs = 2000; // half-close, full close 2 s later
} // namespace

HubUserStream::HubUserStream(QTcpSocket* socket, const RelayPort& port, HubEmulatorPrivate* hub)
    : QObject(hub)
    , d(hub)
    , m_socket(socket)
    , m_port(port) {
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // like Go's net package
    // Bound Qt's read buffer so that "not reading" really stops reading the kernel socket.
    m_socket->setReadBufferSize(kMaxHttpPrelude);
    if (d->options.userSendBufferBytes > 0) {
        m_socket->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption,
                                  d->options.userSendBufferBytes);
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &HubUserStream::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HubUserStream::onBytesWritten);
    connect(m_socket, &QTcpSocket::readChannelFinished, this, &HubUserStream::onUserEof);
    connect(m_socket, &QTcpSocket::disconnected, this, &HubUserStream::onUserEof);

    m_sniffTimer.setSingleShot(true);
    connect(&m_sniffTimer, &QTimer::timeout, this, [this] {
        if (m_phase != Phase::Sniffing) {
            return;
        }
        // Nothing (or an unfinished prelude) in time: no SNI/Host to route by.
        const bool tls = !m_prelude.isEmpty() && m_prelude.at(0) == 0x16;
        decide({tls ? PreludeResult::Kind::Tls : PreludeResult::Kind::Other, {}});
    });
    m_noCreditTimer.setSingleShot(true);
    m_noCreditTimer.setInterval(d->options.noCreditIdleTimeoutMs);
    connect(&m_noCreditTimer, &QTimer::timeout, this,
            [this] { kill(QStringLiteral("no forward credit")); });
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        m_socket->abort();
        deleteLater();
    });

    m_sniffTimer.start(d->options.sniffTimeoutMs);
    if (m_socket->bytesAvailable() > 0) {
        sniff();
    }
}

HubUserStream::HubUserStream(HubSession* session, const QUuid& id, const QString& host,
                             quint16 port, HubEmulatorPrivate* hub)
    : QObject(hub)
    , d(hub)
    , m_socket(new QTcpSocket(this))
    , m_outbound(true)
    , m_phase(Phase::Dialing)
    , m_session(session)
    , m_id(id) {
    m_port.advertisedPort = port;
    m_socket->setReadBufferSize(kMaxDataPayload);
    connect(m_socket, &QTcpSocket::readyRead, this, &HubUserStream::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HubUserStream::onBytesWritten);
    connect(m_socket, &QTcpSocket::readChannelFinished, this, &HubUserStream::onUserEof);
    connect(m_socket, &QTcpSocket::disconnected, this, &HubUserStream::onUserEof);
    m_noCreditTimer.setSingleShot(true);
    m_noCreditTimer.setInterval(d->options.noCreditIdleTimeoutMs);
    connect(&m_noCreditTimer, &QTimer::timeout, this,
            [this] { kill(QStringLiteral("no forward credit")); });
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        m_socket->abort();
        deleteLater();
    });

    auto dialFailed = [this] {
        if (m_phase != Phase::Dialing) {
            return;
        }
        m_phase = Phase::Closing;
        m_sniffTimer.stop();
        if (m_session) {
            m_session->outboundDialFailed(this, QStringLiteral("dial failed"));
        }
        m_socket->abort();
        deleteLater();
    };
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        if (m_phase != Phase::Dialing) {
            return;
        }
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // like Go's net package
        m_sniffTimer.stop();
        if (!m_session) {
            m_phase = Phase::Closing;
            m_socket->abort();
            deleteLater();
            return;
        }
        m_session->attachStream(this, QString(), false);
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, dialFailed);
    m_sniffTimer.setSingleShot(true);
    connect(&m_sniffTimer, &QTimer::timeout, this, dialFailed);
    m_sniffTimer.start(d->options.outboundDialTimeoutMs);
    m_socket->connectToHost(host, port);
}

HubUserStream::~HubUserStream() {
    m_socket->disconnect(this); // no callbacks from a socket that dies with us
    d->userFinished(this);
}

QString HubUserStream::clientAddress() const {
    return hubEndpoint(m_socket->peerAddress(), m_socket->peerPort());
}

QByteArray HubUserStream::takePrelude() {
    return std::exchange(m_prelude, QByteArray());
}

void HubUserStream::onReadyRead() {
    if (m_phase == Phase::Sniffing) {
        sniff();
    } else if (m_phase == Phase::Relaying) {
        pump();
    } else if (m_phase == Phase::Closing) {
        m_socket->readAll(); // discarded; keep reading so that the user's EOF is seen
    }
}

void HubUserStream::sniff() {
    if (m_prelude.isEmpty() && m_socket->bytesAvailable() > 0) {
        // Something arrived: allow the longer prelude timeout for the rest of it.
        m_sniffTimer.start(d->options.preludeTimeoutMs);
    }
    const QByteArray first = m_prelude.isEmpty() ? m_socket->peek(1) : m_prelude.left(1);
    const int limit = preludeLimit(first);
    const qint64 want = std::min<qint64>(m_socket->bytesAvailable(), limit - m_prelude.size());
    if (want > 0) {
        m_prelude.append(m_socket->read(want));
    }
    const PreludeResult result = sniffPrelude(m_prelude);
    if (result.kind != PreludeResult::Kind::NeedMore) {
        decide(result);
    } else if (m_userEof) {
        decide({PreludeResult::Kind::Other, {}});
    }
}

void HubUserStream::decide(const PreludeResult& result) {
    m_sniffTimer.stop();
    m_phase = Phase::Dialing; // routing; attach() moves on to Relaying
    d->routeUser(this, result);
}

void HubUserStream::attach(HubSession* session, const QUuid& id) {
    m_session = session;
    m_id = id;
    m_header = dataHeader(id);
    m_phase = Phase::Relaying;
    m_socket->setReadBufferSize(kMaxDataPayload * 2);
    pump();
}

void HubUserStream::pump() {
    if (m_phase != Phase::Relaying || !m_session) {
        return;
    }
    while (!m_paused && m_forward.maySend() && m_socket->bytesAvailable() > 0 &&
           m_session->mayReadUsers()) {
        const QByteArray chunk = m_socket->read(kMaxDataPayload);
        if (chunk.isEmpty()) {
            break;
        }
        m_session->sendData(m_header, chunk);
        m_forward.messageSent();
        releaseHeldControls();
    }
    if (m_socket->bytesAvailable() > 0 && (m_paused || m_forward.exhausted())) {
        Q_EMIT d->q->userDataHeld(m_id);
    }
    if (m_forward.exhausted()) {
        if (!m_noCreditTimer.isActive()) {
            m_noCreditTimer.start();
        }
    } else {
        m_noCreditTimer.stop();
    }
    if (m_userEof && m_socket->bytesAvailable() == 0 && m_phase == Phase::Relaying) {
        // User EOF after everything it sent went out: end the stream (no half-close).
        m_phase = Phase::Closing;
        m_noCreditTimer.stop();
        if (m_session) {
            m_session->streamEnded(this, QStringLiteral("user closed"), true);
        }
        startClosing(kUserEofFlushMs);
    }
}

void HubUserStream::onUserEof() {
    m_userEof = true;
    if (m_phase == Phase::Sniffing) {
        sniff();
    } else if (m_phase == Phase::Relaying) {
        pump();
    } else if (m_phase == Phase::Closing &&
               m_socket->state() == QAbstractSocket::UnconnectedState) {
        m_closeTimer.stop();
        deleteLater();
    }
}

void HubUserStream::writeFromClient(QByteArrayView payload) {
    if (m_phase != Phase::Relaying) {
        return;
    }
    if (m_pending.size() >= d->options.maxPendingPerStream) {
        ++d->stats.streamsKilledBufferFull;
        qCWarning(lcHub).nospace()
            << "Failed to write to client " << m_id.toString(QUuid::WithoutBraces)
            << ": client write buffer full (" << m_pending.size() << " pending). Removing.";
        kill(QStringLiteral("client write buffer full"));
        return;
    }
    if (payload.isEmpty()) {
        // Counted like any other message, in order: written once everything before it is.
        if (m_pending.isEmpty()) {
            messageWritten();
        } else {
            m_pending.append(0);
        }
        return;
    }
    m_pending.append(payload.size());
    m_socket->write(payload.data(), payload.size());
}

void HubUserStream::onBytesWritten(qint64 bytes) {
    while (!m_pending.isEmpty() && (bytes > 0 || m_pending.first() == 0)) {
        const qint64 take = std::min(bytes, m_pending.first());
        m_pending.first() -= take;
        bytes -= take;
        if (m_pending.first() == 0) {
            m_pending.removeFirst();
            messageWritten();
        }
    }
}

void HubUserStream::messageWritten() {
    if (m_phase != Phase::Relaying || d->options.initialCredits <= 0 || !m_session) {
        return;
    }
    if (reverse.written()) {
        m_session->sendReverseGrant(m_id);
    }
}

void HubUserStream::pause() {
    m_heldControls.append(-1);
    releaseHeldControls();
}

void HubUserStream::resume(qint64 credits) {
    m_heldControls.append(credits);
    if (releaseHeldControls()) {
        pump();
    }
}

bool HubUserStream::releaseHeldControls() {
    if (m_heldControls.isEmpty() || m_forward.sent < d->options.flowControlInFlightMessages) {
        return false;
    }
    // The client's pauses and grants "arrive" now, all of them, in the order it sent them.
    for (const qint64 control : std::exchange(m_heldControls, {})) {
        if (control < 0) {
            m_paused = true; // no time limit; any resume_stream undoes it
        } else {
            m_paused = false;
            m_forward.grant(control, d->options.initialCredits > 0, d->stats);
        }
    }
    return true;
}

void HubUserStream::kill(const QString& why) {
    if (m_phase == Phase::Closing) {
        return;
    }
    m_phase = Phase::Closing;
    m_noCreditTimer.stop();
    if (m_session) {
        m_session->streamEnded(this, why, true);
    }
    m_socket->abort();
    deleteLater();
}

void HubUserStream::closeAfterClientDisconnect() {
    if (m_phase == Phase::Closing) {
        return;
    }
    closeGracefully();
    if (m_socket->state() != QAbstractSocket::ConnectedState || m_socket->bytesToWrite() == 0) {
        return;
    }
    // Like the real hub: the user gets ~50 ms to take what is still queued for it; the rest is
    // dropped (what the kernel already holds is still delivered before the FIN).
    QTimer::singleShot(d->options.clientDisconnectFlushMs, this, [this] {
        if (m_socket->state() != QAbstractSocket::ConnectedState || m_socket->bytesToWrite() == 0) {
            return;
        }
        const qint64 dropped = m_socket->bytesToWrite();
        d->stats.userBytesDropped += quint64(dropped);
        qCWarning(lcHub).nospace()
            << "user " << m_id.toString(QUuid::WithoutBraces) << ": " << dropped
            << " bytes not written within " << d->options.clientDisconnectFlushMs
            << " ms of the client's disconnect, dropped";
        m_socket->readAll(); // unread input would turn the close into a reset
        ::shutdown(static_cast<int>(m_socket->socketDescriptor()), SHUT_WR);
        m_socket->abort();
        m_closeTimer.stop();
        deleteLater();
    });
}

void HubUserStream::closeGracefully() {
    if (m_phase == Phase::Closing) {
        return;
    }
    m_phase = Phase::Closing;
    m_noCreditTimer.stop();
    m_session = nullptr;
    m_closeTimer.start(kClientDisconnectCloseMs); // full close 2 s later at the latest
    halfCloseWhenFlushed();
}

// Like the hub: flush what is queued for the user, then shut down our sending side (FIN) while
// the user may still send (discarded) until it closes too or the close timer fires.
void HubUserStream::halfCloseWhenFlushed() {
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState) {
            m_closeTimer.stop();
            deleteLater();
        }
        return;
    }
    if (m_socket->bytesToWrite() > 0) {
        connect(m_socket, &QTcpSocket::bytesWritten, this, &HubUserStream::halfCloseWhenFlushed,
                Qt::UniqueConnection);
        return;
    }
    disconnect(m_socket, &QTcpSocket::bytesWritten, this, &HubUserStream::halfCloseWhenFlushed);
    ::shutdown(static_cast<int>(m_socket->socketDescriptor()), SHUT_WR);
    m_socket->readAll();
}

void HubUserStream::startClosing(int graceMs) {
    // disconnectFromHost() flushes the queued writes, then sends FIN.
    m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        deleteLater();
        return;
    }
    m_closeTimer.start(graceMs);
}

void HubUserStream::abortNow() {
    m_phase = Phase::Closing;
    m_session = nullptr;
    m_socket->abort();
    deleteLater();
}

} // namespace nexustray::hub
