// NetworkWatch: which netlink events count as "the network may be back", robustness against
// malformed datagrams, and live kernel events in a private network namespace (the test unshares
// its own namespace, so the host's interfaces are never touched).
#include <QtTest>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>

#include <cstring>

#include "client/NetworkWatch.h"

using namespace nexustray;

namespace {

// One netlink message: header + kernel struct, padded as the kernel pads it.
template <typename T>
QByteArray message(quint16 type, const T& body, quint16 flags = 0, quint32 seq = 0) {
    nlmsghdr header{};
    header.nlmsg_len = NLMSG_LENGTH(sizeof(T));
    header.nlmsg_type = type;
    header.nlmsg_flags = flags;
    header.nlmsg_seq = seq;
    QByteArray out(NLMSG_SPACE(sizeof(T)), '\0');
    std::memcpy(out.data(), &header, sizeof header);
    std::memcpy(out.data() + NLMSG_HDRLEN, &body, sizeof(T));
    return out;
}

QByteArray address(unsigned char scope, int family = AF_INET) {
    ifaddrmsg a{};
    a.ifa_family = static_cast<unsigned char>(family);
    a.ifa_scope = scope;
    a.ifa_index = 2;
    return message(RTM_NEWADDR, a);
}

QByteArray link(int index, unsigned flags, quint16 type = RTM_NEWLINK) {
    ifinfomsg l{};
    l.ifi_index = index;
    l.ifi_flags = flags;
    return message(type, l);
}

QByteArray route(unsigned char dstLen, unsigned char table = RT_TABLE_MAIN,
                 unsigned char type = RTN_UNICAST) {
    rtmsg r{};
    r.rtm_family = AF_INET;
    r.rtm_dst_len = dstLen;
    r.rtm_table = table;
    r.rtm_type = type;
    return message(RTM_NEWROUTE, r);
}

QString ipTool() {
    return QStandardPaths::findExecutable(QStringLiteral("ip"),
                                          {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"),
                                           QStringLiteral("/usr/bin"), QStringLiteral("/bin")});
}

bool ip(const QStringList& args, QString* error = nullptr) {
    QProcess p;
    p.start(ipTool(), args);
    const bool ok =
        p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!ok && error)
        *error = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
    return ok;
}

} // namespace

class TestNetworkWatch : public QObject {
    Q_OBJECT
    bool m_privateNetns = false;
    QString m_netnsProblem;

private Q_SLOTS:
    void initTestCase() {
        // Only this (main) thread moves into the new namespace; QProcess children inherit it.
        if (::unshare(CLONE_NEWNET) == 0 || ::unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0)
            m_privateNetns = true;
        else
            m_netnsProblem = QStringLiteral("cannot create a network namespace: %1")
                                 .arg(QString::fromLocal8Bit(strerror(errno)));
    }

    void addressesCountUnlessLinkLocal() {
        NetworkWatch::LinkState state;
        QVERIFY(NetworkWatch::announcesConnectivity(address(RT_SCOPE_UNIVERSE), state));
        QVERIFY(NetworkWatch::announcesConnectivity(address(RT_SCOPE_HOST), state));
        QVERIFY(NetworkWatch::announcesConnectivity(address(RT_SCOPE_SITE, AF_INET6), state));
        // fe80:: on a container's veth is not connectivity
        QVERIFY(!NetworkWatch::announcesConnectivity(address(RT_SCOPE_LINK, AF_INET6), state));
    }

    void linkCountsOnlyOnSeenDownToUp() {
        NetworkWatch::LinkState state;
        // first sight of an interface that is already running: only recorded
        QVERIFY(!NetworkWatch::announcesConnectivity(link(3, IFF_UP | IFF_RUNNING), state));
        QVERIFY(!NetworkWatch::announcesConnectivity(link(3, IFF_UP | IFF_RUNNING), state));
        QVERIFY(!NetworkWatch::announcesConnectivity(link(3, IFF_UP), state)); // carrier lost
        QVERIFY(NetworkWatch::announcesConnectivity(link(3, IFF_UP | IFF_RUNNING), state));
        // loopback never counts
        QVERIFY(!NetworkWatch::announcesConnectivity(link(1, IFF_LOOPBACK), state));
        QVERIFY(!NetworkWatch::announcesConnectivity(link(1, IFF_LOOPBACK | IFF_UP | IFF_RUNNING),
                                                     state));
        // a removed interface is forgotten: when it returns running, it is a first sight again
        QVERIFY(!NetworkWatch::announcesConnectivity(link(4, IFF_UP), state));
        QVERIFY(!NetworkWatch::announcesConnectivity(link(4, 0, RTM_DELLINK), state));
        QVERIFY(!NetworkWatch::announcesConnectivity(link(4, IFF_UP | IFF_RUNNING), state));
    }

