// The tray's "Metrics endpoint" switch (issue 15) wired as app/GuiMode.cpp wires it, on real
// widgets (offscreen) with the real MetricsServer: switching it on serves /metrics at the address
// (--metrics > metrics.listen > default) shown in the action and the status window, off closes
// the port, the choice is remembered, and a port in use leaves the switch off with the message.
#include <QAction>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include "metrics/MetricsEndpoint.h"
#include "metrics/MetricsServer.h"
#include "nexustray/Client.h"
#include "status/StatusWindow.h"
#include "tray/TrayController.h"

using namespace nexustray;
using namespace nexustray::ui;
using nexustray::app::MetricsEndpoint;
using nexustray::app::MetricsServer;

namespace {

quint16 freePort() {
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

// The status line of GET /metrics on 127.0.0.1:port; empty when nothing answers.
QByteArray metricsStatusLine(quint16 port) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray reply;
    [[maybe_unused]] const bool settled = QTest::qWaitFor(
        [&] {
            reply += socket.readAll();
            return reply.contains("\r\n") || socket.state() != QAbstractSocket::ConnectedState;
        },
        5000);
    return reply.left(reply.indexOf("\r\n"));
}

} // namespace

class TestTrayMetrics : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<TrayController> m_tray;
    std::unique_ptr<MetricsServer> m_server;
    std::unique_ptr<MetricsEndpoint> m_endpoint;

    // The tray and the endpoint as GuiMode.cpp connects them.
    void build(const QString& fallback, const Config& config = {}) {
        m_client = std::make_unique<Client>(Config{});
        TrayController::Options options;
        options.useTray = false;
        options.metricsSwitch = true;
        m_tray = std::make_unique<TrayController>(m_client.get(), options);
        m_server = std::make_unique<MetricsServer>(m_client.get());
        m_endpoint = std::make_unique<MetricsEndpoint>(m_server.get(), QString(), fallback);
        m_endpoint->setConfig(config);
        connect(m_endpoint.get(), &MetricsEndpoint::stateChanged, m_tray.get(),
                &TrayController::setMetricsState);
        connect(m_tray.get(), &TrayController::metricsSwitchToggled, m_endpoint.get(),
                &MetricsEndpoint::setSwitchedOn);
        connect(m_tray.get(), &TrayController::configApplied, m_endpoint.get(),
                &MetricsEndpoint::applyConfig);
        m_endpoint->setSwitchedOn(
            TrayController::metricsOnAtStart(m_endpoint->addressConfigured()));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("xdg-config")).toUtf8());
    }
    void init() { QSettings().remove(QStringLiteral("metrics")); }
    void cleanup() {
        m_endpoint.reset();
        m_server.reset();
        m_tray.reset();
        m_client.reset();
    }

    void switchStartsAndStopsTheEndpoint() {
        const quint16 port = freePort();
        build(QStringLiteral("127.0.0.1:%1").arg(port));
        QAction* action = m_tray->metricsAction();
        QVERIFY(action);
        QVERIFY(action->isCheckable());
        QVERIFY(!action->isChecked()); // no address configured, never switched: off
        QCOMPARE(action->text(), QStringLiteral("Metrics endpoint"));
        QVERIFY(metricsStatusLine(port).isEmpty());

        action->trigger();
        const QString url = QStringLiteral("http://127.0.0.1:%1/metrics").arg(port);
        QVERIFY(action->isChecked());
        QCOMPARE(action->text(), QStringLiteral("Metrics at %1").arg(url));
        QCOMPARE(m_tray->statusWindow()->metricsUrl(), url);
        QCOMPARE(metricsStatusLine(port), QByteArray("HTTP/1.1 200 OK"));
        QVERIFY(TrayController::metricsOnAtStart(false)); // remembered

        action->trigger();
        QVERIFY(!action->isChecked());
        QCOMPARE(action->text(), QStringLiteral("Metrics endpoint"));
        QVERIFY(m_tray->statusWindow()->metricsUrl().isEmpty());
        QTRY_VERIFY(metricsStatusLine(port).isEmpty());
        QVERIFY(!TrayController::metricsOnAtStart(true)); // switched off wins over the config
    }

    // metrics.listen is used over the default, means "on" at start, and a saved config moves it.
    void configAddressAndApply() {
        const quint16 configured = freePort();
        Config config;
        config.metrics.listen = QStringLiteral("127.0.0.1:%1").arg(configured);
        build(QStringLiteral("127.0.0.1:%1").arg(freePort()), config);
        QVERIFY(m_tray->metricsAction()->isChecked());
        QCOMPARE(metricsStatusLine(configured), QByteArray("HTTP/1.1 200 OK"));

        const quint16 moved = freePort();
        config.metrics.listen = QStringLiteral("127.0.0.1:%1").arg(moved);
        m_tray->applyConfig(config);
        QCOMPARE(m_tray->metricsAction()->text(),
                 QStringLiteral("Metrics at http://127.0.0.1:%1/metrics").arg(moved));
        QCOMPARE(metricsStatusLine(moved), QByteArray("HTTP/1.1 200 OK"));
        QTRY_VERIFY(metricsStatusLine(configured).isEmpty());
    }

    void portInUseUnchecksWithTheMessage() {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        build(QStringLiteral("127.0.0.1:%1").arg(taken.serverPort()));
        QAction* action = m_tray->metricsAction();
        action->trigger();
        QVERIFY(!action->isChecked());
        QCOMPARE(action->text(), QStringLiteral("Metrics endpoint"));
        const QString banner = m_tray->statusWindow()->bannerText();
        QVERIFY2(banner.startsWith(
                     QStringLiteral("The metrics endpoint is off: cannot listen for metrics on "
                                    "127.0.0.1:%1: ")
                         .arg(taken.serverPort())),
                 qPrintable(banner));
        QVERIFY(!TrayController::metricsOnAtStart(true)); // the outcome (off) is remembered
    }
};

QTEST_MAIN(TestTrayMetrics)
#include "tst_traymetrics.moc"
