// The two ways the benchmark reaches an origin service: through the tunnel (hub peer -> client ->
// origin) or directly over loopback TCP. Scenarios are written once against this interface, so the
// tunnel and the direct figures come from exactly the same workload.
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

} // namespace bench
