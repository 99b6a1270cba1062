// End to end through the real binary: `nexus-tray --demo --no-gui` runs an in-process hub, a local
// web service and the real client. These tests fetch over the printed relay port, exactly like the
// curl line the demo prints, then stop it with SIGTERM.

#include <QTest>

#include "AppTestSupport.h"

using apptest::HttpFetch;
using apptest::TrayProcess;

class TestDemo : public QObject {
    Q_OBJECT

    TrayProcess m_tray;
    quint16 m_relayPort = 0;

private Q_SLOTS:
    void initTestCase() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        m_tray.start({QStringLiteral("--demo"), QStringLiteral("--no-gui")}, env);
        QVERIFY(m_tray.waitStarted());
        const QRegularExpressionMatch up = m_tray.waitForOutput(
            QRegularExpression(
                QStringLiteral("^Demo tunnel up: curl http://demo\\.localhost:(\\d+)/$"),
                QRegularExpression::MultilineOption),
            30000);
        QVERIFY2(up.hasMatch(), qPrintable(m_tray.describe()));
        m_relayPort = quint16(up.captured(1).toUInt());
        QVERIFY(m_relayPort != 0);
    }

    void pageComesThroughTheTunnel() {
        HttpFetch get(m_relayPort, "demo.localhost", "/hello?x=1");
        QVERIFY2(get.wait(15000), "no response within 15 s");
        QVERIFY2(get.error().isEmpty(), qPrintable(get.error()));
        QCOMPARE(get.status, 200);
        QVERIFY(get.headers.value("content-type").startsWith("text/html"));
        QCOMPARE(qint64(get.body.size()), get.contentLength);
        QVERIFY2(get.body.contains("came through the nexus-tray tunnel"), get.body.constData());
        QVERIFY(get.body.contains("demo.localhost")); // the Host header reached the service
        QVERIFY(get.body.contains("/hello?x=1"));
    }

    void largeDownload() {
        constexpr qint64 size = 5 * 1024 * 1024;
        HttpFetch get(m_relayPort, "demo.localhost", "/bytes/" + QByteArray::number(size));
        QVERIFY2(
            get.wait(60000),
            qPrintable(
                QStringLiteral("only %1 of %2 bytes within 60 s").arg(get.body.size()).arg(size)));
        QVERIFY2(get.error().isEmpty(), qPrintable(get.error()));
        QCOMPARE(get.status, 200);
        QCOMPARE(get.contentLength, size);
        QCOMPARE(qint64(get.body.size()), size);
        QCOMPARE(apptest::firstPatternMismatch(get.body), qint64(-1));
    }

    void parallelDownloads() {
        constexpr int streams = 4;
        constexpr qint64 size = 1024 * 1024;
        std::vector<std::unique_ptr<HttpFetch>> gets;
        for (int i = 0; i < streams; ++i)
            gets.push_back(std::make_unique<HttpFetch>(m_relayPort, "demo.localhost",
                                                       "/bytes/" + QByteArray::number(size)));
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const auto& g : gets) {
                    if (!g->done())
                        return false;
                }
                return true;
            },
            60000));
        for (const auto& g : gets) {
            QVERIFY2(g->error().isEmpty(), qPrintable(g->error()));
            QCOMPARE(g->status, 200);
            QCOMPARE(qint64(g->body.size()), size);
            QCOMPARE(apptest::firstPatternMismatch(g->body), qint64(-1));
        }
    }

    void unknownHostIsNotServed() {
        // The hub routes by Host; a name no session claimed must not reach the demo service.
        HttpFetch get(m_relayPort, "other.localhost", "/");
        QVERIFY(get.wait(15000));
        QVERIFY(!get.body.contains("came through the nexus-tray tunnel"));
    }

    // Last: SIGTERM ends the demo cleanly within 5 s with exit code 0.
    void sigtermShutsDownCleanly() {
        QCOMPARE(m_tray.process.state(), QProcess::Running);
        m_tray.process.terminate();
        QVERIFY2(m_tray.waitFinished(5000), qPrintable(m_tray.describe()));
        QCOMPARE(m_tray.process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(m_tray.process.exitCode() == 0, qPrintable(m_tray.describe()));
        const QString err = QString::fromUtf8(m_tray.err);
        QVERIFY2(err.contains(QStringLiteral("received SIGTERM")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("shutdown complete")), qPrintable(err));
        QVERIFY2(!err.contains(QStringLiteral("exiting anyway")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
