// The traffic graphs fed from the real engine under load, over ws:// and wss://: a real
// nexustray::Client behind the TrayController against the in-process hub emulator, a user
// pushing bytes through a stream to an echo service without pause; the shared TrafficHistory
// (the one the status window's graph and the tray tooltip read) shows non-zero to-local and
// to-hub rates for that backend and in total, and the status window's Traffic tab plots them.
#include <QComboBox>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTcpSocket>
#include <QTimer>
#include <QtTest>

#include <memory>

#include "EchoServer.h"
#include "TestRelayTls.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "status/StatusWindow.h"
#include "status/TrafficGraph.h"
#include "status/TrafficHistory.h"
#include "status/TrafficPanel.h"
#include "tray/TrayController.h"
#include "tray/TrayTooltip.h"

using namespace nexustray;
using namespace nexustray::ui;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;
using D = TrafficHistory::Direction;

namespace {
const QByteArray kSecret = "traffic-test-secret";
}

class TestTrafficEngine : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<TrayController> m_tray;

    BackendConfig backend(const QString& name, const QString& scheme) const {
        BackendConfig b;
        b.name = name;
        b.hostnames = {name + QStringLiteral(".test")};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = QStringLiteral("127.0.0.1:%1").arg(m_echo->port());
        if (test::TestRelayTls::isWss(scheme))
            m_tls.trust(b);
        return b;
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void init() {
        QFETCH_GLOBAL(QString, scheme);
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        m_tls.serve(o, scheme);
        m_hub = std::make_unique<HubEmulator>(o);
        QString error;
        QVERIFY2(m_hub->start(&error), qPrintable(error));
        QCOMPARE(m_hub->backendUrl().scheme(), scheme);
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());

        Config config;
        config.backends = {backend(QStringLiteral("web"), scheme),
                           backend(QStringLiteral("mail"), scheme)};
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_client = std::make_unique<Client>(config);
        TrayController::Options options;
        options.useTray = false;
        options.autostartProgram = QStringLiteral("/usr/bin/nexus-tray");
        m_tray = std::make_unique<TrayController>(m_client.get(), options);
        m_tray->start();
        m_client->start();
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, 15000);
    }

    void cleanup() {
        m_tray.reset();
        m_client.reset();
        m_hub.reset();
        m_echo.reset();
    }

    void ratesOfARealStreamUnderLoad() {
        TrafficHistory* history = m_tray->trafficHistory();
        QVERIFY(history);
        QCOMPARE(history->backends(), (QStringList{QStringLiteral("web"), QStringLiteral("mail")}));
        StatusWindow* window = m_tray->statusWindow();
        TrafficPanel* panel = window->trafficPanel();
        QVERIFY(panel);
        QCOMPARE(panel->backendSelector()->count(), 3);

        // A user downloading and uploading without pause through web.test.
        QTcpSocket user;
        qint64 echoed = 0;
        connect(&user, &QTcpSocket::readyRead, this, [&] { echoed += user.readAll().size(); });
        user.connectToHost(QHostAddress::LocalHost, m_hub->relayListenPort(80));
        QVERIFY(user.waitForConnected(5000));
        user.write("GET / HTTP/1.1\r\nHost: web.test\r\n\r\n");
        QTimer pump;
        pump.setInterval(5);
        connect(&pump, &QTimer::timeout, this, [&] {
            if (user.bytesToWrite() < 256 * 1024)
                user.write(QByteArray(64 * 1024, 'x'));
        });
        pump.start();

        QTRY_VERIFY_WITH_TIMEOUT(history->currentRate(QStringLiteral("web"), D::ToLocal) > 0 &&
                                     history->currentRate(QStringLiteral("web"), D::ToHub) > 0,
                                 15000);
        QTRY_VERIFY_WITH_TIMEOUT(history->currentRate(QString(), D::ToLocal) > 0 &&
                                     history->currentRate(QString(), D::ToHub) > 0,
                                 15000);
        QVERIFY(echoed > 0);
        QVERIFY(history->currentRate(QString(), D::ToLocal) >=
                history->currentRate(QStringLiteral("web"), D::ToLocal));
        QTRY_VERIFY_WITH_TIMEOUT(history->openStreams(QStringLiteral("web")) >= 1, 10000);
        QVERIFY(trafficSummary(*history).contains(QStringLiteral("1 stream")));

        // The status window's graph of web plots it.
        window->tabs()->setCurrentWidget(panel);
        panel->backendSelector()->setCurrentIndex(
            panel->backendSelector()->findData(QStringLiteral("web")));
        QCOMPARE(panel->graph()->backend(), QStringLiteral("web"));
        QTRY_VERIFY_WITH_TIMEOUT(history->sampleCount(QStringLiteral("web")) >= 3, 10000);
        const QImage image = panel->graph()->grab().toImage();
        const int top = panel->graph()->fontMetrics().height() + 14;
        // An echo moves as much to the hub as to the local side: the to-hub line may cover the
        // to-local one, so either colour counts.
        int plotted = 0;
        for (int y = top; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QColor c = image.pixelColor(x, y);
                for (const QColor& l : {TrafficGraph::toLocalColor(), TrafficGraph::toHubColor()})
                    plotted += qAbs(c.red() - l.red()) + qAbs(c.green() - l.green()) +
                                   qAbs(c.blue() - l.blue()) <
                               60;
            }
        }
        QVERIFY2(plotted > 5, "the web graph plots nothing");

        pump.stop();
        user.disconnectFromHost();
    }
};

QTEST_MAIN(TestTrafficEngine)
#include "tst_traffic_engine.moc"
