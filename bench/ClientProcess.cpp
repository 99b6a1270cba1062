#include "ClientProcess.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <sys/prctl.h>

#include <csignal>

#include "BenchBackend.h"
#include "nexustray/Client.h"
#include "nexustray/Config.h"

namespace bench {

int runClientProcess(QCoreApplication& app, const ClientAttach& attach) {
    prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlive the driver
    QCommandLineParser args;
    args.addOptions({{QStringLiteral("client-process"), QString()},
                     {QStringLiteral("hub-url"), QString(), QStringLiteral("url")},
                     {QStringLiteral("ports"), QString(), QStringLiteral("list")},
                     {QStringLiteral("ca-file"), QString(), QStringLiteral("pem")},
                     {QStringLiteral("udp-port"), QString(), QStringLiteral("port")},
                     {QStringLiteral("socks5-port"), QString(), QStringLiteral("port")},
                     {QStringLiteral("metrics"), QString(), QStringLiteral("addr")}});
    args.process(app);
    QList<quint16> ports;
    for (const QString& port : args.value(QStringLiteral("ports")).split(QLatin1Char(',')))
        ports.append(port.toUShort());
    if (ports.size() < 4 || ports.contains(0))
        return 2;
    // wss://: tls.caFile trusts the bench's own CA
    nexustray::BackendConfig b = benchBackend(args.value(QStringLiteral("hub-url")), ports,
                                              args.value(QStringLiteral("ca-file")));
    if (args.isSet(QStringLiteral("udp-port"))) { // conn_port 6 (UDP) -> the UDP echo
        b.udpRoutes = {nexustray::UdpRoute{6, std::nullopt}};
        b.portMappings[6].defaultTarget =
            QStringLiteral("127.0.0.1:%1").arg(args.value(QStringLiteral("udp-port")));
    }
    if (args.isSet(QStringLiteral("socks5-port"))) {
        b.attestation.outboundAllowed = true;
        b.socks5ListenAddr =
            QStringLiteral("127.0.0.1:%1").arg(args.value(QStringLiteral("socks5-port")));
    }
    nexustray::Config config;
    config.backends = {b};
    nexustray::Client client(config);
    if (attach && !attach(client, args.value(QStringLiteral("metrics"))))
        return 1;
    client.start();
    return QCoreApplication::exec();
}

} // namespace bench
