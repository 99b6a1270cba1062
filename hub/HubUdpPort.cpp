#include "hub/HubUdpPort.h"

#include "Logging.h"
#include "hub/HubEmulator_p.h"
#include "hub/HubSession.h"
#include "hub/HubUdpFlow.h"

namespace nexustray::hub {

HubUdpPort::HubUdpPort(const RelayPort& port, HubEmulatorPrivate* hub)
    : QObject(hub)
    , d(hub)
    , m_port(port) {
    m_clock.start();
    connect(&m_socket, &QUdpSocket::readyRead, this, &HubUdpPort::readDatagrams);
    m_idleTimer.setInterval(d->options.udpIdleCheckMs);
    connect(&m_idleTimer, &QTimer::timeout, this, &HubUdpPort::scanIdle);
}

HubUdpPort::~HubUdpPort() {
    m_socket.disconnect(this);
    // No callbacks into sessions here: the hub closes ports (close()) while they are still whole.
}

bool HubUdpPort::listen(QString* error) {
    if (!m_socket.bind(d->options.address, m_port.listenPort)) {
        *error = QStringLiteral("udp relay bind %1: %2")
                     .arg(m_port.listenPort)
                     .arg(m_socket.errorString());
        return false;
    }
    if (d->options.udpReceiveBufferBytes > 0) {
        m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption,
                                 d->options.udpReceiveBufferBytes);
    }
    m_idleTimer.start();
    return true;
}

void HubUdpPort::close() {
    m_idleTimer.stop();
    m_socket.close();
    m_blockedOn = nullptr;
    m_held.clear();
    while (!m_flows.empty()) {
        removeFlow(m_flows.front().get(), QStringLiteral("stopped"), false);
    }
}

void HubUdpPort::readDatagrams() {
    m_readQueued = false;
    // While a flow waits for credit nothing is read: the next readDatagram() is what re-enables
    // Qt's read notifier, so the socket stays quiet until unblock().
    while (!m_blockedOn && m_socket.state() == QAbstractSocket::BoundState &&
           m_socket.hasPendingDatagrams()) {
        const qint64 size = m_socket.pendingDatagramSize();
        QByteArray datagram(std::max<qint64>(size, 0), Qt::Uninitialized);
        QHostAddress from;
        quint16 fromPort = 0;
        const qint64 got =
            m_socket.readDatagram(datagram.data(), datagram.size(), &from, &fromPort);
        if (got < 0) {
            break;
        }
        datagram.truncate(got);
        handleDatagram(datagram, from, fromPort);
    }
}

void HubUdpPort::handleDatagram(const QByteArray& datagram, const QHostAddress& from,
                                quint16 fromPort) {
    HubUdpFlow* flow = nullptr;
    if (const auto it = m_byUser.constFind(hubEndpoint(from, fromPort)); it != m_byUser.cend()) {
        flow = it.value()->get();
    }
    if (flow && flow->endedByClient) {
        // The hub learns here that the client ended the flow: this datagram is lost, the next
        // one opens a new flow.
        removeFlow(flow, QStringLiteral("client disconnect"), false);
        dropDatagram(QStringLiteral("flow ended"));
        return;
    }
    if (!flow) {
        flow = openFlow(from, fromPort);
        if (!flow) {
            dropDatagram(QStringLiteral("no route"));
            return;
        }
    }
    flow->lastFromUserMs = m_clock.elapsed();
    if (!flow->forward.maySend()) {
        m_blockedOn = flow;
        m_held = datagram;
        qCDebug(lcHub) << "udp port" << m_port.advertisedPort << "blocked: flow" << flow->id
                       << "has no forward credit";
        Q_EMIT d->q->userDataHeld(flow->id);
        return;
    }
    forward(flow, datagram);
}

HubUdpFlow* HubUdpPort::openFlow(const QHostAddress& from, quint16 fromPort) {
    HubSession* session = d->pickUdpSession(m_port.advertisedPort);
    if (!session) {
        return nullptr;
    }
    while (!m_flows.empty() && m_flows.size() >= size_t(std::max(1, d->options.udpMaxFlows))) {
        ++d->stats.udpFlowsEvicted;
        removeFlow(m_flows.front().get(), QStringLiteral("evicted"), true);
    }
    auto flow = std::make_unique<HubUdpFlow>(this, session, session->newStreamId(), from, fromPort,
                                             session->udpIdleTimeoutMs(m_port.advertisedPort));
    HubUdpFlow* raw = flow.get();
    m_flows.push_back(std::move(flow));
    m_byUser.insert(raw->clientAddress(), std::prev(m_flows.end()));
    ++d->stats.udpFlowsOpened;
    ++d->stats.udpActiveFlows;
    session->attachUdpFlow(raw); // connect, before the datagram
    Q_EMIT d->q->udpFlowOpened(raw->id, m_port.advertisedPort);
    return raw;
}

