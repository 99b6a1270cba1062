// One backend WebSocket at the hub: authentication (stage 0 / challenge / stage 1), re-auth,
// keepalive and read deadline, the 32 785-byte limit, and the streams routed to it
// (protocol.md §1-§7).
#pragma once

#include "hub/JwtValidator.h"
#include "protocol/ControlMessage.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>
#include <QUuid>

class QWebSocket;

namespace nexustray::hub {

class HubEmulatorPrivate;
class HubUserStream;
class HubUdpFlow;

// The identity claims that must not change between stage 0, stage 1 and re-authentications.
struct SessionIdentity {
    QStringList hostnames;    // normalised, de-duplicated, token order
    QList<int> tcpPorts;      // sorted, unique
    QMap<int, int> udpRoutes; // port -> effective flow idle timeout (s)
    bool outboundAllowed = false;
    QList<int> allowedOutboundPorts; // sorted, unique
};

class HubSession : public QObject {
    Q_OBJECT
public:
    HubSession(QWebSocket* socket, HubEmulatorPrivate* hub);
    ~HubSession() override;

    bool isAuthenticated() const { return m_state == State::Authenticated; }
    bool isFinished() const { return m_state == State::Finished; }
    QString backendName() const { return m_backendName; }
    const SessionIdentity& identity() const { return m_identity; }
    int weight() const { return m_weight; }

    // A routed user stream: sends connect + the prelude as the first data message.
    void attachStream(HubUserStream* stream, const QString& hostname, bool isTls,
                      bool httpPrelude = false);
    // Called by a stream that ended on its own (user EOF, buffer full, no credit).
    void streamEnded(HubUserStream* stream, const QString& why, bool notifyClient);
    // An outbound dial failed: outbound_result with the reason.
    void outboundDialFailed(HubUserStream* stream, const QString& reason);

    // UDP flows (protocol.md §8.3). A fresh random v4 ID no stream or flow of ours uses.
    QUuid newStreamId() const;
    // A new flow routed to us: remember it and send its `connect` (the port sends the datagram).
    void attachUdpFlow(HubUdpFlow* flow);
    // The port ended a flow (idle, evicted, write failed): forget it, `disconnect` if asked.
    void udpFlowEnded(HubUdpFlow* flow, bool notifyClient);
    // The idle timeout of flows on this port, in ms (the claim's seconds x secondUnitMs).
    qint64 udpIdleTimeoutMs(quint16 advertisedPort) const;
    // resume_stream{credits:8} for a stream or flow (reverse credits, §7.2).
    void sendReverseGrant(const QUuid& id);

    void sendControl(const protocol::ControlMessage& message);
    void sendData(const QByteArray& header, QByteArrayView payload);
    // False while the WebSocket has a backlog: user streams then stop reading their users until
    // the backlog is written (they are pumped again then).
    bool mayReadUsers();

    // Test hooks.
    void issueReauthChallenge();
    void closeSession(int code, const QString& reason); // close frame, then end
    void dropSession(const QString& why);               // no close frame
    void sendRawBinary(const QByteArray& message);
    void sendRawText(const QByteArray& message);

private:
    enum class State { AwaitStage0, AwaitStage1, Authenticated, Finished };

    void onText(const QString& text);
    void onBinary(const QByteArray& message);
    void onDisconnected();
    void onTokenTimeout();
    void armReadDeadline();

    void handleStage0(const QByteArray& token);
    void handleStage1(const QByteArray& token);
    void handleReauth(const QByteArray& token);
    void handleControl(const protocol::ControlMessage& message);
    void handleOutboundConnect(const protocol::ControlMessage& message);
    void handleUdpControl(HubUdpFlow* flow, const protocol::ControlMessage& message);
    void scheduleReauth();
    void applyReauthSettings(const TokenClaims& claims);

    // Authentication failure: 1008 + reason, or a plain drop when the reason exceeds 123 bytes.
    void rejectHandshake(const QString& reason);
    void finish(int code, const QString& reason);
    void violation(const QString& what);
    bool oversize(qsizetype bytes);

    HubEmulatorPrivate* d;
    QWebSocket* m_socket;
    State m_state = State::AwaitStage0;
    QString m_backendName;
    SessionIdentity m_identity;
    int m_weight = 1;
    QString m_nonce;
    QString m_reauthNonce; // pending challenge; empty = none
    qint64 m_reauthIntervalSeconds = 0;
    qint64 m_reauthGraceSeconds = 10;

    QTimer m_tokenTimer;
    QTimer m_pingTimer;
    QTimer m_readDeadline;
    QTimer m_reauthTimer;
    QTimer m_reauthGraceTimer;
    QTimer m_writeStallTimer;

    QHash<QUuid, HubUserStream*> m_streams;
    QHash<QUuid, HubUdpFlow*> m_udpFlows; // owned by their HubUdpPort
    int m_outboundInFlight = 0;
    bool m_usersHeld = false; // mayReadUsers() said no; pump the streams once the backlog is gone

    friend class HubEmulatorPrivate;
};

} // namespace nexustray::hub
