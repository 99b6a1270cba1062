// What a StreamMultiplexer needs from the connection that carries its streams: send one binary
// message, say how much is still unsent, and write out a finished pass. The session implements it
// over its WebSocket; the multiplexer tests implement it over a list. Keeps the multiplexer free of
// WebSocket, authentication and reconnection details.
#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace nexustray {

class MuxLink {
public:
    virtual ~MuxLink() = default;
    // True while the connection carries messages (the session is live). Once false, for good:
    // whatever the streams still send (e.g. while flushing to their local side) is dropped.
    virtual bool isOpen() const = 0;
    // One binary message: an encoded data or control message (protocol.md §4). The link copies it,
    // so the caller may reuse the buffer at once.
    virtual void sendBinary(const QByteArray& message) = 0;
    // Bytes given to sendBinary that the network has not taken yet (TLS ciphertext included).
    virtual qint64 bytesToWrite() const = 0;
    // The multiplexer finished a send pass: hand what sendBinary queued to the network now rather
    // than at the end of the event-loop pass (a link that writes at once needs nothing here).
    virtual void flush() {}
};

} // namespace nexustray
