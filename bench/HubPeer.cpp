#include "HubPeer.h"

#include <QCryptographicHash>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <cstring>

#include "Pattern.h"
#include "protocol/ControlMessage.h"
#include "protocol/Frame.h"
#include "websocket/WebSocketFraming.h"

namespace bench {

namespace {
constexpr qint64 kWriteAhead = 2 * 1024 * 1024; // hub -> client bytes queued before we wait
constexpr qint64 kReverseWindow = 64;
constexpr int kGrantBatch = 8;

// Accepts connections as QSslSockets and starts server-side TLS on them. The socket is handed out
// at once; it emits readyRead only with decrypted bytes, so the handshake is invisible above.
class TlsServer : public QTcpServer {
public:
    TlsServer(const QSslConfiguration& tls, QObject* parent)
        : QTcpServer(parent)
        , m_tls(tls) {}

protected:
    void incomingConnection(qintptr descriptor) override {
        auto* s = new QSslSocket(this);
        if (!s->setSocketDescriptor(descriptor)) {
            delete s;
            return;
        }
        s->setSslConfiguration(m_tls);
        s->startServerEncryption();
        addPendingConnection(s);
    }

private:
    QSslConfiguration m_tls;
};

} // namespace

HubPeer::HubPeer(QObject* parent)
    : QObject(parent)
    , m_server(new QTcpServer(this)) {
    connect(m_server, &QTcpServer::newConnection, this, &HubPeer::onNewConnection);
}

bool HubPeer::listenTls(const QSslConfiguration& tls) {
    delete m_server;
    m_server = new TlsServer(tls, this);
    m_tls = true;
    connect(m_server, &QTcpServer::newConnection, this, &HubPeer::onNewConnection);
    return listen();
}

HubPeer::~HubPeer() {
    qDeleteAll(m_streams);
}

bool HubPeer::listen() {
    return m_server->listen(QHostAddress::LocalHost);
}

quint16 HubPeer::port() const {
    return m_server->serverPort();
}

void HubPeer::onNewConnection() {
    while (QTcpSocket* s = m_server->nextPendingConnection()) {
        if (m_socket) { // one session only
            s->abort();
            s->deleteLater();
            continue;
        }
        m_socket = s;
        s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(s, &QTcpSocket::readyRead, this, &HubPeer::onReadyRead);
        connect(s, &QTcpSocket::bytesWritten, this, &HubPeer::pumpUploads);
        if (auto* ssl = qobject_cast<QSslSocket*>(s))
            connect(ssl, &QSslSocket::encryptedBytesWritten, this, &HubPeer::pumpUploads);
        connect(s, &QTcpSocket::disconnected, this, [this] { m_state = State::Closed; });
    }
}

void HubPeer::onReadyRead() {
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    if (m_pos > 0 && m_pos >= m_in.size() / 2) { // compact now and then, not per read
        m_in.remove(0, m_pos);
        m_pos = 0;
    }
    const qsizetype old = m_in.size();
    m_in.resize(old + available);
    const qint64 n = m_socket->read(m_in.data() + old, available);
    m_in.resize(old + qMax<qint64>(n, 0));
    if (m_state == State::Upgrade && !handleUpgrade())
        return;
    parseFrames();
    flush(); // what the client's messages caused (credits, answers) leaves in this pass
}

void HubPeer::flush() {
    if (m_socket)
        m_socket->flush();
}

bool HubPeer::handleUpgrade() {
    const qsizetype end = m_in.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    QByteArray key;
    for (const QByteArray& line : m_in.left(end).split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "sec-websocket-key")
            key = line.mid(colon + 1).trimmed();
    }
    const QByteArray accept = QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                                       QCryptographicHash::Sha1)
                                  .toBase64();
    m_socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                    accept + "\r\n\r\n");
    m_pos = end + 4;
    m_state = State::Token0;
    return true;
}

void HubPeer::parseFrames() {
    while (m_state != State::Closed) {
        const qsizetype avail = m_in.size() - m_pos;
        if (avail < 2)
            break;
        auto* p = reinterpret_cast<quint8*>(m_in.data() + m_pos);
        const bool fin = p[0] & 0x80;
        const int opcode = p[0] & 0x0f;
        const bool masked = p[1] & 0x80;
        quint64 len = p[1] & 0x7f;
        qsizetype header = 2;
        if (len == 126) {
            if (avail < 4)
                break;
            len = (quint64(p[2]) << 8) | p[3];
            header = 4;
        } else if (len == 127) {
            if (avail < 10)
                break;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | p[2 + i];
            header = 10;
        }
        const quint8* key = p + header;
        if (masked)
            header += 4;
        if (quint64(avail) < quint64(header) + len)
            break;
        char* payload = m_in.data() + m_pos + header;
        if (masked)
            nexustray::ws::maskBytes(payload, payload, qsizetype(len), key); // XOR both ways
        m_pos += header + qsizetype(len);
        if (opcode == 0) { // continuation
            m_fragments.append(payload, qsizetype(len));
            if (fin) {
                QByteArray whole = std::exchange(m_fragments, {});
                onMessage(m_fragmentOpcode, whole.data(), whole.size());
            }
        } else if (!fin && opcode < 8) {
            m_fragmentOpcode = opcode;
            m_fragments = QByteArray(payload, qsizetype(len));
        } else {
            onMessage(opcode, payload, qsizetype(len));
        }
    }
    if (m_pos == m_in.size()) {
        m_in.resize(0); // keeps the capacity
        m_pos = 0;
    }
}

