// nexustray::Client — the library-mode entry point. Construct it from a Config, optionally set a
// connect handler, start() it; every backend x nexusAddresses entry gets its own session on its
// own worker thread. All signals are delivered on the thread that owns the Client.
// Every method is called on the Client's thread and returns at once: the work runs on the
// sessions' worker threads (or a TPM attestor's thread) and its outcome arrives as signals.
// Logging goes through QLoggingCategory ("nexus.*" categories) and Qt's message handler.
#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <memory>

#include "nexustray/Config.h"
#include "nexustray/ConnectRequest.h"
#include "nexustray/OutboundStream.h"
#include "nexustray/Snapshots.h"
#include "nexustray/TokenProvider.h"

namespace nexustray {

class ClientPrivate;

class Client : public QObject {
    Q_OBJECT
public:
    explicit Client(Config config, QObject* parent = nullptr);
    ~Client() override; // abrupt: drops all sessions without a goodbye to the hub (use stop())

    // Must be set before start(); called on session worker threads.
    void setConnectHandler(ConnectHandler handler);
    // Your own attestation tokens (TokenProvider.h): called once per session when it starts, on
    // that session's worker thread (the provider lives and is used there; several sessions may
    // call it at the same time). Return nullptr for the built-in provider the config selects.
    // Set it before start(); a session restarted later (applyConfig, toggles) uses the factory
    // set at that time.
    void setTokenProviderFactory(TokenProviderFactory factory);

    const Config& config() const;

    void start();
    // Closes every stream (reason "shutdown"), closes WebSockets with 1001, joins the threads.
    // Emits stopped() when done; safe to call twice.
    void stop();
    bool isRunning() const;

    // Switch one backend on or off at run time (its sessions stop/start; others are untouched).
    void setBackendEnabled(const QString& backendName, bool enabled);
    // Apply a new config: sessions of backends whose settings changed restart, others keep running.
    void applyConfig(Config config);

    QList<SessionSnapshot> sessions() const;
    QList<StreamSnapshot> streams() const;

    // User actions (the tray's).
    //
    // Closes one live stream: sends the protocol's `disconnect` (reason "normal") for it to the
    // hub and closes its local socket; its last snapshot (streamClosed) ends Closed with the close
    // reason "closed by user". Unknown or already closing streams are ignored.
    void closeStream(const QString& sessionId, const QUuid& clientId);
    // The backend's sessions that gave up (Failed) or wait in Backoff try again now: a Backoff
    // session dials at once with its failure counters reset, a Failed one is started afresh
    // (token provider included). Connected and connecting sessions are untouched.
    void retryNow(const QString& backendName);

    // An outbound stream (protocol.md §9): the hub of one of the backend's connected sessions
    // (any of them, not only the first: requests are spread over the connected ones) dials
    // `targetAddr` ("host:port", IPv6 literals in brackets; a name is resolved by the hub) and
    // relays it. The backend needs outboundAllowed (and allowedOutboundPorts, if set, must hold
    // the port); the hub applies its own checks (§9.1) and says why it refuses. The returned
    // handle (owned by `parent`, or by the caller when null) reports connected() or failed()
    // later, never from inside this call: NotConnected when no session of the backend is
    // connected. See OutboundStream.h for the data path and its threads.
    OutboundStream* openOutbound(const QString& backendName, const QString& targetAddr,
                                 QObject* parent = nullptr);

    // attestation.tpm backends (ignored for others). checkIdentity asks namek about the device
    // (GET /api/v1/devices/me with a fresh quote); reenroll forgets a suspension, enrolls again at
    // the next token request and restarts the backend's sessions. Both report through
    // backendIdentityChanged (checking = true while running, then the outcome).
    void checkIdentity(const QString& backendName);
    void reenroll(const QString& backendName);
    // The last known identity of every tpm backend that was checked or re-enrolled.
    QList<BackendIdentity> identities() const;

Q_SIGNALS:
    void sessionChanged(const nexustray::SessionSnapshot& snapshot);
    // Throttled: at most a few times per second per session, plus open/close events.
    void streamChanged(const nexustray::StreamSnapshot& snapshot);
    void streamClosed(const nexustray::StreamSnapshot& snapshot);
    // Every token request of every session once its outcome is known (Snapshots.h,
    // AttestationResult): stage handshake / attest / reauth, result ok / failed / rejected /
    // lost. Exactly one per request the provider answered; for nexustray_attestations_total.
    void attestationFinished(const nexustray::AttestationEvent& event);
    void stopped();
    void backendIdentityChanged(const nexustray::BackendIdentity& identity);

private:
    std::unique_ptr<ClientPrivate> d;
};

} // namespace nexustray