    void onlyDefaultRoutesCount() {
        NetworkWatch::LinkState state;
        QVERIFY(NetworkWatch::announcesConnectivity(route(0), state));
        QVERIFY(!NetworkWatch::announcesConnectivity(route(24), state));
        QVERIFY(!NetworkWatch::announcesConnectivity(route(0, RT_TABLE_LOCAL), state));
        QVERIFY(
            !NetworkWatch::announcesConnectivity(route(0, RT_TABLE_MAIN, RTN_UNREACHABLE), state));
    }

    void batchedMessagesAreAllRead() {
        NetworkWatch::LinkState state;
        // the relevant message is the last of three in one datagram
        const QByteArray batch = route(24) + address(RT_SCOPE_LINK) + route(0);
        QVERIFY(NetworkWatch::announcesConnectivity(batch, state));
        QVERIFY(!NetworkWatch::announcesConnectivity(route(24) + route(16), state));
    }

    void malformedDatagramsAreIgnored() {
        NetworkWatch::LinkState state;
        QVERIFY(!NetworkWatch::announcesConnectivity(QByteArray(), state));
        QByteArray truncated = address(RT_SCOPE_UNIVERSE);
        truncated.chop(8); // header claims more than is there
        QVERIFY(!NetworkWatch::announcesConnectivity(truncated, state));
        // a header whose length is shorter than a header would loop forever if trusted
        nlmsghdr tiny{};
        tiny.nlmsg_len = 4;
        tiny.nlmsg_type = RTM_NEWADDR;
        QVERIFY(!NetworkWatch::announcesConnectivity(
            QByteArray(reinterpret_cast<const char*>(&tiny), sizeof tiny), state));
        // header only: the body is missing
        nlmsghdr bare{};
        bare.nlmsg_len = NLMSG_HDRLEN;
        bare.nlmsg_type = RTM_NEWADDR;
        QVERIFY(!NetworkWatch::announcesConnectivity(
            QByteArray(reinterpret_cast<const char*>(&bare), sizeof bare), state));
        // random bytes: no crash (ASan checks the reads), any verdict
        QRandomGenerator rng(42);
        for (int i = 0; i < 2000; ++i) {
            QByteArray junk(int(rng.bounded(200)), Qt::Uninitialized);
            for (char& c : junk)
                c = char(rng.bounded(256));
            NetworkWatch::announcesConnectivity(junk, state);
        }
        QVERIFY(state.running.size() < 2000);
    }

    void loopbackComingUpInAPrivateNamespaceIsSeen() {
        if (!m_privateNetns)
            QSKIP(qPrintable(m_netnsProblem));
        if (ipTool().isEmpty())
            QSKIP("the ip tool (iproute2) is not installed");
        NetworkWatch watch;
        QVERIFY(watch.start());
        QSignalSpy available(&watch, &NetworkWatch::networkAvailable);
        QString error;
        QVERIFY2(ip({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                     QStringLiteral("up")},
                    &error),
                 qPrintable(error));
        // 127.0.0.1 and ::1 are added (scope host): one coalesced hint
        QVERIFY(available.wait(5000));
        QCOMPARE(available.size(), 1);
        // taking the interface down again announces nothing
        QVERIFY2(ip({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                     QStringLiteral("down")},
                    &error),
                 qPrintable(error));
        QVERIFY(!available.wait(NetworkWatch::kSettleMs * 3));
        QCOMPARE(available.size(), 1);
    }

    void interfaceGainingCarrierIsSeen() {
        if (!m_privateNetns)
            QSKIP(qPrintable(m_netnsProblem));
        if (ipTool().isEmpty())
            QSKIP("the ip tool (iproute2) is not installed");
        NetworkWatch watch;
        QString error;
        // a veth pair: an end is RUNNING (has carrier) only once both ends are up
        if (!ip({QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("nt0"),
                 QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"),
                 QStringLiteral("name"), QStringLiteral("nt1")},
                &error))
            QSKIP(qPrintable(QStringLiteral("no veth interfaces here: %1").arg(error)));
        // the watch starts while both ends are down: the initial link dump records that
        QVERIFY(watch.start());
        QSignalSpy available(&watch, &NetworkWatch::networkAvailable);
        QVERIFY(!available.wait(NetworkWatch::kSettleMs * 2)); // the dump itself is silent
        QVERIFY2(ip({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("nt1"),
                     QStringLiteral("up")},
                    &error),
                 qPrintable(error));
        QVERIFY(!available.wait(NetworkWatch::kSettleMs * 2)); // up without carrier: nothing
        QVERIFY2(ip({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("nt0"),
                     QStringLiteral("up")},
                    &error),
                 qPrintable(error));
        QVERIFY(available.wait(5000));
        QCOMPARE(available.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestNetworkWatch)
#include "tst_networkwatch.moc"
