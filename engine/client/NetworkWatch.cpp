#include "client/NetworkWatch.h"

#include <QSocketNotifier>

#include <cstring>

#include "Logging.h"

#ifdef Q_OS_LINUX
#include <cerrno>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>
#else
#include <QNetworkInformation>
#endif

namespace nexustray {

NetworkWatch::NetworkWatch(QObject* parent)
    : QObject(parent) {
    m_settle.setSingleShot(true);
    m_settle.setInterval(kSettleMs);
    connect(&m_settle, &QTimer::timeout, this, [this] {
        qCInfo(lcClient) << "network changed: reconnecting sessions that are waiting";
        Q_EMIT networkAvailable();
    });
}

NetworkWatch::~NetworkWatch() {
#ifdef Q_OS_LINUX
    if (m_fd >= 0)
        ::close(m_fd);
#endif
}

#ifdef Q_OS_LINUX

namespace {
// Copy a kernel struct out of the datagram without alignment assumptions.
template <typename T> bool readStruct(const char* body, qsizetype bodyLen, T& out) {
    if (bodyLen < qsizetype(sizeof(T)))
        return false;
    std::memcpy(&out, body, sizeof(T));
    return true;
}
} // namespace

bool NetworkWatch::announcesConnectivity(const QByteArray& datagram, LinkState& state) {
    bool gained = false;
    const char* p = datagram.constData();
    qsizetype left = datagram.size();
    while (left >= qsizetype(sizeof(nlmsghdr))) {
        nlmsghdr header;
        std::memcpy(&header, p, sizeof header);
        if (header.nlmsg_len < sizeof(nlmsghdr) || qsizetype(header.nlmsg_len) > left)
            break; // truncated or nonsense: stop, never read past the datagram
        const char* body = p + NLMSG_HDRLEN;
        const qsizetype bodyLen = qsizetype(header.nlmsg_len) - qsizetype(NLMSG_HDRLEN);
        switch (header.nlmsg_type) {
        case RTM_NEWADDR: {
            ifaddrmsg addr;
            // fe80::/64 appears on every veth a container runtime creates: not connectivity.
            if (readStruct(body, bodyLen, addr) && addr.ifa_scope != RT_SCOPE_LINK)
                gained = true;
            break;
        }
        case RTM_NEWLINK: {
            ifinfomsg link;
            if (!readStruct(body, bodyLen, link))
                break;
            const bool running = link.ifi_flags & IFF_RUNNING;
            const auto known = state.running.constFind(link.ifi_index);
            // Only a seen-down -> up transition counts: the first event for an interface we
            // never saw (it may have been up all along) just records its state.
            if (running && known != state.running.cend() && !*known &&
                !(link.ifi_flags & IFF_LOOPBACK))
                gained = true;
            state.running.insert(link.ifi_index, running);
            break;
        }
        case RTM_DELLINK: {
            ifinfomsg link;
            if (readStruct(body, bodyLen, link))
                state.running.remove(link.ifi_index);
            break;
        }
        case RTM_NEWROUTE: {
            rtmsg route;
            if (readStruct(body, bodyLen, route) && route.rtm_dst_len == 0 &&
                route.rtm_table == RT_TABLE_MAIN && route.rtm_type == RTN_UNICAST)
                gained = true; // a default route (re)appeared
            break;
        }
        default:
            break;
        }
        const qsizetype step = qsizetype(NLMSG_ALIGN(header.nlmsg_len));
        if (step >= left)
            break;
        p += step;
        left -= step;
    }
    return gained;
}

bool NetworkWatch::start() {
    if (m_active)
        return true;
    m_fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (m_fd < 0) {
        qCDebug(lcClient) << "no netlink socket (" << strerror(errno)
                          << "); reconnects use timers only";
        return false;
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
                      RTMGRP_IPV6_ROUTE;
    if (::bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        qCDebug(lcClient) << "cannot bind netlink socket (" << strerror(errno)
                          << "); reconnects use timers only";
        ::close(m_fd);
        m_fd = -1;
        return false;
    }
    // Learn which interfaces are up now, so that a later "up" event can be told from a refresh.
    // The replies arrive on the same socket and only update m_links (see readNetlink).
    struct {
        nlmsghdr header;
        ifinfomsg body;
    } dump{};
    dump.header.nlmsg_len = sizeof dump;
    dump.header.nlmsg_type = RTM_GETLINK;
    dump.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    dump.header.nlmsg_seq = 1;
    dump.body.ifi_family = AF_UNSPEC;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(m_fd, &dump, sizeof dump, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
        0)
        qCDebug(lcClient) << "netlink link dump failed:" << strerror(errno);
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &NetworkWatch::readNetlink);
    m_active = true;
    return true;
}

void NetworkWatch::readNetlink() {
    // Kernel datagrams are at most a page or so; 32 KiB also holds a batched link dump.
    QByteArray buffer(32 * 1024, Qt::Uninitialized);
    bool gained = false;
    for (;;) {
        const ssize_t n = ::recv(m_fd, buffer.data(), size_t(buffer.size()), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) {
                // Events were dropped: we cannot know what changed, so assume the best case.
                gained = true;
                continue;
            }
            break; // EAGAIN: drained
        }
        if (n == 0)
            break;
        nlmsghdr first;
        if (n >= qsizetype(sizeof first)) {
            std::memcpy(&first, buffer.constData(), sizeof first);
            // Replies to our own dump (sequence 1, multi-part) only teach us the current state.
            const bool dumpReply = first.nlmsg_seq == 1 && (first.nlmsg_flags & NLM_F_MULTI);
            LinkState& state = m_links;
            const bool announces =
                announcesConnectivity(QByteArray::fromRawData(buffer.constData(), n), state);
            if (announces && !dumpReply)
                gained = true;
        }
    }
    if (gained)
        m_settle.start(); // restarts: one hint after the burst settles
}

#else // not Linux: the platform's own network information backend

bool NetworkWatch::announcesConnectivity(const QByteArray&, LinkState&) {
    return false;
}

bool NetworkWatch::start() {
    if (m_active)
        return true;
    if (!QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability) ||
        !QNetworkInformation::instance()) {
        qCDebug(lcClient) << "no network information backend; reconnects use timers only";
        return false;
    }
    connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
            [this](QNetworkInformation::Reachability reachability) {
                if (reachability == QNetworkInformation::Reachability::Online ||
                    reachability == QNetworkInformation::Reachability::Site)
                    m_settle.start();
            });
    m_active = true;
    return true;
}

void NetworkWatch::readNetlink() {}

#endif

} // namespace nexustray
