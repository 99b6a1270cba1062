// The user actions of the tray UI (issue 13) on real widgets (offscreen), driven through a real
// nexustray::Client against the hub emulator and a real local echo service: "Close stream"
// (Delete in the stream table) sends `disconnect` for that stream only and closes its local
// socket, "Copy addresses" (Ctrl+C) puts its addresses on the clipboard; a backend that gave up
// shows why in its tray entry and status row and "Retry now" (tray menu, Ctrl+R in the sessions
// table) connects it again without waiting; notifications name the backend and say what to do
// for each error kind; re-enrolling asks first.
#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QMenu>
#include <QPushButton>
#include <QTableView>
#include <QtTest>

#include <memory>

#include "EchoServer.h"
#include "SwitchableTokenProvider.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "status/SessionActions.h"
#include "status/SessionTableModel.h"
#include "status/StatusWindow.h"
#include "status/StreamActions.h"
#include "status/StreamTableModel.h"
#include "tray/BackendMenuExtras.h"
#include "tray/Notifier.h"
#include "tray/TrayController.h"

using namespace nexustray;
using namespace nexustray::ui;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {
const QByteArray kSecret = "user-actions-secret";

// A user of the relay: connects to the hub's relay port for `host` and sends a request.
struct RelayUser {
    QTcpSocket socket;
    QByteArray received;
    RelayUser(quint16 port, const QByteArray& host) {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                         [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
        socket.write("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }
};

SessionSnapshot snap(SessionState state, SessionErrorKind kind, const QString& error) {
    SessionSnapshot s;
    s.sessionId = QStringLiteral("web#1");
    s.backendName = QStringLiteral("web");
    s.relayUrl = QStringLiteral("wss://relay.example.com/connect");
    s.state = state;
    s.lastError = error;
    s.errorKind = kind;
    return s;
}
} // namespace

class TestUserActions : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<TrayController> m_tray;
    test::TokenMode m_mode;

    void startAll(test::TokenMode::Value mode) {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        BackendConfig b;
        b.name = QStringLiteral("web");
        b.hostnames = {QStringLiteral("web.test")};
        b.nexusAddresses = {m_hub->backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = QStringLiteral("127.0.0.1:%1").arg(m_echo->port());
        Config config;
        config.backends = {b};
        m_mode.set(mode);
        m_client = std::make_unique<Client>(config);
        m_client->setTokenProviderFactory([this](const BackendConfig& backend) {
            return std::make_unique<test::SwitchableTokenProvider>(
                backend, kSecret, &m_mode, QStringLiteral("refused for good (test)"));
        });
        TrayController::Options options;
        options.useTray = false;
        options.trayProbe = [] { return false; };
        options.autostartProgram = QStringLiteral("/usr/bin/nexus-tray");
        m_tray = std::make_unique<TrayController>(m_client.get(), options);
        m_tray->start();
        m_client->start();
        QVERIFY(QTest::qWaitForWindowActive(m_tray->statusWindow()));
    }

    int shownState(const QString& sessionId) const {
        SessionTableModel* model = m_tray->sessionModel();
        model->flush();
        const int row = model->rowOfSession(sessionId);
        return row < 0 ? -1 : int(model->snapshotAt(row).state);
    }

    // Makes `row` of `view` current and selected, and gives the view the keyboard focus.
    static void selectRow(QTableView* view, int row) {
        view->setFocus();
        view->selectionModel()->clearSelection();
        view->setCurrentIndex(view->model()->index(row, 0));
        view->selectRow(row);
    }

private Q_SLOTS:
    void initTestCase() {
        qputenv("XDG_CONFIG_HOME", QByteArray("/nonexistent/xdg-config"));
        QCoreApplication::setOrganizationName(QStringLiteral("nexus-tray-test-useractions"));
    }
    void cleanup() {
        m_tray.reset();
        m_client.reset();
        m_hub.reset();
        m_echo.reset();
    }

    void deleteClosesTheSelectedStreamAndCopyCopiesItsAddresses() {
        startAll(test::TokenMode::Good);
        QTRY_COMPARE_WITH_TIMEOUT(shownState(QStringLiteral("web#1")), int(SessionState::Connected),
                                  15000);
        QSignalSpy hubDisconnects(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        QSignalSpy localClosed(m_echo.get(), &test::EchoServer::connectionClosed);
        RelayUser first(m_hub->relayListenPort(80), "web.test");
        RelayUser second(m_hub->relayListenPort(80), "web.test");
        QTRY_VERIFY_WITH_TIMEOUT(!first.received.isEmpty() && !second.received.isEmpty(), 10000);
        StreamTableModel* streams = m_tray->streamModel();
        QTRY_COMPARE_WITH_TIMEOUT((streams->flush(), streams->rowCount()), 2, 10000);

        StatusWindow* window = m_tray->statusWindow();
        window->tabs()->setCurrentIndex(0);
        QTableView* view = window->streamsView();
        StreamActions* actions = window->streamActions();
        QVERIFY(!actions->closeAction()->text().isEmpty());
        QVERIFY(!actions->copyAction()->text().isEmpty());
        QCOMPARE(actions->closeAction()->shortcut(), QKeySequence(QKeySequence::Delete));
        QVERIFY(view->actions().contains(actions->closeAction()));
        QVERIFY(view->actions().contains(actions->copyAction()));

        // The row of the first user's stream (its client address carries its port).
        const QString firstIp = QStringLiteral("127.0.0.1:%1").arg(first.socket.localPort());
        int row = -1;
        for (int r = 0; r < view->model()->rowCount(); ++r) {
            const QModelIndex ip = view->model()->index(r, StreamTableModel::ClientIpColumn);
            if (ip.data().toString() == firstIp)
                row = r;
        }
        QVERIFY2(row >= 0, qPrintable(firstIp));
        selectRow(view, row);
        const QList<StreamSnapshot> selected = actions->selectedStreams();
        QCOMPARE(selected.size(), 1);
        const StreamSnapshot target = selected.first();
        QCOMPARE(target.clientIp, firstIp);

        // Ctrl+C: client address, hostname:port and local target.
        QGuiApplication::clipboard()->clear();
        QTest::keySequence(view, QKeySequence::Copy);
        const QString copied = QGuiApplication::clipboard()->text();
        QVERIFY2(copied.contains(firstIp), qPrintable(copied));
        QVERIFY2(copied.contains(QLatin1String("web.test:80")), qPrintable(copied));
        QVERIFY2(copied.contains(QStringLiteral("127.0.0.1:%1").arg(m_echo->port())),
                 qPrintable(copied));

        // Delete: the hub gets `disconnect` for exactly this stream, the local service sees its
        // connection closed, the other stream stays.
        QTest::keyClick(view, Qt::Key_Delete);
        QTRY_COMPARE_WITH_TIMEOUT(hubDisconnects.size(), 1, 10000);
        QCOMPARE(hubDisconnects.first().at(0).toUuid(), target.clientId);
        QTRY_COMPARE_WITH_TIMEOUT(localClosed.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_client->streams().size(), 1, 10000);
        QVERIFY(m_client->streams().first().clientId != target.clientId);
        streams->flush();
        const int closedRow = streams->rowOfStream(target.clientId);
        QVERIFY(closedRow >= 0); // lingers a while, shown closed
        QCOMPARE(streams->snapshotAt(closedRow).closeReason, QStringLiteral("closed by user"));
        // A closed row cannot be closed again.
        selectRow(view, row);
        if (actions->selectedStreams().value(0).clientId == target.clientId)
            QVERIFY(!actions->closeAction()->isEnabled());
    }

    void failedBackendShowsWhyAndRetriesFromTheTrayMenu() {
        startAll(test::TokenMode::PermanentFailure);
        QTRY_COMPARE_WITH_TIMEOUT(shownState(QStringLiteral("web#1")), int(SessionState::Failed),
                                  15000);
        QAction* toggle = m_tray->backendAction(QStringLiteral("web"));
        QTRY_VERIFY(toggle->text().contains(QLatin1String("refused for good")));
        QVERIFY(toggle->toolTip().contains(QLatin1String("secret"))); // the advice
        QAction* retry = m_tray->backendMenuExtras()->retryAction(QStringLiteral("web"));
        QVERIFY(retry);
        QVERIFY(retry->isVisible());
        QVERIFY(m_tray->menu()->actions().contains(retry));
        QVERIFY(retry->text().contains(QLatin1String("web")));
        // The status window: the error in the row, and the "Retry now" button shown.
        SessionTableModel* model = m_tray->sessionModel();
        const int row = model->rowOfSession(QStringLiteral("web#1"));
        const QModelIndex error = model->index(row, SessionTableModel::ErrorColumn);
        QVERIFY(error.data().toString().contains(QLatin1String("refused for good")));
        QPushButton* button = m_tray->statusWindow()->sessionActions()->retryButton();
        QTRY_VERIFY(button->isVisible());
        QVERIFY(!button->accessibleName().isEmpty());

        m_mode.set(test::TokenMode::Good);
        retry->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(shownState(QStringLiteral("web#1")), int(SessionState::Connected),
                                  15000);
        QTRY_VERIFY(!retry->isVisible());
        QTRY_VERIFY(!button->isVisible());
        QVERIFY(!toggle->text().contains(QLatin1String("refused")));
    }

    void ctrlRInTheSessionsTableEndsABackoff() {
        startAll(test::TokenMode::WrongSecret);
        QTRY_COMPARE_WITH_TIMEOUT(shownState(QStringLiteral("web#1")), int(SessionState::Backoff),
                                  15000);
        const SessionSnapshot waiting = m_client->sessions().value(0);
        QCOMPARE(waiting.errorKind, SessionErrorKind::AuthenticationRefused);
        StatusWindow* window = m_tray->statusWindow();
        QTableView* view = window->sessionsView();
        selectRow(view, 0);
        SessionActions* actions = window->sessionActions();
        QVERIFY(actions->retryAction()->isEnabled());
        QVERIFY(!actions->checkIdentityAction()->isEnabled()); // not a tpm backend

        m_mode.set(test::TokenMode::Good);
        QTest::keyClick(view, Qt::Key_R, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(shownState(QStringLiteral("web#1")), int(SessionState::Connected),
                                  15000);
        QVERIFY2(QDateTime::currentDateTimeUtc() < waiting.reconnectAt,
                 "connected before the backoff would have ended");
    }

    void notificationsNameTheBackendAndAdvise_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("advice");
        QTest::newRow("refused") << int(SessionErrorKind::AuthenticationRefused)
                                 << QStringLiteral("secret or the attestation command");
        QTest::newRow("clock") << int(SessionErrorKind::ClockSkew)
                               << QStringLiteral("system clock");
        QTest::newRow("unreachable")
            << int(SessionErrorKind::Unreachable) << QStringLiteral("relay address");
        QTest::newRow("tpm") << int(SessionErrorKind::TpmNotAccessible)
                             << QStringLiteral("group “tss”");
        QTest::newRow("suspended")
            << int(SessionErrorKind::DeviceSuspended) << QStringLiteral("Re-enroll");
    }
    void notificationsNameTheBackendAndAdvise() {
        QFETCH(int, kind);
        QFETCH(QString, advice);
        Notifier notifier;
        notifier.setRateLimits(0, 0);
        QSignalSpy notified(&notifier, &Notifier::notify);
        // Gave up: the backend, the error and the advice.
        notifier.onSessionChanged(snap(SessionState::Connecting, SessionErrorKind::None, {}));
        notifier.onSessionChanged(
            snap(SessionState::Failed, SessionErrorKind(kind), QStringLiteral("it broke")));
        QCOMPARE(notified.size(), 1);
        const QString message = notified.first().at(1).toString();
        QVERIFY2(message.contains(QLatin1String("web")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("it broke")), qPrintable(message));
        QVERIFY2(message.contains(advice), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("Retry now")), qPrintable(message));

        // Lost after being up: the advice too.
        Notifier down;
        down.setRateLimits(0, 0);
        QSignalSpy downSpy(&down, &Notifier::notify);
        down.onSessionChanged(snap(SessionState::Connected, SessionErrorKind::None, {}));
        down.onSessionChanged(
            snap(SessionState::Backoff, SessionErrorKind(kind), QStringLiteral("it broke")));
        QCOMPARE(downSpy.size(), 1);
        QVERIFY2(downSpy.first().at(1).toString().contains(advice),
                 qPrintable(downSpy.first().at(1).toString()));
    }

    void reenrollAsksFirst() {
        SessionTableModel model;
        QTableView view;
        view.setModel(&model);
        SessionActions actions(&view, &model, &view);
        SessionSnapshot s = snap(SessionState::Failed, SessionErrorKind::DeviceSuspended,
                                 QStringLiteral("device suspended/revoked (403)"));
        s.backendName = QStringLiteral("home");
        s.sessionId = QStringLiteral("home#1");
        model.reset({s});
        actions.setTpmBackends({QStringLiteral("home")});
        view.setCurrentIndex(model.index(0, 0));
        QVERIFY(actions.reenrollAction()->isEnabled());
        QVERIFY(actions.checkIdentityAction()->isEnabled());
        QSignalSpy reenroll(&actions, &SessionActions::reenrollRequested);
        QSignalSpy check(&actions, &SessionActions::checkIdentityRequested);
        QStringList asked;
        bool answer = false;
        actions.setConfirmReenroll([&](const QString& backend) {
            asked << backend;
            return answer;
        });
        actions.reenrollAction()->trigger();
        QCOMPARE(asked, QStringList{QStringLiteral("home")});
        QCOMPARE(reenroll.size(), 0); // declined
        answer = true;
        actions.reenrollAction()->trigger();
        QCOMPARE(reenroll.size(), 1);
        QCOMPARE(reenroll.first().at(0).toString(), QStringLiteral("home"));
        actions.checkIdentityAction()->trigger();
        QCOMPARE(check.size(), 1);
    }
};

QTEST_MAIN(TestUserActions)
#include "tst_useractions.moc"
