// One accepted SOCKS5 connection up to the outbound result (protocol.md §9.3; RFC 1928 CONNECT,
// RFC 1929 username/password): greeting, optional authentication, request, all within one
// deadline; then the opener is asked for the stream and its result becomes the reply.
//
// Lives on the thread of its socket. Reads only what it parses: bytes the client sends after the
// request stay in the socket for the stream, and the socket's read buffer is capped so that no
// more of the client's data is taken from the kernel before the hub has said yes. Each failure is
// one log line (nexus.socks5) and ends only this connection. Deletes itself when it is done.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "socks5/OutboundOpener.h"

class QTcpSocket;

namespace nexustray::socks5 {

struct Socks5Settings {
    // Both set: RFC 1929 username/password is required (method 02); both empty: no
    // authentication (method 00).
    QByteArray username;
    QByteArray password;
    int deadlineMs = 10000; // greeting + authentication + request (protocol.md §9.3)
    QString label;          // names the listener in log lines, e.g. the backend
};

class Socks5Handshake : public QObject {
    Q_OBJECT
public:
    // Takes ownership of `socket` (connected, on the current thread) and starts at once.
    Socks5Handshake(QTcpSocket* socket, Socks5Settings settings, OutboundOpener opener);
    ~Socks5Handshake() override;

private:
    enum class Phase { Greeting, Auth, Request, Pending, Done };

    void onReadyRead();
    bool step(); // true: a message was consumed and the next may already be buffered
    void onDeadline();
    void onClientGone();
    void startOpen(const QString& targetAddr);
    void onResult(const OutboundResult& result);
    // Sends `reply` (if any) and closes; the handshake ends.
    void fail(const QByteArray& reply, const QString& why);
    QString peer() const;

    QPointer<QTcpSocket> m_socket;
    Socks5Settings m_settings;
    OutboundOpener m_opener;
    QTimer m_deadline;
    Phase m_phase = Phase::Greeting;
    QString m_target;
    QString m_peer;
};

} // namespace nexustray::socks5