void HubUdpPort::forward(HubUdpFlow* flow, const QByteArray& datagram) {
    if (!flow->session) {
        return;
    }
    flow->session->sendData(flow->header, datagram); // one datagram = one data message
    flow->forward.messageSent();
    ++d->stats.udpDatagramsToClient;
}

void HubUdpPort::dropDatagram(const QString& why) {
    ++d->stats.udpDatagramsDropped;
    qCDebug(lcHub) << "udp port" << m_port.advertisedPort << "datagram dropped:" << why;
    Q_EMIT d->q->udpDatagramDropped(m_port.advertisedPort, why);
}

void HubUdpPort::writeFromClient(HubUdpFlow* flow, QByteArrayView datagram) {
    if (flow->broken) {
        removeFlow(flow, QStringLiteral("write failed"), true);
        return;
    }
    const bool fits = datagram.size() <= d->options.udpMaxDatagramBytes;
    if (!fits || m_socket.writeDatagram(datagram.data(), datagram.size(), flow->address,
                                        flow->userPort) < 0) {
        // Like the real hub: the flow stays until the client's next datagram for it.
        flow->broken = true;
        ++d->stats.udpWriteFailures;
        qCWarning(lcHub).nospace()
            << "udp flow " << flow->id.toString(QUuid::WithoutBraces) << ": write of "
            << datagram.size() << " bytes to " << flow->clientAddress() << " failed: "
            << (fits ? m_socket.errorString() : QStringLiteral("datagram too large"));
        return;
    }
    ++d->stats.udpDatagramsFromClient;
    if (d->options.initialCredits > 0 && flow->reverse.written() && flow->session) {
        flow->session->sendReverseGrant(flow->id);
    }
}

void HubUdpPort::creditGranted(HubUdpFlow* flow, qint64 credits) {
    flow->forward.grant(credits, d->options.initialCredits > 0, d->stats);
    if (m_blockedOn == flow && flow->forward.maySend()) {
        const QByteArray held = std::exchange(m_held, QByteArray());
        m_blockedOn = nullptr;
        forward(flow, held);
        unblock();
    }
}

void HubUdpPort::clientDisconnected(HubUdpFlow* flow) {
    flow->session = nullptr;
    flow->endedByClient = true;
    reportClosed(flow, QStringLiteral("client disconnect"));
    if (m_blockedOn == flow) {
        // The held datagram can never be sent now.
        m_blockedOn = nullptr;
        m_held.clear();
        dropDatagram(QStringLiteral("flow closed"));
        unblock();
    }
}

void HubUdpPort::sessionEnded(HubUdpFlow* flow) {
    flow->session = nullptr;
    removeFlow(flow, QStringLiteral("session ended"), false);
}

void HubUdpPort::removeFlow(HubUdpFlow* flow, const QString& why, bool notifyClient) {
    if (flow->session) {
        flow->session->udpFlowEnded(flow, notifyClient);
        flow->session = nullptr;
    }
    reportClosed(flow, why);
    if (m_blockedOn == flow) {
        m_blockedOn = nullptr;
        m_held.clear();
        dropDatagram(QStringLiteral("flow closed"));
        unblock();
    }
    const auto it = m_byUser.find(flow->clientAddress());
    if (it != m_byUser.end()) {
        m_flows.erase(it.value());
        m_byUser.erase(it);
    }
}

void HubUdpPort::reportClosed(HubUdpFlow* flow, const QString& why) {
    if (flow->closeReported) {
        return;
    }
    flow->closeReported = true;
    --d->stats.udpActiveFlows;
    qCDebug(lcHub) << "udp flow" << flow->id << "closed:" << why;
    Q_EMIT d->q->udpFlowClosed(flow->id, why);
}

void HubUdpPort::scanIdle() {
    const qint64 now = m_clock.elapsed();
    QList<HubUdpFlow*> idle;
    for (const auto& flow : m_flows) {
        if (now - flow->lastFromUserMs >= flow->idleTimeoutMs) {
            idle.append(flow.get());
        }
    }
    for (HubUdpFlow* flow : std::as_const(idle)) {
        // A flow the client ended already goes silently.
        removeFlow(flow, QStringLiteral("idle"), !flow->endedByClient);
    }
}

void HubUdpPort::unblock() {
    // Resume the receive loop from the event loop, not from inside a session's message handler.
    if (!m_readQueued) {
        m_readQueued = true;
        QMetaObject::invokeMethod(this, &HubUdpPort::readDatagrams, Qt::QueuedConnection);
    }
}

} // namespace nexustray::hub
