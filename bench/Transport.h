// The ways the benchmark reaches an origin service: through the tunnel (hub peer -> client ->
// origin), directly over loopback TCP, or as an outbound stream (a SOCKS5 CONNECT to the client's
// listener -> client -> hub peer, which dials the origin itself like the real hub: OutboundBridge).
// Scenarios are written once against this interface, so the figures come from exactly the same
// workload.
#pragma once

#include <QByteArray>
#include <QObject>

#include <functional>

#include "HubPeer.h"

class QTcpSocket;

namespace bench {

enum class Service { Source = 1, Sink = 2, Echo = 3, Idle = 4 }; // value = tunnel conn_port

class Conn {
public:
    virtual ~Conn() = default;
    std::function<void(const char*, qsizetype)> onData;
    std::function<void()> onClosed; // the far side closed; the transport deletes the Conn after
    virtual void upload(quint64 bytes) = 0; // pattern bytes after the prelude
    virtual void close() = 0;               // deletes the Conn later
};

class Transport {
public:
    virtual ~Transport() = default;
    virtual const char* name() const = 0;
    // `prelude` is sent first (tunnel: as early data right after connect).
    virtual Conn* open(Service service, const QByteArray& prelude) = 0;
};

class TunnelTransport : public Transport {
public:
    explicit TunnelTransport(HubPeer* hub)
        : m_hub(hub) {}
    const char* name() const override { return "tunnel"; }
    Conn* open(Service service, const QByteArray& prelude) override;

private:
    HubPeer* m_hub;
};

class DirectTransport : public Transport {
public:
    DirectTransport(quint16 source, quint16 sink, quint16 echo, quint16 idle)
        : m_ports{source, sink, echo, idle} {}
    const char* name() const override { return "direct"; }
    Conn* open(Service service, const QByteArray& prelude) override;

private:
    quint16 m_ports[4];
};

// Each open() is a SOCKS5 CONNECT (no auth) to 127.0.0.1:<origin port> through the client's
// listener; the prelude follows the success reply.
class SocksTransport : public Transport {
public:
    SocksTransport(quint16 socksPort, quint16 source, quint16 sink, quint16 echo, quint16 idle)
        : m_socksPort(socksPort)
        , m_ports{source, sink, echo, idle} {}
    const char* name() const override { return "socks5"; }
    Conn* open(Service service, const QByteArray& prelude) override;

private:
    quint16 m_socksPort;
    quint16 m_ports[4];
};

// The hub peer's side of outbound streams: dials the requested target (the origin) and relays it
// to the stream both ways, reading the origin only while the stream has little waiting for forward
// credit; the stream ends after everything the origin sent has been sent on.
void bridgeOutbound(HubPeer* hub);

} // namespace bench
