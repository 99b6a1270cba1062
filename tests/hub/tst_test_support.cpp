// The shared test helpers themselves: TestTokens reproduces the attestation spec's worked example
// E byte for byte, EchoServer echoes, SinkServer counts/hashes and exerts back-pressure, TestCa
// produces a chain that verifies.
#include <QtTest>

#include "EchoServer.h"
#include "TestCa.h"
#include "TestTokens.h"

#include <QJsonArray>
#include <QProcess>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

using namespace nexustray::test;

class TestSupport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tokensMatchWorkedExampleE() {
        QJsonObject claims;
        claims.insert(
            QStringLiteral("hostnames"),
            QJsonArray{QStringLiteral("app.example.com"), QStringLiteral("*.preview.example.com")});
        claims.insert(QStringLiteral("weight"), 2);
        claims.insert(QStringLiteral("session_nonce"), QStringLiteral("n0nce-123"));
        claims.insert(QStringLiteral("reauth_interval_seconds"), 900);
        claims.insert(QStringLiteral("reauth_grace_seconds"), 15);
        claims.insert(QStringLiteral("iss"), QStringLiteral("authorizer"));
        claims.insert(QStringLiteral("sub"), QStringLiteral("edge-apps"));
        claims.insert(QStringLiteral("aud"), QJsonArray{QStringLiteral("nexus")});
        claims.insert(QStringLiteral("exp"), 1767225630);
        claims.insert(QStringLiteral("iat"), 1767225600);
        QCOMPARE(
            TestTokens::mint("test-secret", claims),
            QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsibmV4dXMiXSwiZXhwIjoxNz"
                       "Y3MjI1NjMwLCJob3N0bmFtZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3LmV4"
                       "YW1wbGUuY29tIl0sImlhdCI6MTc2NzIyNTYwMCwiaXNzIjoiYXV0aG9yaXplciIsInJlYX"
                       "V0aF9ncmFjZV9zZWNvbmRzIjoxNSwicmVhdXRoX2ludGVydmFsX3NlY29uZHMiOjkwMCwi"
                       "c2Vzc2lvbl9ub25jZSI6Im4wbmNlLTEyMyIsInN1YiI6ImVkZ2UtYXBwcyIsIndlaWdodC"
                       "I6Mn0.vcpDvf7rNvJX6KCOY_5vTnqjinv4u5IzFcpK5Qpcw_A"));
        // the spec's example C, from verbatim payload bytes
        QCOMPARE(TestTokens::mintRaw(
                     "test-secret",
                     R"({"hostnames":["app.example.com","*.preview.example.com"],"weight":2,)"
                     R"("session_nonce":"n0nce-123","iss":"authorizer","sub":"edge-apps",)"
                     R"("aud":["nexus"],"exp":1767225630,"iat":1767225600})")
                     .split('.')
                     .last(),
                 QByteArray("ojrbwKQ4azyq2sC-MWnTE3ecqfH3SQnOxMrtxS9JpEo"));
    }

    void echo() {
        EchoServer server;
        QVERIFY(server.listen());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(3000));
        socket.write("hello echo");
        QByteArray got;
        QVERIFY(QTest::qWaitFor(
            [&] {
                got += socket.readAll();
                return got.size() >= 10;
            },
            3000));
        QCOMPARE(got, QByteArray("hello echo"));
        QCOMPARE(server.connectionCount(), 1);
        QCOMPARE(server.bytesEchoed(), qint64(10));
        QSignalSpy closed(&server, &EchoServer::connectionClosed);
        socket.disconnectFromHost();
        QVERIFY(closed.count() > 0 || closed.wait(3000));
        QTRY_COMPARE(server.openConnections(), 0);
    }

    void sinkCountsHashesAndPushesBack() {
        SinkServer sink;
        QVERIFY(sink.listen());
        sink.setReading(false);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, sink.port());
        QVERIFY(socket.waitForConnected(3000));
        // more than the kernel buffers of a loopback connection can hold
        QByteArray payload(32 * 1024 * 1024, '\0');
        for (int i = 0; i < payload.size(); ++i) {
            payload[i] = static_cast<char>((i * 31) >> 3);
        }
        socket.write(payload);
        // Bytes reached the sink, which holds them unread; the kernel buffers cannot take the
        // rest: back-pressure.
        QTRY_VERIFY(sink.bytesHeld() > 0);
        QVERIFY(socket.bytesToWrite() > 0);
        QCOMPARE(sink.bytesReceived(), qint64(0));
        sink.setReading(true);
        QTRY_COMPARE_WITH_TIMEOUT(sink.bytesReceived(), qint64(payload.size()), 10000);
        QCOMPARE(sink.sha256(), QCryptographicHash::hash(payload, QCryptographicHash::Sha256));
        socket.disconnectFromHost();
        QTRY_VERIFY(sink.sawEof());
    }

    void testCaChainVerifies() {
        TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        const auto chain = QSslCertificate::fromPath(ca.serverCertPemPath());
        QCOMPARE(chain.size(), 1);
        QCOMPARE(chain.first().issuerDisplayName(), ca.caCertificate().subjectDisplayName());
        QProcess verify;
        verify.start(QStringLiteral("openssl"),
                     {QStringLiteral("verify"), QStringLiteral("-CAfile"), ca.caPemPath(),
                      QStringLiteral("-verify_hostname"), QStringLiteral("localhost"),
                      QStringLiteral("-verify_ip"), QStringLiteral("127.0.0.1"),
                      ca.serverCertPemPath()});
        QVERIFY(verify.waitForFinished(10000));
        QVERIFY2(verify.exitCode() == 0, verify.readAllStandardError().constData());
        QVERIFY(!ca.serverConfiguration().privateKey().isNull());
        QCOMPARE(ca.clientConfiguration().caCertificates().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestSupport)
#include "tst_test_support.moc"
