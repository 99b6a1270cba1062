// The TLS origin service: a TLS 1.3 keep-alive echo server (requests as for the echo service,
// answered one after the other until the peer closes) that behaves like Go's crypto/tls server on
// the wire: TCP_NODELAY, and nothing sent after the client's Finished until the request arrives.
// Go sends its session tickets with its own handshake flight; OpenSSL (and so QSslSocket, which
// has no switch for it in TLS 1.3) sends them after the client's Finished, which acknowledges the
// Finished at once and hides a client's Nagle delay. So this server drives OpenSSL directly, with
// no session tickets. Lives on the origin thread.
#pragma once

#include <QTcpServer>

#include <atomic>

typedef struct ssl_ctx_st SSL_CTX;

namespace bench {

class TlsOrigin : public QTcpServer {
public:
    TlsOrigin(std::atomic<int>* corruptStreams, QObject* parent);
    ~TlsOrigin() override;
    // PEM files of the server certificate and key; false if OpenSSL refuses them.
    bool setCertificate(const QString& certPem, const QString& keyPem);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    SSL_CTX* m_ctx = nullptr;
    std::atomic<int>* m_corrupt;
};

} // namespace bench