void HubPeer::onMessage(int opcode, char* data, qsizetype size) {
    switch (opcode) {
    case 0x1: // text: authentication
        if (m_state == State::Token0) {
            // 43 characters, like the real hub's nonce; the bench accepts any token.
            static const QByteArray challenge =
                R"({"type":"handshake_challenge","nonce":")" + QByteArray(43, 'n') + R"("})";
            writeFrame(0x1, challenge.constData(), challenge.size());
            m_state = State::Token1;
        } else if (m_state == State::Token1) {
            m_state = State::Live;
            if (onLive)
                onLive();
        }
        return;
    case 0x2:
        onBinary(data, size);
        return;
    case 0x8: // close: answer and end
        writeFrame(0x8, data, qMin<qsizetype>(size, 2));
        m_socket->disconnectFromHost();
        m_state = State::Closed;
        return;
    case 0x9:
        writeFrame(0xA, data, size);
        return;
    default:
        return;
    }
}

void HubPeer::onBinary(const char* data, qsizetype size) {
    if (size < 1) {
        ++badMessages;
        return;
    }
    if (data[0] == char(nexustray::protocol::kDataType) && size >= 17) {
        const QUuid id = QUuid::fromRfc4122(QByteArrayView(data + 1, 16));
        HubStream* s = m_streams.value(id);
        if (!s) {
            ++unknownData;
            return;
        }
        if (--s->reverseCredits < 0)
            ++creditOverdrafts;
        if (++s->sinceGrant == kGrantBatch) {
            s->sinceGrant = 0;
            s->reverseCredits += kGrantBatch;
            sendResume(id, kGrantBatch);
        }
        if (s->onData && size > 17) // empty messages pad a stream's tail; counted above
            s->onData(s, data + 17, size - 17);
        return;
    }
    if (data[0] != char(nexustray::protocol::kControlType)) {
        ++badMessages;
        return;
    }
    using nexustray::protocol::ControlEvent;
    const auto msg = nexustray::protocol::parseControl(QByteArrayView(data + 1, size - 1));
    if (!msg) {
        ++badMessages;
        return;
    }
    if (msg->event == ControlEvent::OutboundConnect) {
        openOutbound(*msg);
        return;
    }
    HubStream* s = m_streams.value(msg->clientId);
    if (!s)
        return;
    switch (msg->event) {
    case ControlEvent::ResumeStream:
        s->paused = false;
        s->forwardCredits += msg->credits;
        if (s->uploading) {
            sendWaiting(s);
            pumpUploads();
        } else {
            sendWaiting(s); // may close (and delete) a stream that was to end once sent
        }
        break;
    case ControlEvent::PauseStream:
        s->paused = true;
        break;
    case ControlEvent::Disconnect: {
        forget(s);
        if (s->onClosed)
            s->onClosed(s);
        delete s;
        break;
    }
    default:
        break;
    }
}

HubStream* HubPeer::open(quint16 connPort, const QByteArray& prelude, Transport transport) {
    auto* s = new HubStream;
    s->id = QUuid::createUuid();
    s->dataHeader = nexustray::protocol::dataHeader(s->id);
    s->reverseCredits = kReverseWindow;
    m_streams.insert(s->id, s);
    nexustray::protocol::ControlMessage connect;
    connect.event = nexustray::protocol::ControlEvent::Connect;
    connect.clientId = s->id;
    connect.connPort = connPort;
    connect.clientIp = QStringLiteral("127.0.0.1:40000");
    const bool udp = transport == Transport::Udp;
    connect.transport = udp ? QStringLiteral("udp") : QStringLiteral("tcp");
    connect.hostname = udp ? QStringLiteral("udp:%1").arg(connPort) : QStringLiteral("bench.test");
    connect.credits = kReverseWindow;
    sendControl(nexustray::protocol::serializeControl(connect));
    if (!prelude.isEmpty())
        writeFrame(0x2, s->dataHeader.constData(), s->dataHeader.size(), prelude.constData(),
                   prelude.size());
    return s;
}

void HubPeer::openOutbound(const nexustray::protocol::ControlMessage& request) {
    nexustray::protocol::ControlMessage result;
    result.event = nexustray::protocol::ControlEvent::OutboundResult;
    result.clientId = request.clientId;
    if (!onOutbound || request.clientId.isNull() || m_streams.contains(request.clientId)) {
        result.reason = QStringLiteral("outbound connections disabled on this proxy");
        sendControl(nexustray::protocol::serializeControl(result));
        return;
    }
    auto* s = new HubStream;
    s->id = request.clientId;
    s->dataHeader = nexustray::protocol::dataHeader(s->id);
    s->reverseCredits = kReverseWindow;
    m_streams.insert(s->id, s);
    result.success = true;
    result.credits = kReverseWindow;
    sendControl(nexustray::protocol::serializeControl(result));
    onOutbound(s, request.targetAddr);
}

