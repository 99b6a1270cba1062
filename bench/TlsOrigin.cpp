#include "TlsOrigin.h"

#include <QSocketNotifier>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "Pattern.h"

namespace bench {

namespace {

// One accepted connection: non-blocking socket, OpenSSL on the descriptor.
class TlsOriginConn : public QObject {
public:
    TlsOriginConn(SSL_CTX* ctx, int fd, std::atomic<int>* corrupt, QObject* parent)
        : QObject(parent)
        , m_fd(fd)
        , m_ssl(SSL_new(ctx))
        , m_read(fd, QSocketNotifier::Read)
        , m_write(fd, QSocketNotifier::Write)
        , m_corrupt(corrupt) {
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // Go's default
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        SSL_set_fd(m_ssl, fd);
        SSL_set_accept_state(m_ssl);
        m_write.setEnabled(false);
        connect(&m_read, &QSocketNotifier::activated, this, &TlsOriginConn::run);
        connect(&m_write, &QSocketNotifier::activated, this, &TlsOriginConn::run);
    }
    ~TlsOriginConn() override {
        m_read.setEnabled(false);
        m_write.setEnabled(false);
        SSL_free(m_ssl);
        ::close(m_fd);
    }

private:
    // Handshake, read requests, write answers, as far as the socket allows.
    void run() {
        m_write.setEnabled(false);
        if (!m_out.isEmpty() && !flush())
            return;
        char buffer[16 * 1024];
        for (;;) {
            const int n = SSL_read(m_ssl, buffer, sizeof buffer);
            if (n <= 0) {
                const int e = SSL_get_error(m_ssl, n);
                if (e == SSL_ERROR_WANT_WRITE)
                    m_write.setEnabled(true);
                else if (e != SSL_ERROR_WANT_READ)
                    deleteLater(); // closed, reset or a TLS error
                ERR_clear_error();
                return;
            }
            consume(buffer, n);
            if (!m_out.isEmpty() && !flush())
                return;
        }
    }

    void consume(const char* data, qsizetype n) {
        while (n > 0) {
            if (m_header.size() < 8) {
                const qsizetype take = std::min<qsizetype>(8 - m_header.size(), n);
                m_header.append(data, take);
                data += take;
                n -= take;
                if (m_header.size() < 8)
                    return;
                m_size = readCount(m_header.constData());
                m_done = 8;
            }
            const qsizetype take = qsizetype(std::min<quint64>(m_size - m_done, quint64(n)));
            // After the size, the request is pattern bytes from offset 0.
            if (!m_bad && !Pattern::instance().matches(m_done - 8, data, take)) {
                m_bad = true;
                ++*m_corrupt;
            }
            m_done += quint64(take);
            data += take;
            n -= take;
            if (m_done >= m_size) { // the whole request: answer as many pattern bytes
                m_out.append(Pattern::instance().at(0), qsizetype(m_size));
                m_header.clear();
            }
        }
    }

    // Writes the pending answer; false while the socket cannot take it all.
    bool flush() {
        while (!m_out.isEmpty()) {
            const int n = SSL_write(m_ssl, m_out.constData(), int(m_out.size()));
            if (n <= 0) {
                const int e = SSL_get_error(m_ssl, n);
                ERR_clear_error();
                if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
                    m_write.setEnabled(e == SSL_ERROR_WANT_WRITE);
                    return false;
                }
                deleteLater();
                return false;
            }
            m_out.remove(0, n);
        }
        return true;
    }

    int m_fd;
    SSL* m_ssl;
    QSocketNotifier m_read;
    QSocketNotifier m_write;
    std::atomic<int>* m_corrupt;
    QByteArray m_header;
    quint64 m_size = 0;
    quint64 m_done = 0;
    bool m_bad = false;
    QByteArray m_out;
};

} // namespace

TlsOrigin::TlsOrigin(std::atomic<int>* corruptStreams, QObject* parent)
    : QTcpServer(parent)
    , m_ctx(SSL_CTX_new(TLS_server_method()))
    , m_corrupt(corruptStreams) {
    SSL_CTX_set_min_proto_version(m_ctx, TLS1_3_VERSION);
    SSL_CTX_set_num_tickets(m_ctx, 0); // see the header: nothing after the client's Finished
    SSL_CTX_set_session_cache_mode(m_ctx, SSL_SESS_CACHE_OFF);
    setListenBacklogSize(4096);
}

TlsOrigin::~TlsOrigin() {
    SSL_CTX_free(m_ctx); // connections hold their own reference
}

bool TlsOrigin::setCertificate(const QString& certPem, const QString& keyPem) {
    return SSL_CTX_use_certificate_chain_file(m_ctx, certPem.toLocal8Bit().constData()) == 1 &&
           SSL_CTX_use_PrivateKey_file(m_ctx, keyPem.toLocal8Bit().constData(), SSL_FILETYPE_PEM) ==
               1;
}

void TlsOrigin::incomingConnection(qintptr descriptor) {
    new TlsOriginConn(m_ctx, int(descriptor), m_corrupt, this);
}

} // namespace bench
