// The --demo web service on its own (app/DemoHttpService.cpp), without hub or client.

#include <QTcpSocket>
#include <QTest>

#include "AppTestSupport.h"
#include "DemoHttpService.h"

using apptest::HttpFetch;
using nexustray::app::DemoHttpService;

class TestDemoService : public QObject {
    Q_OBJECT

    DemoHttpService m_service;

    // Sends `request` verbatim and returns everything the service answers before closing.
    QByteArray exchange(const QByteArray& request) {
        QTcpSocket socket;
        QByteArray answer;
        connect(&socket, &QTcpSocket::readyRead, [&] { answer += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, m_service.port());
        if (!socket.waitForConnected(5000))
            return "no connection";
        socket.write(request);
        [[maybe_unused]] const bool closed = QTest::qWaitFor(
            [&] { return socket.state() == QAbstractSocket::UnconnectedState; }, 10000);
        answer += socket.readAll();
        return answer;
    }

private Q_SLOTS:
    void initTestCase() {
        QString error;
        QVERIFY2(m_service.listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
        QVERIFY(m_service.port() != 0);
    }

    void pageNamesTheTunnelAndTheRequest() {
        HttpFetch get(m_service.port(), "demo.localhost", "/some/<path>");
        QVERIFY(get.wait(10000));
        QCOMPARE(get.status, 200);
        QCOMPARE(get.headers.value("connection"), QByteArray("close"));
        QCOMPARE(qint64(get.body.size()), get.contentLength);
        QVERIFY(get.body.contains("came through the nexus-tray tunnel"));
        QVERIFY(get.body.contains("demo.localhost"));
        QVERIFY(get.body.contains("/some/&lt;path&gt;")); // escaped
    }

    void bytesStreamsThePattern() {
        constexpr qint64 size = 5 * 1024 * 1024 + 7;
        HttpFetch get(m_service.port(), "x", "/bytes/" + QByteArray::number(size));
        QVERIFY(get.wait(30000));
        QCOMPARE(get.status, 200);
        QCOMPARE(get.headers.value("content-type"), QByteArray("application/octet-stream"));
        QCOMPARE(get.contentLength, size);
        QCOMPARE(qint64(get.body.size()), size);
        QCOMPARE(apptest::firstPatternMismatch(get.body), qint64(-1));
    }

    void zeroBytes() {
        HttpFetch get(m_service.port(), "x", "/bytes/0");
        QVERIFY(get.wait(10000));
        QCOMPARE(get.status, 200);
        QCOMPARE(get.contentLength, qint64(0));
        QVERIFY(get.body.isEmpty());
    }

    void badByteCount() {
        for (const char* path : {"/bytes/-1", "/bytes/abc", "/bytes/99999999999999999"}) {
            HttpFetch get(m_service.port(), "x", path);
            QVERIFY(get.wait(10000));
            QCOMPARE(get.status, 400);
        }
    }

    void headSendsNoBody() {
        const QByteArray answer =
            exchange("HEAD /bytes/1000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer.constData());
        QVERIFY(answer.contains("Content-Length: 1000\r\n"));
        QVERIFY(answer.endsWith("\r\n\r\n"));
    }

    void otherMethodsAreRefused() {
        const QByteArray answer = exchange("POST / HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 405 "), answer.constData());
    }

    void requestInPieces() {
        QTcpSocket socket;
        QByteArray answer;
        connect(&socket, &QTcpSocket::readyRead, [&] { answer += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, m_service.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET / HTTP/1.1\r\nHo");
        QVERIFY(socket.waitForBytesWritten(5000));
        socket.write("st: piece.localhost\r\n\r\n");
        QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                                10000));
        answer += socket.readAll();
        QVERIFY(answer.startsWith("HTTP/1.1 200 OK"));
        QVERIFY(answer.contains("piece.localhost"));
    }

    void oversizedHeadIsRefused() {
        const QByteArray answer = exchange("GET / HTTP/1.1\r\nX: " + QByteArray(20000, 'a'));
        QVERIFY2(answer.startsWith("HTTP/1.1 431 "), answer.left(100).constData());
    }
};

QTEST_GUILESS_MAIN(TestDemoService)
#include "tst_demoservice.moc"
