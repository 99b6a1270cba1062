// A small HTTP CONNECT proxy on 127.0.0.1 for tests of the relay dial through a proxy: it answers
// one CONNECT per connection, then tunnels bytes both ways. It resolves names through a map of
// its own (e.g. relay.test -> 127.0.0.1), so a dial that reaches the relay under such a name
// proves the client left name resolution to the proxy. Optionally requires Basic auth; counts
// CONNECT requests and records the host:port asked for; can misbehave (407, 403, garbage).
#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QTcpServer>

class QTcpSocket;

namespace nexustray::test {

class ConnectProxy : public QObject {
    Q_OBJECT
public:
    enum class Mode {
        Tunnel,     // 200 and tunnel (407 first when credentials are required and missing)
        AlwaysAuth, // 407 with Proxy-Authenticate: Basic to every request
        Deny,       // 403 Forbidden
        Garbage,    // a line that is not HTTP, then close
    };

    explicit ConnectProxy(QObject* parent = nullptr);

    bool listen(); // 127.0.0.1, a free port
    quint16 port() const { return m_server.serverPort(); }
    QString url() const; // http://127.0.0.1:<port>

    void setMode(Mode mode) { m_mode = mode; }
    // "user:password" the client must send (decoded form); empty: no auth required.
    void requireCredentials(const QByteArray& userColonPassword) {
        m_credentials = userColonPassword;
    }
    // The proxy's own name resolution (names not in the map are looked up by the system).
    void mapHost(const QString& name, const QHostAddress& address) {
        m_hosts.insert(name, address);
    }

    int connectCount() const { return m_connects; }            // CONNECT requests seen
    int tunnelCount() const { return m_tunnels; }              // answered 200
    QStringList requestedTargets() const { return m_targets; } // "host:port" of each CONNECT

Q_SIGNALS:
    void tunnelOpened(const QString& target);

private:
    void onNewConnection();
    void onClientData(QTcpSocket* client);

    QTcpServer m_server;
    Mode m_mode = Mode::Tunnel;
    QByteArray m_credentials;
    QHash<QString, QHostAddress> m_hosts;
    int m_connects = 0;
    int m_tunnels = 0;
    QStringList m_targets;
};

} // namespace nexustray::test
