// One relayed UDP flow (a `client_id` with transport udp, protocol.md §8.3): a connected
// QUdpSocket to the mapped target; every hub data message is exactly one datagram written, every
// local datagram read is exactly one data message (never merged or split; empty ones included).
//
// Forward (hub -> local): the window granted right after `connect` comes back one credit per
// datagram written or dropped (batches of 8, §7.2 Recommendation). While the target name is being
// resolved, datagrams wait in a bounded buffer (kEarlyLimit); beyond it they are dropped and
// counted. A datagram the target refuses (ICMP port unreachable) is counted as dropped and logged
// once per flow; the flow stays up (the service may come back).
// Reverse (local -> hub): the socket is always read, so a storm costs no kernel memory; a
// datagram is sent only with reverse credit and while the WebSocket is not congested, otherwise it
// waits in a bounded queue (kReverseQueueLimit), beyond it it is dropped and counted. Datagrams
// above the hub's payload limit (32 768 bytes) are dropped and counted, not fatal.
// Idle: no datagram either way for the flow's idle timeout closes it with `disconnect`/`timeout`.
// Hub `disconnect`: the local socket is closed at once (UDP has nothing to flush).
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QPointer>
#include <QTimer>
#include <QUuid>

#include <deque>

#include "nexustray/ConnectRequest.h"
#include "nexustray/Snapshots.h"
#include "relay/RelayChannel.h"

class QUdpSocket;

namespace nexustray {

class StreamHost;

class UdpFlow : public RelayChannel {
    Q_OBJECT
public:
    static constexpr int kEarlyLimit = 64;        // datagrams kept while the socket connects
    static constexpr int kReverseQueueLimit = 64; // local datagrams waiting for credit or the link

    struct Params {
        ConnectRequest request;
        qint64 reverseCredits = 0; // from connect.credits; 0 = unlimited (old hub)
        int dialTimeoutMs = 10000; // name resolution of the target
        int idleTimeoutMs = 30000; // no datagram either way for this long: `timeout`
    };

    UdpFlow(Params params, StreamHost* host, QObject* parent = nullptr);
    ~UdpFlow() override;

    const QUuid& id() const override { return m_params.request.clientId; }
    bool isOpen() const override {
        return m_state == StreamState::Dialing || m_state == StreamState::Open;
    }

    void dial(const QString& hostPort) override;
    void refuse(const QString& why) override;

    void onHubData(const char* data, qsizetype size) override;
    void onHubDisconnect() override;
    void onHubCredits(qint64 credits) override;
    bool sendToHub(int maxMessages) override;

    void shutdown() override;
    void abandon() override;
    void closeByUser() override;

    StreamSnapshot snapshot(const QString& sessionId) const override;

private:
    void onPongTimeout() override;
    void sendPing() override;
    void onConnected();
    void onReadyRead();
    void onSocketError();
    void onRefused();
    void writeDatagram(const char* data, qsizetype size);
    void dropForward(); // a hub datagram that will never be written: counted, credit returned
    void consumeForward();
    void returnCredits(bool force);
    bool hasReverseCredit() const { return m_reverseUnlimited || m_reverseCredits > 0; }
    void datagramSeen(); // idle clock
    void onIdleTimer();
    // Ends the flow: `reason` is sent to the hub (none when empty: the hub closed it).
    void finish(const QString& reason, const QString& shownReason = QString());
    void release();

    Params m_params;
    StreamHost* m_host;
    QUdpSocket* m_socket = nullptr;
    QByteArray m_header; // 17-byte data header, built once

    std::deque<QByteArray> m_early;   // hub datagrams received while the socket connects
    std::deque<QByteArray> m_reverse; // complete data messages waiting for credit or the link
    qint64 m_creditsToReturn = 0;
    qint64 m_reverseCredits = 0;
    bool m_reverseUnlimited = false;
    bool m_refusalLogged = false;
    bool m_writing = false; // inside QUdpSocket::write (its errors are handled there)

    quint64 m_datagramsIn = 0;
    quint64 m_datagramsOut = 0;
    quint64 m_datagramsDropped = 0;
    qint64 m_lastDatagramMs = 0;
    QTimer m_dialTimer{this};
    QTimer m_idleTimer{this};
};

} // namespace nexustray