void HubPeer::send(HubStream* stream, const char* data, qsizetype size) {
    for (qsizetype at = 0; at < size; at += nexustray::protocol::kMaxDataPayload)
        stream->waiting.emplace_back(
            data + at, std::min<qsizetype>(nexustray::protocol::kMaxDataPayload, size - at));
    sendWaiting(stream);
}

void HubPeer::sendWaiting(HubStream* stream) {
    const bool had = !stream->waiting.empty();
    while (!stream->waiting.empty() && !stream->paused && stream->forwardCredits > 0) {
        const QByteArray& m = stream->waiting.front();
        writeFrame(0x2, stream->dataHeader.constData(), stream->dataHeader.size(), m.constData(),
                   m.size());
        --stream->forwardCredits;
        stream->waiting.pop_front();
    }
    if (!stream->waiting.empty())
        return;
    if (stream->closeWhenSent)
        close(stream); // deletes it
    else if (had && stream->onDrained)
        stream->onDrained(stream);
}

void HubPeer::closeWhenSent(HubStream* stream) {
    stream->closeWhenSent = true;
    if (stream->waiting.empty())
        close(stream);
}

void HubPeer::upload(HubStream* stream, quint64 bytes) {
    stream->uploadTotal += bytes;
    if (!stream->uploading) {
        stream->uploading = true;
        m_uploads.push_back(stream->id);
    }
    pumpUploads();
}

void HubPeer::pumpUploads() {
    // Round robin, one message per stream per turn, while the socket takes more.
    std::size_t idle = 0; // consecutive streams that could not send
    while (!m_uploads.empty() && idle < m_uploads.size() && m_socket &&
           queuedBytes() < kWriteAhead) {
        const QUuid id = m_uploads.front();
        m_uploads.pop_front();
        HubStream* s = m_streams.value(id);
        if (!s || s->uploadSent >= s->uploadTotal) {
            if (s)
                s->uploading = false;
            continue;
        }
        if (s->paused || s->forwardCredits <= 0) {
            m_uploads.push_back(id);
            ++idle;
            continue;
        }
        idle = 0;
        const qint64 n = qMin<qint64>(nexustray::protocol::kMaxDataPayload,
                                      qint64(s->uploadTotal - s->uploadSent));
        writeFrame(0x2, s->dataHeader.constData(), s->dataHeader.size(),
                   Pattern::instance().at(s->uploadSent), n);
        s->uploadSent += quint64(n);
        --s->forwardCredits;
        m_uploads.push_back(id);
    }
}

// Bytes written but not yet taken by the kernel. QSslSocket::bytesToWrite() counts only plaintext
// not yet encrypted; the ciphertext waiting behind it must count too, or the peer would queue
// without bound whenever the client reads slower than we send.
qint64 HubPeer::queuedBytes() const {
    if (!m_tls)
        return m_socket->bytesToWrite();
    const auto* ssl = static_cast<const QSslSocket*>(m_socket);
    return ssl->bytesToWrite() + ssl->encryptedBytesToWrite();
}

void HubPeer::close(HubStream* stream) {
    sendControl(nexustray::protocol::serializeControl(
        nexustray::protocol::makeDisconnect(stream->id, QString())));
    forget(stream);
    delete stream;
}

void HubPeer::forget(HubStream* stream) {
    m_streams.remove(stream->id);
    stream->uploading = false;
}

void HubPeer::sendControl(const QByteArray& json) {
    const char type = char(nexustray::protocol::kControlType);
    writeFrame(0x2, &type, 1, json.constData(), json.size());
}

void HubPeer::sendResume(const QUuid& id, qint64 credits) {
    sendControl(
        nexustray::protocol::serializeControl(nexustray::protocol::makeResume(id, credits)));
}

void HubPeer::writeFrame(int opcode, const char* a, qsizetype an, const char* b, qsizetype bn) {
    if (!m_socket || m_state == State::Closed)
        return;
    char head[10 + 64];
    const quint64 len = quint64(an + bn);
    qsizetype h = 0;
    head[h++] = char(0x80 | opcode);
    if (len < 126) {
        head[h++] = char(len);
    } else if (len <= 0xffff) {
        head[h++] = char(126);
        head[h++] = char(len >> 8);
        head[h++] = char(len & 0xff);
    } else {
        head[h++] = char(127);
        for (int i = 7; i >= 0; --i)
            head[h++] = char((len >> (8 * i)) & 0xff);
    }
    if (an <= 64) { // small first part: one write for header + a
        std::memcpy(head + h, a, size_t(an));
        m_socket->write(head, h + an);
    } else {
        m_socket->write(head, h);
        m_socket->write(a, an);
    }
    if (bn > 0)
        m_socket->write(b, bn);
}

} // namespace bench
