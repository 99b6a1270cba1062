// What a Stream needs from the session that owns it. Keeps Stream free of WebSocket details.
#pragma once

#include <QByteArray>

#include "protocol/ControlMessage.h"

namespace nexustray {

class Stream;

class StreamHost {
public:
    virtual ~StreamHost() = default;
    virtual void sendControl(const protocol::ControlMessage& message) = 0;
    // `message` is a complete data message (17-byte header + payload).
    virtual void sendData(const QByteArray& message) = 0;
    // False while the WebSocket's outgoing buffer is above its high mark.
    virtual bool canSendData() const = 0;
    // The stream has bytes to send and credit to send them: schedule it (fair round robin).
    virtual void scheduleSend(Stream* stream) = 0;
    // The stream reached Closed; the host forgets its ID now and deletes it later.
    virtual void forgetStream(Stream* stream) = 0;
    // Byte counters or state changed (for throttled snapshots).
    virtual void markStreamDirty(Stream* stream) = 0;
};

} // namespace nexustray
