// What a relayed channel (Stream or UdpFlow) needs from the multiplexer that owns it. Keeps the
// channels free of WebSocket details.
#pragma once

#include <QByteArray>

#include "protocol/ControlMessage.h"

namespace nexustray {

class RelayChannel;

class StreamHost {
public:
    virtual ~StreamHost() = default;
    virtual void sendControl(const protocol::ControlMessage& message) = 0;
    // `message` is a complete data message (17-byte header + payload).
    virtual void sendData(const QByteArray& message) = 0;
    // False while the WebSocket's outgoing buffer is above its high mark.
    virtual bool canSendData() const = 0;
    // The channel has messages to send and credit to send them: schedule it (fair round robin).
    virtual void scheduleSend(RelayChannel* channel) = 0;
    // The channel reached Closed; the host forgets its ID now and deletes it later.
    virtual void forgetStream(RelayChannel* channel) = 0;
    // Byte counters or state changed (for throttled snapshots).
    virtual void markStreamDirty(RelayChannel* channel) = 0;
};

} // namespace nexustray
