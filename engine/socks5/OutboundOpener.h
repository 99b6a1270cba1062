// What the SOCKS5 listener asks of a session: open an outbound stream (protocol.md §9.1) to
// `targetAddr` for an accepted local connection whose handshake is done.
//
// Contract for the implementer (the session):
// - it takes ownership of `socket` (unparented, on the calling thread, which is the thread the
//   socket lives on) and sends `outbound_connect`;
// - it calls `done` exactly once, on that thread, before it reads from or closes the socket; `done`
//   writes the SOCKS5 reply (§9.3) to the socket;
// - bytes the client sent after its request may already wait in the socket's buffer (no readyRead
//   will announce them again): read bytesAvailable() when relaying starts; the socket's
//   readBufferSize is capped at what was buffered (so nothing more is read before the result)
//   until the stream sets its own;
// - after done(Connected) returns, a socket that is no longer ConnectedState means the reply could
//   not be written (the client is gone): end the stream with reason `local_error`;
// - on any other outcome it closes the socket after `done` returns (the reply is flushed by then).
#pragma once

#include <QString>

#include <functional>

#include "relay/OutboundResult.h"

class QTcpSocket;

namespace nexustray::socks5 {

using OutboundOpener =
    std::function<void(const QString& targetAddr, QTcpSocket* socket, OutboundCallback done)>;

} // namespace nexustray::socks5
