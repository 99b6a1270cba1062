// What the hub reads from a new user connection before routing it (protocol.md §6, §8.2): a TLS
// ClientHello (route by SNI) or an HTTP/1.x request head (route by Host), else nothing to route by.
// Pure functions over the bytes received so far, so partial arrivals are handled by calling again.
#pragma once

#include <QByteArrayView>
#include <QString>

namespace nexustray::hub {

constexpr int kMaxTlsPrelude = 32 * 1024;  // ClientHello bytes the hub reads at most
constexpr int kMaxHttpPrelude = 64 * 1024; // HTTP request head bytes the hub reads at most

struct PreludeResult {
    enum class Kind {
        NeedMore, // undecided: wait for more bytes (or the sniff timeout)
        Tls,      // began with a TLS handshake record; hostname = SNI ("" if none/malformed)
        Http,     // an HTTP/1.x request head; hostname = Host without port ("" if none)
        Other,    // anything else: route by the port claim
    };
    Kind kind = Kind::NeedMore;
    QString hostname; // lowercased; not yet IDNA-normalised
};

// The byte limit that applies to `data` (by its first byte).
int preludeLimit(QByteArrayView data);

// Classifies the bytes received so far. Once `data` reaches preludeLimit() the answer is final.
PreludeResult sniffPrelude(QByteArrayView data);

// Individual parsers, exposed for tests.
// SNI of a complete ClientHello spread over one or more handshake records; NeedMore if incomplete.
PreludeResult parseClientHello(QByteArrayView data);
// Host header (port stripped, brackets of IPv6 literals removed) from a complete request head.
PreludeResult parseHttpHead(QByteArrayView data);

} // namespace nexustray::hub
