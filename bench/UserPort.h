// A user-facing port of the hub peer, like the real hub's SNI/HTTP ports: every accepted TCP
// connection becomes a stream to one conn_port of the client, its first bytes (a TLS ClientHello)
// the connect's early data, and from then on bytes are relayed both ways unchanged. The TLS
// workloads connect their TLS clients here (tunnel) or straight to the TLS origin (direct).
#pragma once

#include <QTcpServer>

#include "HubPeer.h"

namespace bench {

class UserPort : public QObject {
public:
    UserPort(HubPeer* hub, quint16 connPort, QObject* parent = nullptr);
    bool listen(); // 127.0.0.1, ephemeral port
    quint16 port() const { return m_server.serverPort(); }

private:
    void onConnection();

    HubPeer* m_hub;
    quint16 m_connPort;
    QTcpServer m_server;
};

} // namespace bench
