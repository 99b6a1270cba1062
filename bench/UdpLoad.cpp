#include "UdpLoad.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QNetworkDatagram>
#include <QUdpSocket>
#include <QVariant>

#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "HubPeer.h"
#include "Pattern.h"
#include "Wait.h"

namespace bench {

namespace {

constexpr int kGraceMs = 2000; // in-flight datagrams after the last send

// A datagram: an 8-byte sequence number, then pattern bytes up to `size`.
QByteArray datagram(quint64 seq, int size) {
    QByteArray d(Pattern::instance().at(0), qMax(size, 8));
    std::memcpy(d.data(), &seq, sizeof seq);
    return d;
}

// Sends `rate` datagrams per second in total, round robin over `flows` senders, for durationMs,
// then waits for the stragglers; `send(flow, datagram)` sends one.
void pace(UdpResult& r, int flows, int rate, int size, int durationMs,
          const std::function<void(int, const QByteArray&)>& send) {
    QElapsedTimer clock;
    clock.start();
    int next = 0;
    waitUntil(
        [&] {
            const qint64 elapsed = clock.elapsed();
            const quint64 due =
                quint64(double(rate) * double(qMin<qint64>(elapsed, durationMs)) / 1000.0);
            while (r.sent < due) {
                send(next, datagram(r.sent, size));
                ++r.sent;
                next = (next + 1) % flows;
            }
            return elapsed >= durationMs;
        },
        durationMs + 1000);
    r.seconds = double(clock.elapsed()) / 1000.0;
    waitUntil([&] { return r.received + r.malformed >= r.sent; }, kGraceMs);
}

void count(UdpResult& r, const char* data, qsizetype size, int expectedSize) {
    quint64 seq = ~0ULL;
    if (size >= 8)
        std::memcpy(&seq, data, sizeof seq);
    if (size == qMax(expectedSize, 8) && seq < r.sent)
        ++r.received;
    else
        ++r.malformed;
}

} // namespace

UdpResult runUdpTunnel(HubPeer& hub, quint16 connPort, int flows, int rate, int size,
                       int durationMs) {
    UdpResult r;
    std::vector<HubStream*> streams(size_t(flows), nullptr);
    const auto onData = [&r, size](HubStream*, const char* data, qsizetype n) {
        count(r, data, n, size);
    };
    pace(r, flows, rate, size, durationMs, [&](int flow, const QByteArray& d) {
        HubStream*& s = streams[size_t(flow)];
        if (!s) { // the first datagram of a flow opens it, as at the real hub
            s = hub.open(connPort, d, HubPeer::Transport::Udp);
            s->onData = onData;
            // The client ended the flow (refused, idle): the next datagram opens a new one.
            s->onClosed = [&streams, flow](HubStream*) { streams[size_t(flow)] = nullptr; };
        } else {
            hub.send(s, d.constData(), d.size());
        }
    });
    for (HubStream* s : streams) {
        if (s)
            hub.close(s);
    }
    return r;
}

UdpResult runUdpDirect(quint16 echoPort, int flows, int rate, int size, int durationMs) {
    UdpResult r;
    std::vector<std::unique_ptr<QUdpSocket>> sockets;
    for (int i = 0; i < flows; ++i) {
        auto socket = std::make_unique<QUdpSocket>();
        socket->bind(QHostAddress::LocalHost, 0);
        socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 << 20);
        QUdpSocket* s = socket.get();
        QObject::connect(s, &QUdpSocket::readyRead, s, [s, &r, size] {
            while (s->hasPendingDatagrams()) {
                const QNetworkDatagram d = s->receiveDatagram();
                count(r, d.data().constData(), d.data().size(), size);
            }
        });
        sockets.push_back(std::move(socket));
    }
    pace(r, flows, rate, size, durationMs, [&](int flow, const QByteArray& d) {
        sockets[size_t(flow)]->writeDatagram(d, QHostAddress::LocalHost, echoPort);
    });
    return r;
}

} // namespace bench
