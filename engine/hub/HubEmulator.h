// An in-process Nexus hub for the demo and the tests. It speaks the hub side of
// shared/spec/protocol.md as strictly as the real server: HS256 token validation (iss, aud, exp,
// nbf), stage-0 / challenge / stage-1 with a real 43-character nonce, identity equality between
// stages, token deadlines, reauth challenges, the 32 785-byte message limit (close 1009), reverse
// credits (64 on connect, +8 per 8 messages written to the user, stream killed at 128 pending) and
// forward credits / pause. Users reach it on real TCP relay listeners; the hub routes them by TLS
// SNI, then HTTP Host, then a tcp:<port> claim, to an authenticated session (weighted round robin).
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QStringList>
#include <QUrl>
#include <QUuid>

#include <memory>
#include <optional>

namespace nexustray::hub {

struct RelayPort {
    quint16 advertisedPort = 0; // what connect.conn_port says (e.g. 443)
    quint16 listenPort = 0;     // where the hub really listens on loopback; 0 = ephemeral
};

struct HubOptions {
    QByteArray jwtSecret;                 // backendsJWTSecret (HS256/384/512)
    QHostAddress address = QHostAddress::LocalHost;
    quint16 backendPort = 0;              // 0 = ephemeral
    std::optional<QSslConfiguration> tls; // set -> wss:// (local certificate + key inside)
    QList<RelayPort> relayPorts;
    int tokenTimeoutMs = 10000;           // wait for each token
    int initialCredits = 64;              // credits on connect; 0 = behave like an old hub
    int maxPendingPerStream = 128;        // unwritten messages per user before the stream dies
    int pingIntervalMs = 54000;
    int readDeadlineMs = 60000;
    int noCreditIdleTimeoutMs = 30000;    // stream closed after this long without forward credit
    int sniffTimeoutMs = 300;             // wait for a TLS/HTTP prelude before using tcp:<port>
};

struct HubStats {
    int authenticatedSessions = 0;
    int activeStreams = 0;
    quint64 streamsOpened = 0;
    quint64 bytesToClient = 0;   // data payload bytes sent to backends
    quint64 bytesFromClient = 0; // data payload bytes received from backends
    quint64 creditOverdrafts = 0; // data messages a client sent without a credit
    quint64 protocolViolations = 0;
};

class HubEmulatorPrivate;

class HubEmulator : public QObject {
    Q_OBJECT
public:
    explicit HubEmulator(HubOptions options, QObject* parent = nullptr);
    ~HubEmulator() override;

    bool start(QString* error = nullptr);
    // Drops every session (close 1001) and user connection and stops listening.
    void stop();

    QUrl backendUrl() const;                          // ws(s)://127.0.0.1:<port>/connect
    quint16 relayListenPort(quint16 advertisedPort) const;
    HubStats stats() const;

    // Test hooks.
    void sendReauthChallenges();                      // to every authenticated session now
    void dropSessions(bool sendCloseFrame);           // simulate a crash (false) or restart
    void sendRawBinary(const QByteArray& message);    // hostile input to every authenticated session
    void sendRawText(const QByteArray& message);

Q_SIGNALS:
    void sessionAuthenticated(const QString& backendName, const QStringList& hostnames, int weight);
    void sessionReauthenticated(const QString& backendName);
    void sessionClosed(const QString& backendName, int closeCode, const QString& reason);
    void streamOpened(const QUuid& clientId, const QString& hostname);
    void streamClosed(const QUuid& clientId, const QString& why);
    void clientDisconnectReceived(const QUuid& clientId, const QString& reason);
    void protocolViolation(const QString& what);

private:
    std::unique_ptr<HubEmulatorPrivate> d;
};

} // namespace nexustray::hub
