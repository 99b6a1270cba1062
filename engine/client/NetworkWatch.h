// Tells the sessions when the machine has probably gained connectivity (an address was added, an
// interface came up, a default route appeared), so that a reconnect waiting out its backoff can
// try at once instead (seed README: fast recovery when the network comes back).
//
// On Linux this is a NETLINK_ROUTE socket on the event loop: no D-Bus, no GIO. QNetworkInformation
// would give the same hint, but on Linux it loads both of its backends (GIO and NetworkManager
// over D-Bus) to compare their features, which costs about 5 MB of resident memory — half of what
// the whole Go client uses. Elsewhere QNetworkInformation is used.
#pragma once

#include <QHash>
#include <QObject>
#include <QTimer>

class QSocketNotifier;

namespace nexustray {

class NetworkWatch : public QObject {
    Q_OBJECT
public:
    explicit NetworkWatch(QObject* parent = nullptr);
    ~NetworkWatch() override;

    // Start listening; false (with a debug log) when the platform offers nothing to listen to.
    bool start();

    // Interface state used to recognise "came up" (as opposed to "changed") in link events.
    struct LinkState {
        QHash<int, bool> running; // ifindex -> IFF_RUNNING as last seen
    };
    // True when the netlink datagram announces new connectivity: an address that is not
    // link-local, an interface other than loopback becoming IFF_RUNNING, or a default route.
    // Malformed or truncated datagrams are ignored safely (they come from the kernel, but still).
    static bool announcesConnectivity(const QByteArray& datagram, LinkState& state);

    // Hints are coalesced: one networkAvailable() this long after the last relevant event
    // (DHCP adds the address and the default route a few milliseconds apart).
    static constexpr int kSettleMs = 300;

Q_SIGNALS:
    void networkAvailable();

private:
    void readNetlink();

    int m_fd = -1;
    QSocketNotifier* m_notifier = nullptr;
    LinkState m_links;
    QTimer m_settle{this};
    bool m_active = false;
};

} // namespace nexustray
