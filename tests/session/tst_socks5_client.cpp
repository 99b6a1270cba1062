// The SOCKS5 listener of a Client end to end (protocol.md §9.3; issue 14), over ws:// and wss://:
// a real curl (--socks5-hostname) fetches from a local service through the listener, the session's
// outbound stream and the hub emulator, which dials the target itself; a backend whose first
// relay is down serves through its other, connected session; RFC 1929 credentials from
// socks5PasswordFile are required when set; a hub that refuses outbound gives reply 05, no
// connected session reply 01; the listener closes when the backend is switched off.
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include "DownloadServer.h"
#include "EchoServer.h"
#include "TestHub.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {

const QByteArray kSecret = "socks5-client-secret";

quint16 freePort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    return probe.serverPort(); // closed again when probe goes; the listener takes it next
}

quint16 closedPort() {
    return freePort();
}

QByteArray body() {
    QByteArray b;
    for (int i = 0; b.size() < 3 * 1024 * 1024; ++i)
        b += QByteArray::number(i) + ';';
    return b;
}

// What the local service sends for any request: an HTTP/1.0 response carrying `payload`.
QByteArray response(const QByteArray& payload) {
    return "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
           QByteArray::number(payload.size()) + "\r\n\r\n" + payload;
}

struct Curl {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Curl curl(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral("curl"),
            QStringList{QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("30")} +
                args);
    // The event loop runs while waiting: the Client's signals arrive on this thread.
    if (!p.waitForStarted(5000))
        return {};
    QSignalSpy finished(&p, &QProcess::finished);
    if (!finished.wait(40000))
        return {};
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

bool connected(const Client& client) {
    for (const SessionSnapshot& s : client.sessions()) {
        if (s.state == SessionState::Connected)
            return true;
    }
    return false;
}

} // namespace

