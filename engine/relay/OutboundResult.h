// The outcome of one outbound request (protocol.md §9): what the multiplexer reports to whoever
// asked for the stream (the SOCKS5 listener, the library's Client::openOutbound). Shared so that
// both callers map the same outcomes (the SOCKS5 reply codes of §9.3 follow from `kind`).
#pragma once

#include <QString>

#include <functional>

namespace nexustray {

struct OutboundResult {
    enum class Kind {
        Connected,    // outbound_result success: the stream relays now       (SOCKS5 reply 00)
        Refused,      // outbound_result failure; `reason` is the hub's text  (SOCKS5 reply 05)
        Timeout,      // no outbound_result within 15 s                        (SOCKS5 reply 01)
        NotConnected, // no live session of the backend to ask                 (SOCKS5 reply 01)
        SessionLost,  // the session ended while the request was pending      (SOCKS5 reply 05)
        Stopping,     // the client is stopping                               (SOCKS5 reply 01)
    };
    Kind kind = Kind::NotConnected;
    QString reason; // the hub's reason for Refused; plain words otherwise
};

// Called exactly once per request, on the session's worker thread.
using OutboundCallback = std::function<void(const OutboundResult&)>;

} // namespace nexustray
