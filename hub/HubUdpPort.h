// One UDP relay port of the hub (protocol.md §8.3, §7.2): a loopback QUdpSocket standing for the
// hub's advertised port P, and the flows of its users.
//  - A datagram from a new user ip:port opens a flow with a session claiming udp:P (weighted
//    round robin): `connect` (transport udp, hostname udp:P), then the datagram as one data
//    message. No such session: the datagram is dropped.
//  - Receive loop: like the real hub, a flow without forward credit blocks the whole port. The
//    datagram waiting for credit is held and the socket is not read any more (the kernel keeps
//    queueing, then drops) until a grant arrives for that flow or the flow ends. The held
//    datagram counts as the flow's last one from the user, so a grant that never comes ends the
//    flow after its idle timeout (the real hub's no-credit timeout), which unblocks the port.
//  - Flows end after their idle timeout without a datagram *from the user* (scanned every
//    udpIdleCheckMs; replies do not count), by eviction of the oldest flow beyond udpMaxFlows,
//    when the client's datagram finds the flow broken by an earlier failed write, or when their
//    session ends. A client `disconnect` is noticed on the user's next datagram, which is dropped.
#pragma once

#include "hub/HubEmulator.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUdpSocket>

#include <list>
#include <memory>

namespace nexustray::hub {

class HubEmulatorPrivate;
class HubUdpFlow;

class HubUdpPort : public QObject {
    Q_OBJECT
public:
    HubUdpPort(const RelayPort& port, HubEmulatorPrivate* hub);
    ~HubUdpPort() override;

    bool listen(QString* error);
    quint16 advertisedPort() const { return m_port.advertisedPort; }
    quint16 listenPort() const { return m_socket.localPort(); }
    // Stops reading and ends every flow (their sessions are told, nothing is sent).
    void close();

    // From the flow's session:
    void writeFromClient(HubUdpFlow* flow, QByteArrayView datagram); // one data message
    void creditGranted(HubUdpFlow* flow, qint64 credits);            // resume_stream
    void clientDisconnected(HubUdpFlow* flow);                       // disconnect
    void sessionEnded(HubUdpFlow* flow);                             // session finished

private:
    using FlowList = std::list<std::unique_ptr<HubUdpFlow>>;

    void readDatagrams();
    void handleDatagram(const QByteArray& datagram, const QHostAddress& from, quint16 fromPort);
    HubUdpFlow* openFlow(const QHostAddress& from, quint16 fromPort);
    void forward(HubUdpFlow* flow, const QByteArray& datagram);
    void dropDatagram(const QString& why);
    // Ends a flow: udpFlowClosed(why) once, `disconnect` to its session's client if notifyClient
    // and the session still knows it, then forgets it.
    void removeFlow(HubUdpFlow* flow, const QString& why, bool notifyClient);
    void reportClosed(HubUdpFlow* flow, const QString& why);
    void scanIdle();
    void unblock();

    HubEmulatorPrivate* d;
    RelayPort m_port;
    QUdpSocket m_socket;
    QTimer m_idleTimer;
    QElapsedTimer m_clock;
    FlowList m_flows;                            // oldest first (eviction order)
    QHash<QString, FlowList::iterator> m_byUser; // "ip:port" -> flow
    HubUdpFlow* m_blockedOn = nullptr;           // the flow whose held datagram waits for credit
    QByteArray m_held;
    bool m_readQueued = false;
};

} // namespace nexustray::hub