class TestSocks5Client : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::DownloadServer> m_local;
    QByteArray m_body;

    void startHub(bool outboundEnabled) {
        QFETCH_GLOBAL(QString, scheme);
        HubOptions o;
        o.jwtSecret = kSecret;
        o.outboundEnabled = outboundEnabled;
        QString error;
        m_hub = test::startHub(o, scheme, m_tls, &error);
        QVERIFY2(m_hub, qPrintable(error));
    }

    BackendConfig backend(quint16 socksPort) const {
        BackendConfig b;
        b.name = QStringLiteral("web");
        b.hostnames = {QStringLiteral("web.test")};
        // The first relay is down: the listener must use the other, connected session.
        b.nexusAddresses = {QStringLiteral("ws://127.0.0.1:%1/connect").arg(closedPort()),
                            m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.attestation.outboundAllowed = true;
        b.socks5ListenAddr = QStringLiteral("127.0.0.1:%1").arg(socksPort);
        b.portMappings[80].defaultTarget = QStringLiteral("127.0.0.1:1");
        m_tls.trust(b);
        return b;
    }

    QString url() const { return QStringLiteral("http://localhost:%1/").arg(m_local->port()); }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() {
        QVERIFY2(m_tls.init(), qPrintable(m_tls.error()));
        m_body = body();
    }
    void init() {
        m_local = std::make_unique<test::DownloadServer>(response(m_body));
        QVERIFY(m_local->listen());
    }
    void cleanup() {
        m_hub.reset();
        m_local.reset();
    }

    void curlThroughTheListener() {
        startHub(true);
        const quint16 port = freePort();
        Config config;
        config.backends = {backend(port)};
        Client client(config);
        QSignalSpy closed(&client, &Client::streamClosed);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client), 15000);
        const Curl c = curl(
            {QStringLiteral("--socks5-hostname"), QStringLiteral("127.0.0.1:%1").arg(port), url()});
        QVERIFY2(c.exitCode == 0, c.err.constData());
        QCOMPARE(c.out.size(), m_body.size());
        QVERIFY(c.out == m_body);
        QTRY_VERIFY_WITH_TIMEOUT(!closed.isEmpty(), 10000);
        const StreamSnapshot s = closed.first().at(0).value<StreamSnapshot>();
        QCOMPARE(s.kind, StreamKind::Outbound);
        QCOMPARE(s.target, QStringLiteral("localhost:%1").arg(m_local->port()));
        QVERIFY(s.sessionId.endsWith(QLatin1String("#2"))); // the connected one

        // Switched off: the listener goes.
        client.setBackendEnabled(QStringLiteral("web"), false);
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        QTRY_COMPARE_WITH_TIMEOUT(probe.state(), QAbstractSocket::UnconnectedState, 10000);
        QCOMPARE(probe.error(), QAbstractSocket::ConnectionRefusedError);
    }

    // Both directions at volume: a SOCKS5 client pipelines its data right behind the request
    // (before the reply), then sends 4 MiB; everything comes back from an echo service intact.
    void bytesBothWaysThroughTheListener() {
        startHub(true);
        test::EchoServer echo;
        QVERIFY(echo.listen());
        const quint16 port = freePort();
        Config config;
        config.backends = {backend(port)};
        Client client(config);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client), 15000);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(5000));
        QByteArray request = QByteArray::fromHex("050100050100017f000001");
        request.append(char(echo.port() >> 8)).append(char(echo.port() & 0xff));
        QByteArray data;
        for (int i = 0; data.size() < 4 * 1024 * 1024; ++i)
            data += QByteArray::number(qint64(i) * 7919) + ',';
        socket.write(request + data.left(1000)); // early bytes wait for the hub's answer
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).size() >= 12, 15000);
        QCOMPARE(received.left(12), QByteArray::fromHex("050005000001000000000000"));
        received.remove(0, 12);
        socket.write(data.mid(1000));
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).size() >= data.size(), 30000);
        QCOMPARE(received.size(), data.size());
        QVERIFY(received == data);
    }

    void credentialsAreRequiredWhenSet() {
        startHub(true);
        QTemporaryDir dir;
        const QString passwordFile = dir.filePath(QStringLiteral("socks.pass"));
        QFile f(passwordFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("s3cret pass\n");
        f.close();
        const quint16 port = freePort();
        BackendConfig b = backend(port);
        b.socks5Username = QStringLiteral("alice");
        b.socks5PasswordFile = passwordFile;
        Config config;
        config.backends = {b};
        Client client(config);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client), 15000);
        const QString proxy = QStringLiteral("127.0.0.1:%1").arg(port);
        Curl c = curl({QStringLiteral("--socks5-hostname"), proxy, QStringLiteral("--proxy-user"),
                       QStringLiteral("alice:s3cret pass"), url()});
        QVERIFY2(c.exitCode == 0, c.err.constData());
        QVERIFY(c.out == m_body);
        c = curl({QStringLiteral("--socks5-hostname"), proxy, QStringLiteral("--proxy-user"),
                  QStringLiteral("alice:wrong"), url()});
        QCOMPARE(c.exitCode, 97); // CURLE_PROXY: the proxy refused
        c = curl({QStringLiteral("--socks5-hostname"), proxy, url()}); // no credentials offered
        QCOMPARE(c.exitCode, 97);
    }

    void noConnectedSessionIsReply01() {
        startHub(true);
        const quint16 port = freePort();
        BackendConfig b = backend(port);
        b.nexusAddresses = {QStringLiteral("ws://127.0.0.1:%1/connect").arg(closedPort())};
        Config config;
        config.backends = {b};
        Client client(config);
        client.start();
        QTcpSocket socket;
        QTRY_VERIFY_WITH_TIMEOUT(
            (socket.connectToHost(QHostAddress::LocalHost, port), socket.waitForConnected(1000)),
            10000);
        socket.write(QByteArray::fromHex("050100"));
        QTRY_COMPARE_WITH_TIMEOUT(socket.bytesAvailable(), qint64(2), 10000);
        QCOMPARE(socket.readAll(), QByteArray::fromHex("0500"));
        socket.write(QByteArray::fromHex("050100030a6578616d706c652e636f6d0050")); // example.com:80
        QTRY_COMPARE_WITH_TIMEOUT(socket.bytesAvailable(), qint64(10), 15000);
        QCOMPARE(socket.readAll(), QByteArray::fromHex("05010001000000000000")); // 01: no session
    }

    void hubThatRefusesOutboundGivesReply05() {
        startHub(true);
        const quint16 port = freePort();
        BackendConfig b = backend(port);
        b.attestation.allowedOutboundPorts = {443}; // the hub refuses port 80 for this backend
        Config config;
        config.backends = {b};
        Client client(config);
        client.start();
        QTRY_VERIFY_WITH_TIMEOUT(connected(client), 15000);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(QByteArray::fromHex("050100") +
                     QByteArray::fromHex("050100017f0000010050")); // greeting + 127.0.0.1:80
        QTRY_COMPARE_WITH_TIMEOUT(socket.bytesAvailable(), qint64(12), 15000);
        QCOMPARE(socket.readAll(),
                 QByteArray::fromHex("0500") + QByteArray::fromHex("05050001000000000000"));
    }
};

QTEST_MAIN(TestSocks5Client)
#include "tst_socks5_client.moc"
