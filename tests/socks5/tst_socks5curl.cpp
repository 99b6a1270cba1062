// A real SOCKS5 client: curl (--socks5-hostname and --socks5, with and without --proxy-user)
// through Socks5Handshake, whose test opener honestly dials the target and bridges both ways to a
// local HTTP service; a refused target and a wrong password fail in curl as they should.
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

#include <memory>

#include "DownloadServer.h"
#include "Socks5TestServer.h"

using namespace nexustray;
using namespace nexustray::socks5;
using socks5test::Socks5TestServer;

namespace {

const QByteArray kBody = "hello through socks5\n";
const QByteArray kResponse = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                             QByteArray::number(kBody.size()) + "\r\n\r\n" + kBody;

// Everything `from` has and will have goes to `to`; its end ends `to` after the last byte.
void pipe(QTcpSocket* from, QTcpSocket* to) {
    const auto move = [from, to] {
        if (from->bytesAvailable() > 0)
            to->write(from->readAll());
    };
    QObject::connect(from, &QIODevice::readyRead, to, move);
    QObject::connect(from, &QAbstractSocket::disconnected, to, [move, to] {
        move();
        to->disconnectFromHost();
    });
    move(); // bytes the handshake left in the buffer (no readyRead for them)
}

// The session's part, done for real on local TCP: dial, answer, relay.
OutboundOpener bridgeOpener(QObject* owner, QStringList* targets) {
    return [owner, targets](const QString& target, QTcpSocket* client, OutboundCallback done) {
        targets->append(target);
        client->setParent(owner);
        auto* upstream = new QTcpSocket(owner);
        const qsizetype colon = target.lastIndexOf(u':');
        QString host = target.left(colon);
        if (host.startsWith(u'['))
            host = host.mid(1, host.size() - 2);
        auto answered = std::make_shared<bool>(false);
        QObject::connect(upstream, &QAbstractSocket::connected, client, [=] {
            *answered = true;
            done({OutboundResult::Kind::Connected, {}});
            if (client->state() != QAbstractSocket::ConnectedState) {
                upstream->abort(); // local_error
                return;
            }
            client->setReadBufferSize(0);
            pipe(client, upstream);
            pipe(upstream, client);
        });
        QObject::connect(upstream, &QAbstractSocket::errorOccurred, client, [=] {
            if (*answered)
                return;
            *answered = true;
            done({OutboundResult::Kind::Refused, upstream->errorString()});
            client->close();
        });
        upstream->connectToHost(host, target.mid(colon + 1).toUShort());
    };
}

// A SOCKS5 front with the bridging opener; `password` set: user "alice" must authenticate.
struct BridgingFront {
    static Socks5Settings settingsFor(const QByteArray& password) {
        Socks5Settings settings;
        if (!password.isEmpty()) {
            settings.username = "alice";
            settings.password = password;
        }
        return settings;
    }
    explicit BridgingFront(const QByteArray& password = {})
        : server(settingsFor(password), bridgeOpener(&owner, &targets)) {}
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(server.port()); }

    QObject owner; // the sockets the opener took
    QStringList targets;
    Socks5TestServer server;
};

struct CurlRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestSocks5Curl : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
            QSKIP("curl is not installed");
    }

    void download_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("urlHost");
        QTest::addColumn<bool>("withAuth");
        QTest::addColumn<QString>("targetHost");
        QTest::newRow("socks5-hostname") << "--socks5-hostname"
                                         << "localhost" << false << "localhost";
        QTest::newRow("socks5-hostname, auth") << "--socks5-hostname"
                                               << "localhost" << true << "localhost";
        QTest::newRow("socks5 (IPv4 target)") << "--socks5"
                                              << "127.0.0.1" << false << "127.0.0.1";
        QTest::newRow("socks5 (IPv4 target), auth") << "--socks5"
                                                    << "127.0.0.1" << true << "127.0.0.1";
    }
    void download() {
        QFETCH(QString, mode);
        QFETCH(QString, urlHost);
        QFETCH(bool, withAuth);
        QFETCH(QString, targetHost);
        test::DownloadServer http(kResponse);
        QVERIFY(http.listen());
        BridgingFront socks(withAuth ? "s3cret pass" : "");
        QVERIFY(socks.server.listen());

        QStringList args = {mode, socks.address(),
                            QStringLiteral("http://%1:%2/file").arg(urlHost).arg(http.port())};
        if (withAuth)
            args << QStringLiteral("--proxy-user") << QStringLiteral("alice:s3cret pass");
        const CurlRun run = curl(args);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, kBody);
        QCOMPARE(socks.targets,
                 QStringList{QStringLiteral("%1:%2").arg(targetHost).arg(http.port())});
    }

    void wrongPassword() {
        BridgingFront socks("s3cret");
        QVERIFY(socks.server.listen());
        const CurlRun run = curl({QStringLiteral("--socks5-hostname"), socks.address(),
                                  QStringLiteral("--proxy-user"), QStringLiteral("alice:guess"),
                                  QStringLiteral("http://localhost:9/")});
        QCOMPARE(run.exitCode, 97); // CURLE_PROXY: rejected by the SOCKS5 server
        QVERIFY(socks.targets.isEmpty());
    }

    // Nothing listens at the target: the opener answers Refused, curl gets reply 05.
    void refusedTarget() {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        BridgingFront socks;
        QVERIFY(socks.server.listen());
        const CurlRun run = curl({QStringLiteral("--socks5-hostname"), socks.address(),
                                  QStringLiteral("http://127.0.0.1:%1/").arg(port)});
        QCOMPARE(run.exitCode, 97);
        QVERIFY2(run.err.contains("(5)"), run.err.constData()); // curl names the reply code
        QCOMPARE(socks.targets.size(), 1);
    }

private:
    // Runs curl without blocking the event loop the SOCKS5 side needs.
    static CurlRun curl(QStringList args) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY",
                                 "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"})
            env.remove(QLatin1String(name));
        process.setProcessEnvironment(env);
        args.prepend(QStringLiteral("--max-time"));
        args.insert(1, QStringLiteral("30"));
        args.prepend(QStringLiteral("-sS"));
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(QStringLiteral("curl"), args);
        CurlRun run;
        if (!finished.wait(40000))
            return run;
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }
};

QTEST_GUILESS_MAIN(TestSocks5Curl)
#include "tst_socks5curl.moc"
