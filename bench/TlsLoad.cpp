#include "TlsLoad.h"

#include <QElapsedTimer>
#include <QSslSocket>
#include <QTimer>

#include <functional>
#include <memory>

#include "Pattern.h"
#include "Wait.h"

namespace bench {

namespace {

constexpr int kDrainTimeoutMs = 30000;

// One TLS client connection; answers are checked against the pattern.
class TlsConn : public QObject {
public:
    std::function<void(TlsConn*, bool ok)> onAnswer; // the whole response, or a failure
    std::function<void(TlsConn*)> onEncrypted;

    TlsConn(const QSslConfiguration& config, quint16 port, int size, int* live)
        : m_size(size)
        , m_live(live) {
        ++*m_live;
        m_socket.setSslConfiguration(config);
        // Like Go's net/http client and curl: no Nagle on the user's own socket.
        connect(&m_socket, &QSslSocket::connected, this,
                [this] { m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1); });
        // Like Go's client (and most): the Finished leaves in its own write, the request in the
        // next one; Qt would otherwise put both into one segment, which no relay splits again.
        connect(&m_socket, &QSslSocket::encrypted, this, [this] {
            if (m_socket.encryptedBytesToWrite() == 0)
                ready();
        });
        connect(&m_socket, &QSslSocket::encryptedBytesWritten, this, [this] {
            if (m_socket.isEncrypted() && m_socket.encryptedBytesToWrite() == 0)
                ready();
        });
        connect(&m_socket, &QSslSocket::readyRead, this, &TlsConn::onReadyRead);
        connect(&m_socket, &QSslSocket::errorOccurred, this, [this] { fail(); });
        connect(&m_socket, &QSslSocket::disconnected, this, [this] {
            fail();
            finish();
        });
        m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    }
    ~TlsConn() override {
        m_socket.disconnect(this);
        --*m_live;
    }

    void request(const QByteArray& bytes) {
        m_received = 0;
        m_outstanding = true;
        m_socket.write(bytes);
    }
    bool outstanding() const { return m_outstanding; }

    // TLS close_notify and FIN; the connection deletes itself once the socket is closed.
    void close() {
        m_closing = true;
        m_socket.disconnectFromHost();
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            finish();
    }

private:
    void ready() {
        if (m_ready)
            return;
        m_ready = true;
        if (onEncrypted)
            onEncrypted(this);
    }
    void onReadyRead() {
        char buffer[16 * 1024];
        for (;;) {
            const qint64 n = m_socket.read(buffer, sizeof buffer);
            if (n <= 0)
                break;
            if (!m_outstanding || m_received + n > m_size ||
                !Pattern::instance().matches(quint64(m_received), buffer, n)) {
                fail();
                return;
            }
            m_received += n;
            if (m_received == m_size) {
                m_outstanding = false;
                if (onAnswer)
                    onAnswer(this, true);
            }
        }
    }
    void fail() {
        if (m_failed || (m_closing && !m_outstanding))
            return;
        m_failed = true;
        m_outstanding = false;
        if (onAnswer)
            onAnswer(this, false);
        m_socket.abort();
    }
    void finish() {
        if (!m_finished) {
            m_finished = true;
            deleteLater();
        }
    }

    QSslSocket m_socket{this};
    qint64 m_size;
    qint64 m_received = 0;
    int* m_live;
    bool m_ready = false; // the handshake's last flight has left
    bool m_outstanding = false;
    bool m_closing = false;
    bool m_failed = false;
    bool m_finished = false;
};

// Starts one new-connection exchange: connect, handshake, request, response, close.
void oneShot(const QSslConfiguration& config, quint16 port, const QByteArray& request, int size,
             int gapMs, int* live, const std::function<void(qint64 startNs, bool ok)>& done,
             const QElapsedTimer& clock) {
    const qint64 start = clock.nsecsElapsed();
    auto* c = new TlsConn(config, port, size, live);
    c->onEncrypted = [request, gapMs](TlsConn* conn) {
        if (gapMs > 0)
            QTimer::singleShot(gapMs, Qt::PreciseTimer, conn,
                               [conn, request] { conn->request(request); });
        else
            conn->request(request);
    };
    c->onAnswer = [done, start](TlsConn* conn, bool ok) { // called once
        conn->close();
        done(start, ok);
    };
}

} // namespace

