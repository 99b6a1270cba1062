// A minimal, fast hub peer for the benchmark: one WebSocket server connection speaking the hub side
// of protocol.md just far enough to drive the client. It accepts any tokens (stage 0, challenge,
// stage 1), opens streams with `connect` + early data, honours the client's forward credits and
// pause/resume, grants reverse credits like the real hub (64 on connect, +8 per 8 messages) and
// counts any message sent without credit. Frames to the client are unmasked single frames; the
// client's masked frames are unmasked a word at a time. It does not forward to real users: the
// benchmark consumes the relayed bytes right here, so that the hub side costs as little as
// possible (except for the TLS workloads, whose users connect through a UserPort). With listenTls()
// it serves wss:// (QSslSocket, server-side TLS) instead of ws://.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QUuid>

#include <deque>
#include <functional>

namespace nexustray::protocol {
struct ControlMessage;
}

class QSslConfiguration;
class QTcpServer;
class QTcpSocket;

namespace bench {

class HubPeer;

struct HubStream {
    QUuid id;
    QByteArray dataHeader; // 0x01 + id
    std::function<void(HubStream*, const char*, qsizetype)> onData;
    std::function<void(HubStream*)> onClosed;  // the client sent disconnect
    std::function<void(HubStream*)> onDrained; // send(): nothing waits for forward credit now
    void* user = nullptr;

    // reverse (client -> hub)
    qint64 reverseCredits = 64;
    int sinceGrant = 0;
    // forward (hub -> client)
    qint64 forwardCredits = 0;
    bool paused = false;
    quint64 uploadTotal = 0; // pattern bytes to send as data messages
    quint64 uploadSent = 0;
    bool uploading = false;
    std::deque<QByteArray> waiting; // send(): messages waiting for forward credit
    bool closeWhenSent = false;     // closeWhenSent(): disconnect once `waiting` is empty
};

class HubPeer : public QObject {
public:
    explicit HubPeer(QObject* parent = nullptr);
    ~HubPeer() override;

    bool listen();
    // wss://: every accepted connection starts server-side TLS with this configuration.
    bool listenTls(const QSslConfiguration& tls);
    quint16 port() const;
    bool isLive() const { return m_state == State::Live; }
    std::function<void()> onLive;
    // outbound_connect (protocol.md §9): the peer answers success with 64 credits at once and
    // hands the new stream to this hook (the bench itself is the target); without a hook the
    // request is refused.
    std::function<void(HubStream*, const QString& targetAddr)> onOutbound;

    enum class Transport { Tcp, Udp };
    // Opens a stream: connect (credits 64) and, if non-empty, `prelude` as the first data message
    // (early data, before any forward credit, like the sniffed request head of the real hub).
    // Udp: a UDP flow (transport udp, hostname udp:<connPort>), `prelude` its first datagram.
    HubStream* open(quint16 connPort, const QByteArray& prelude,
                    Transport transport = Transport::Tcp);
    // Sends `bytes` pattern bytes as data messages, obeying forward credit.
    void upload(HubStream* stream, quint64 bytes);
    // Sends `data` as data messages (at most 32 KiB each) in order, each as soon as there is
    // forward credit.
    void send(HubStream* stream, const char* data, qsizetype size);
    // Sends disconnect and forgets the stream.
    void close(HubStream* stream);
    // close() once every message waiting for forward credit has been sent (at once if none).
    void closeWhenSent(HubStream* stream);
    // Hands what was written to the kernel now. A hub writes each message to its connection as it
    // goes (Go's conn.Write is a system call); Qt's sockets write on a later pass of the event
    // loop (QSslSocket encrypts on a queued call, QTcpSocket waits for its write notifier), and
    // that pass is a poll and a wake-up more on every crossing, charged to the tunnel's latency.
    void flush();
    int openStreams() const { return int(m_streams.size()); }

    quint64 creditOverdrafts = 0; // data messages the client sent without credit
    quint64 unknownData = 0;      // data for IDs we do not know (after our own close)
    quint64 badMessages = 0;

private:
    enum class State { Upgrade, Token0, Token1, Live, Closed };
    void onNewConnection();
    void onReadyRead();
    bool handleUpgrade();
    void parseFrames();
    void onMessage(int opcode, char* data, qsizetype size);
    void onBinary(const char* data, qsizetype size);
    void writeFrame(int opcode, const char* a, qsizetype an, const char* b = nullptr,
                    qsizetype bn = 0);
    void sendControl(const QByteArray& json);
    void sendResume(const QUuid& id, qint64 credits);
    void pumpUploads();
    void sendWaiting(HubStream* stream);
    void openOutbound(const nexustray::protocol::ControlMessage& request);
    void forget(HubStream* stream);
    qint64 queuedBytes() const;

    QTcpServer* m_server;
    QTcpSocket* m_socket = nullptr;
    bool m_tls = false;
    State m_state = State::Upgrade;
    QByteArray m_in;
    qsizetype m_pos = 0;
    QByteArray m_fragments;
    int m_fragmentOpcode = 0;
    QHash<QUuid, HubStream*> m_streams;
    std::deque<QUuid> m_uploads; // round robin of uploading streams
};

} // namespace bench
