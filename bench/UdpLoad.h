// The UDP workload (section `udp`, issue 14): F flows offer datagrams of S bytes at a fixed total
// rate for a while; the origin's UDP echo sends each one back; what comes back is counted and
// checked (size and sequence header). Through the tunnel the hub peer opens the flows (`connect`
// with transport udp, the first datagram as early data) and the client relays them to the echo;
// the direct baseline sends from one connected UDP socket per flow straight to the echo. Loss is
// 1 - received / sent, after a short grace period for datagrams still in flight.
#pragma once

#include <QtGlobal>

namespace bench {

class HubPeer;

struct UdpResult {
    quint64 sent = 0;
    quint64 received = 0;
    quint64 malformed = 0; // came back with the wrong size or an unknown sequence number
    double seconds = 0;    // sending time
    double lossPercent() const {
        return sent ? 100.0 * double(sent - qMin(sent, received)) / double(sent) : 0;
    }
    double receivedPerSecond() const { return seconds > 0 ? double(received) / seconds : 0; }
};

// connPort: the public port whose udpRoutes/portMappings entry leads to the echo.
UdpResult runUdpTunnel(HubPeer& hub, quint16 connPort, int flows, int rate, int size,
                       int durationMs);
UdpResult runUdpDirect(quint16 echoPort, int flows, int rate, int size, int durationMs);

} // namespace bench
