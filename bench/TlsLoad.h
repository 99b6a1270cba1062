// The TLS clients of the interactive-latency workloads (issue 10). Each connection is a real
// QSslSocket (TLS 1.3, verifying the bench CA) to a port: the hub peer's user port (tunnel: hub
// peer -> client -> TLS origin, the client relays the TLS bytes unchanged) or the TLS origin itself
// (direct). A request is an 8-byte size and pattern bytes; the origin answers as many bytes.
//   newConnections: fixed rate, open loop: every 1/rate s a new connection: TLS handshake, one
//                   request, the response, close (what a browser or `hey` does without keep-alive).
//   keepAlive:      one connection, a request every 1/rate s (none while one is outstanding).
//   saturate:       `workers` closed loops of newConnections' work (new connections per second).
// A sample is the time from the start (connect, or the request on a kept-alive connection) to the
// response's last byte. The Finished and the request leave in separate writes, as from Go's client,
// and on a new connection the request follows gapMs later: across a real network the relay
// receives the two apart (and writes them apart to its local socket, which is where Nagle bites);
// on loopback with no gap it mostly reads both at once. The direct path gets the same gap. The
// driver runs the load on a thread of its own (users are separate from the hub).
#pragma once

#include <QSslConfiguration>

#include <vector>

namespace bench {

struct TlsSamples {
    std::vector<qint64> ns; // one per answered request
    quint64 failures = 0;   // handshake or socket errors, short or wrong answers
    double seconds = 0;     // from the first start to the last answer
    bool finished = false;  // every started request ended in time
};

class TlsLoad {
public:
    // gapMs: the new-connection request follows the client's Finished after that long (see the
    // file comment); 0: at once.
    TlsLoad(const QSslConfiguration& client, int requestSize, int gapMs);

    TlsSamples newConnections(quint16 port, int rate, int durationMs);
    TlsSamples keepAlive(quint16 port, int rate, int durationMs);
    TlsSamples saturate(quint16 port, int workers, int durationMs);

private:
    struct Run;

    QSslConfiguration m_client;
    QByteArray m_request;
    int m_size;
    int m_gapMs;
};

} // namespace bench
