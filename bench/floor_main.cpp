// nexus-bench-floor: the memory floor of `nexus-bench --only idle` — what the libraries nexus-tray
// is built on cost before any of its own code runs. A bare Qt client (Qt Core and Qt Network from
// the distribution, so OpenSSL behind Qt's TLS backend) that opens one WebSocket to a hub peer, as
// the client does, and then only waits: no engine, no configuration, no attestation, no relay, and
// the cheapest trust set there is (the bench CA alone, no system roots). Its resident memory is a
// lower bound for any client of the hub built on these shared libraries; docs/PERFORMANCE.md
// compares it with the client's.
//
//   nexus-bench-floor <hub port> [<CA file>]    (with a CA file: wss://, verified; else ws://)
//
// Prints "ready" once the hub has answered the upgrade, and waits until it is killed.
#include <QCoreApplication>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

#include <cstdio>
#include <memory>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: nexus-bench-floor <hub port> [<CA file>]\n");
        return 2;
    }
    const quint16 port = args.at(1).toUShort();
    const bool tls = args.size() > 2;

    // ws:// with a plain QTcpSocket: QSslSocket would initialise the TLS backend even unencrypted.
    std::unique_ptr<QTcpSocket> socket;
    if (tls) {
        auto ssl = std::make_unique<QSslSocket>();
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        if (!config.addCaCertificates(args.at(2))) {
            std::fprintf(stderr, "cannot read the CA file %s\n", qPrintable(args.at(2)));
            return 2;
        }
        ssl->setSslConfiguration(config);
        socket = std::move(ssl);
    } else {
        socket = std::make_unique<QTcpSocket>();
    }
    const QByteArray upgrade = "GET /connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    QByteArray answer;
    QObject::connect(socket.get(), &QTcpSocket::readyRead, &app, [&] {
        answer += socket->readAll();
        if (answer.startsWith("HTTP/1.1 101") && answer.contains("\r\n\r\n")) {
            std::printf("ready\n");
            std::fflush(stdout);
            QObject::disconnect(socket.get(), &QTcpSocket::readyRead, &app, nullptr);
        }
    });
    QObject::connect(socket.get(), &QAbstractSocket::errorOccurred, &app, [&] {
        std::fprintf(stderr, "%s\n", qPrintable(socket->errorString()));
        app.exit(1);
    });
    if (auto* ssl = qobject_cast<QSslSocket*>(socket.get())) {
        QObject::connect(ssl, &QSslSocket::encrypted, &app, [&] { socket->write(upgrade); });
        ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    } else {
        QObject::connect(socket.get(), &QTcpSocket::connected, &app,
                         [&] { socket->write(upgrade); });
        socket->connectToHost(QStringLiteral("127.0.0.1"), port);
    }
    return app.exec();
}
