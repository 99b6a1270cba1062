// The SOCKS5 listeners of a Client (protocol.md §9.3, issue 14): one per enabled backend with
// socks5ListenAddr, on the Client's thread. An accepted connection goes, as a raw descriptor, to a
// session of that backend — a connected one if any (round robin over them: nexus-tray uses every
// session, the Go client only the first), else any of its sessions (which answers "not connected"
// unless it connects meanwhile) — and its socket is created on that session's worker thread, where
// the handshake runs and the outbound stream lives. With no session at all the handshake runs here
// and answers 01. A listener that cannot bind is logged and skipped; the backend still connects.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

#include "nexustray/Config.h"

namespace nexustray {

class Session;

namespace socks5 {
class Socks5Listener;
}

class Socks5Service : public QObject {
    Q_OBJECT
public:
    // Picks the session that serves a new SOCKS5 connection of `backendName` (nullptr: none).
    using SessionPicker = std::function<Session*(const QString& backendName)>;

    explicit Socks5Service(SessionPicker picker, QObject* parent = nullptr);
    ~Socks5Service() override;

    // Listeners for exactly the enabled backends of `config` that set socks5ListenAddr; a listener
    // whose address and credentials did not change keeps listening. running = false closes all.
    void sync(const Config& config, bool running);
    // The address a backend's listener is bound to (host:port), empty when none.
    QString boundAddress(const QString& backendName) const;

private:
    struct Listener {
        QString listenAddr;
        QString username;
        QString passwordFile;
        std::unique_ptr<socks5::Socks5Listener> server;
    };
    void accept(const QString& backendName, qintptr descriptor);

    SessionPicker m_pick;
    QHash<QString, std::shared_ptr<Listener>> m_listeners; // by backend name
};

} // namespace nexustray
