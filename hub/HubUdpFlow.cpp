#include "hub/HubUdpFlow.h"

#include "hub/HubEmulator_p.h"
#include "protocol/Frame.h"

namespace nexustray::hub {

HubUdpFlow::HubUdpFlow(HubUdpPort* p, HubSession* s, const QUuid& flowId,
                       const QHostAddress& userAddress, quint16 sourcePort, qint64 idleMs)
    : port(p)
    , session(s)
    , id(flowId)
    , header(protocol::dataHeader(flowId))
    , address(userAddress)
    , userPort(sourcePort)
    , idleTimeoutMs(idleMs) {}

QString HubUdpFlow::clientAddress() const {
    return hubEndpoint(address, userPort);
}

} // namespace nexustray::hub
