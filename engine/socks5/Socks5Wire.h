// The bytes of the SOCKS5 subset nexus-tray serves (protocol.md §9.3, RFC 1928 CONNECT, RFC 1929
// username/password): parsers for the three client messages and the fixed replies. Pure functions,
// so every malformed input can be tested without sockets.
#pragma once

#include <QByteArray>
#include <QString>

#include "relay/OutboundResult.h"

namespace nexustray::socks5 {

constexpr char kVersion = 0x05;
constexpr char kMethodNoAuth = 0x00;
constexpr char kMethodUserPass = 0x02;
constexpr char kNoAcceptableMethod = char(0xFF);
constexpr char kUserPassVersion = 0x01;

// The REP field of a request reply (RFC 1928 §6).
enum class Reply : quint8 {
    Succeeded = 0x00,
    GeneralFailure = 0x01,
    ConnectionRefused = 0x05,
    CommandNotSupported = 0x07,
    AddressTypeNotSupported = 0x08,
};

// Incomplete: more bytes are needed; `length` is how many bytes the message took when Ok (and
// when a reply-worthy error could be decided only after reading the whole message).
enum class Parse { Incomplete, Ok, Bad };

struct Greeting {
    Parse status = Parse::Incomplete;
    qsizetype length = 0;
    QByteArray methods;
    QString problem; // Bad: why (version, NMETHODS = 0); no reply is sent
};
Greeting parseGreeting(const QByteArray& bytes);

struct UserPass {
    Parse status = Parse::Incomplete;
    qsizetype length = 0;
    QByteArray username;
    QByteArray password;
    QString problem; // Bad: a sub-negotiation version other than 1
};
UserPass parseUserPass(const QByteArray& bytes);

struct Request {
    Parse status = Parse::Incomplete;
    qsizetype length = 0;
    // Ok with reply != Succeeded: answer with that code and close (CMD != CONNECT: 07, an
    // unknown address type or an empty domain: 08). Bad: close without a reply (version).
    Reply reply = Reply::Succeeded;
    quint8 command = 0;
    QString targetAddr; // "host:port", IPv6 in brackets, a domain as given
    QString problem;
};
Request parseRequest(const QByteArray& bytes);

// `05 REP 00 01 00 00 00 00 00 00`: every reply carries the bound address 0.0.0.0:0.
QByteArray replyBytes(Reply reply);
Reply replyFor(OutboundResult::Kind kind);

// Equal in a time that depends only on the lengths, not on where the first difference is.
bool constantTimeEquals(const QByteArray& a, const QByteArray& b);

} // namespace nexustray::socks5
