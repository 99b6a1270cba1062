// One UDP flow at the hub (protocol.md §8.3): the datagrams of one user source address (ip:port)
// on one UDP relay port, relayed as one stream (`client_id`) of one session. Owned by its
// HubUdpPort, which does all the relaying; the flow only holds the state.
#pragma once

#include "hub/HubCredits.h"

#include <QByteArray>
#include <QHostAddress>
#include <QUuid>

namespace nexustray::hub {

class HubSession;
class HubUdpPort;

class HubUdpFlow {
public:
    HubUdpFlow(HubUdpPort* port, HubSession* session, const QUuid& id, const QHostAddress& address,
               quint16 userPort, qint64 idleTimeoutMs);

    HubUdpPort* const port;
    HubSession* session; // null once the session forgot the flow
    const QUuid id;
    const QByteArray header;    // data message header for `id`
    const QHostAddress address; // the user
    const quint16 userPort;
    const qint64 idleTimeoutMs; // no datagram from the user this long -> flow ends
    qint64 lastFromUserMs = 0;  // monotonic
    // The client sent `disconnect`: the flow waits for the user's next datagram (dropped) to go.
    bool endedByClient = false;
    // A write to the user failed: the client's next datagram for the flow removes it.
    bool broken = false;
    bool closeReported = false; // udpFlowClosed emitted

    ForwardWindow forward;
    ReverseGrants reverse;

    QString clientAddress() const; // "ip:port" / "[v6]:port"
};

} // namespace nexustray::hub
