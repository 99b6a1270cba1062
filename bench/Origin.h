// The local services the client relays to ("origins"), on their own thread of the driver process:
//   source: reads an 8-byte count, sends that many pattern bytes, closes      (downloads)
//   sink:   reads an 8-byte count, checks that many pattern bytes, answers 'K', closes (uploads)
//   echo:   reads an 8-byte size R and the rest of an R-byte request, answers R pattern bytes,
//           closes (request/response exchanges, like an HTTP/1.0 server)
//   idle:   accepts and holds connections (idle streams), counting them
//   tls:    TLS 1.3 keep-alive echo that behaves like Go's crypto/tls (TlsOrigin; startTls())
//   udp echo: sends every datagram back to its sender (section udp)
// The same services serve the tunnel (the client dials them) and the direct baseline.
#pragma once

#include <QThread>
#include <QtGlobal>

#include <atomic>

class QTcpServer;

namespace bench {

class Origin {
public:
    Origin();
    ~Origin();
    bool start(); // listens on 127.0.0.1, ephemeral ports
    // Also the TLS service, with this server certificate and key (PEM files).
    bool startTls(const QString& certPem, const QString& keyPem);

    quint16 sourcePort = 0;
    quint16 sinkPort = 0;
    quint16 echoPort = 0;
    quint16 idlePort = 0;
    quint16 tlsPort = 0;
    quint16 udpEchoPort = 0;

    std::atomic<int> idleConnections{0};
    std::atomic<int> corruptStreams{0}; // sink or echo input that did not match the pattern

private:
    void listenAll(bool* ok);
    QThread m_thread;
    QObject* m_context = nullptr; // lives on m_thread; parent of the servers
};

} // namespace bench