TlsLoad::TlsLoad(const QSslConfiguration& client, int requestSize, int gapMs)
    : m_client(client)
    , m_request(countHeader(quint64(requestSize)) +
                QByteArray(Pattern::instance().at(0), requestSize - 8))
    , m_size(requestSize)
    , m_gapMs(gapMs) {}

// Bookkeeping of the new-connection workloads.
struct TlsLoad::Run {
    TlsSamples r;
    QElapsedTimer clock;
    int live = 0;    // TlsConn objects
    int pending = 0; // exchanges not answered yet
    qint64 lastNs = 0;

    Run() { clock.start(); }
    void record(qint64 startNs, bool ok) {
        --pending;
        lastNs = clock.nsecsElapsed();
        if (ok)
            r.ns.push_back(lastNs - startNs);
        else
            ++r.failures;
    }
    void start(TlsLoad* load, quint16 port, const std::function<void(qint64, bool)>& done) {
        ++pending;
        oneShot(load->m_client, port, load->m_request, load->m_size, load->m_gapMs, &live, done,
                clock);
    }
    TlsSamples finish(bool finished) {
        waitUntil([this] { return live == 0; }, kDrainTimeoutMs);
        r.finished = finished;
        r.seconds = double(lastNs) / 1e9;
        return std::move(r);
    }
};

TlsSamples TlsLoad::newConnections(quint16 port, int rate, int durationMs) {
    Run run;
    const auto done = [&run](qint64 startNs, bool ok) { run.record(startNs, ok); };
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    const qint64 intervalNs = 1000000000 / std::max(1, rate);
    qint64 started = 0;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        // Catch up with the schedule if the loop was late: the rate is fixed, not the gaps.
        while (started * intervalNs <= run.clock.nsecsElapsed() &&
               started * intervalNs < qint64(durationMs) * 1000000) {
            ++started;
            run.start(this, port, done);
        }
        if (started * intervalNs >= qint64(durationMs) * 1000000)
            tick.stop();
    });
    tick.start(1);
    return run.finish(waitUntil([&] { return !tick.isActive() && run.pending == 0; },
                                durationMs + kDrainTimeoutMs));
}

TlsSamples TlsLoad::keepAlive(quint16 port, int rate, int durationMs) {
    TlsSamples r;
    QElapsedTimer clock;
    int live = 0;
    bool ready = false;
    qint64 sentNs = 0;
    auto* c = new TlsConn(m_client, port, m_size, &live);
    c->onEncrypted = [&](TlsConn*) { ready = true; };
    c->onAnswer = [&](TlsConn*, bool ok) {
        if (ok)
            r.ns.push_back(clock.nsecsElapsed() - sentNs);
        else
            ++r.failures;
    };
    if (!waitUntil([&] { return ready || r.failures > 0; }, kDrainTimeoutMs) || !ready) {
        c->close();
        waitUntil([&] { return live == 0; }, kDrainTimeoutMs);
        return r;
    }
    clock.start();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (clock.elapsed() >= durationMs) {
            tick.stop();
            return;
        }
        if (!c->outstanding() && r.failures == 0) {
            sentNs = clock.nsecsElapsed();
            c->request(m_request);
        }
    });
    tick.start(1000 / std::max(1, rate));
    r.finished = waitUntil([&] { return !tick.isActive() && !c->outstanding(); },
                           durationMs + kDrainTimeoutMs);
    r.seconds = double(clock.nsecsElapsed()) / 1e9;
    c->close();
    waitUntil([&] { return live == 0; }, kDrainTimeoutMs);
    return r;
}

TlsSamples TlsLoad::saturate(quint16 port, int workers, int durationMs) {
    Run run;
    const qint64 deadline = qint64(durationMs) * 1000000;
    std::function<void(qint64, bool)> done = [&](qint64 startNs, bool ok) {
        run.record(startNs, ok);
        if (run.lastNs < deadline)
            run.start(this, port, done); // closed loop: the worker goes on at once
    };
    for (int i = 0; i < workers; ++i)
        run.start(this, port, done);
    return run.finish(waitUntil([&] { return run.pending == 0; }, durationMs + kDrainTimeoutMs));
}

} // namespace bench
