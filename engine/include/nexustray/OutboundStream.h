// nexustray::OutboundStream — the handle of one outbound stream (protocol.md §9), opened with
// Client::openOutbound(): a TCP connection that the hub dials from its own address on behalf of
// this client, relayed over one of the backend's sessions like any other stream.
//
// The handle lives on the thread that called openOutbound() (the Client's thread). device() is a
// local socket on that thread; its other end is the stream's local side on the session's worker
// thread (a socketpair), so the two threads share no buffers and no locks, and the kernel's socket
// buffers give back-pressure both ways. Write to device() at any time: until the hub said yes the
// bytes wait in the kernel (the stream does not read them), afterwards they go to the target.
// Bytes from the target arrive on device() only after connected().
//
// Exactly one of connected() / failed() is emitted, always queued (never from inside
// openOutbound()). After failed() device() reaches end of file. The stream ends when either side
// closes: close or delete the handle to end it; when the target or the hub ends it, device()
// reaches end of file (readChannelFinished / disconnected).
#pragma once

#include <QObject>
#include <QString>

class QIODevice;
class QLocalSocket;

namespace nexustray {

class Client;
class ClientPrivate;

class OutboundStream : public QObject {
    Q_OBJECT
public:
    // Why the stream could not be opened (mirrors the engine's outcomes; a SOCKS5 listener maps
    // the same ones to its reply codes, protocol.md §9.3).
    enum class Failure {
        Refused,      // the hub refused; failureReason() is its reason (protocol.md §9.1)
        Timeout,      // the hub did not answer within 15 s
        NotConnected, // no connected session of the backend (or no such backend)
        SessionLost,  // the session ended before the hub answered
        Stopping,     // the client is stopping
    };
    Q_ENUM(Failure)
    enum class State { Pending, Connected, Failed };
    Q_ENUM(State)

    ~OutboundStream() override;

    // The stream's bytes: a connected local socket on this handle's thread (owned by the handle).
    QIODevice* device() const;
    State state() const { return m_state; }
    QString targetAddr() const { return m_target; }
    // The session the request went to ("<backend>#<n>"); empty when none was connected.
    QString sessionId() const { return m_sessionId; }
    // Set once failed() was emitted.
    Failure failure() const { return m_failure; }
    QString failureReason() const { return m_reason; }

Q_SIGNALS:
    void connected();
    void failed(nexustray::OutboundStream::Failure failure, const QString& reason);

private:
    friend class Client;
    friend class ClientPrivate;
    OutboundStream(const QString& targetAddr, QObject* parent);
    // The outcome, on this handle's thread; only the first one counts.
    void deliver(bool ok, Failure failure, const QString& reason);
    void failLater(Failure failure, const QString& reason); // queued

    QLocalSocket* m_socket;
    QString m_target;
    QString m_sessionId;
    State m_state = State::Pending;
    Failure m_failure = Failure::NotConnected;
    QString m_reason;
};

QString outboundFailureName(OutboundStream::Failure failure); // "refused", "timeout", ...

} // namespace nexustray
