// The tray front end on real widgets (offscreen) with a real nexustray::Client against the
// in-process hub emulator: the menu's toggles stop and start only their backend and persist
// `enabled:` with comments kept; streams show up live with growing byte counts; the editor
// refuses invalid files and leaves them untouched; a live apply restarts only the changed backend;
// without a tray the status window opens with a message; notifications, single instance and
// autostart.
#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <memory>
#include <thread>

#include "EchoServer.h"
#include "editor/ConfigEditorDialog.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "status/SessionTableModel.h"
#include "status/StatusWindow.h"
#include "status/StreamTableModel.h"
#include "tray/Autostart.h"
#include "tray/Notifier.h"
#include "tray/SingleInstance.h"
#include "tray/TrayController.h"

using namespace nexustray;
using namespace nexustray::ui;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {

const QByteArray kSecret = "tray-test-secret";

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int countOf(const QSignalSpy& spy, const QString& backend) {
    int n = 0;
    for (const QList<QVariant>& args : spy)
        n += args.at(0).toString() == backend;
    return n;
}

// The state the sessions table shows for `sessionId` (-1 while it has no row).
int shownState(const SessionTableModel* model, const QString& sessionId) {
    const int row = model->rowOfSession(sessionId);
    return row < 0 ? -1 : int(model->snapshotAt(row).state);
}

SessionSnapshot snap(SessionState state, const QString& error = {}) {
    SessionSnapshot s;
    s.sessionId = QStringLiteral("web#1");
    s.backendName = QStringLiteral("web");
    s.relayUrl = QStringLiteral("wss://relay.example.com/connect");
    s.state = state;
    s.lastError = error;
    return s;
}

} // namespace

class TestTrayController : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<TrayController> m_tray;
    QString m_path;
    QByteArray m_original;

    QByteArray configText() const {
        const QByteArray url = m_hub->backendUrl().toString().toUtf8();
        const QByteArray target = "127.0.0.1:" + QByteArray::number(m_echo->port());
        return "# tunnels for the tray test (this comment must survive)\n"
               "backends:\n"
               "  - name: web   # the web site\n"
               "    hostnames: [\"web.test\"]\n"
               "    nexusAddresses: [\"" +
               url +
               "\"]\n"
               "    attestation:\n"
               "      hmacSecret: \"" +
               kSecret +
               "\"\n"
               "    portMappings:\n"
               "      80: \"" +
               target +
               "\"\n"
               "\n"
               "  # mail keeps running whatever happens to web\n"
               "  - name: mail\n"
               "    hostnames: [\"mail.test\"]\n"
               "    nexusAddresses: [\"" +
               url +
               "\"]\n"
               "    attestation:\n"
               "      hmacSecret: \"" +
               kSecret +
               "\"\n"
               "    portMappings:\n"
               "      80: \"" +
               target + "\"\n";
    }

    // Starts hub, echo service, client and tray; waits until both backends are connected.
    void startAll() {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());

        m_path = m_dir.filePath(QStringLiteral("config.yaml"));
        QFile::remove(m_path);
        QFile::remove(m_path + QStringLiteral(".bak"));
        m_original = configText();
        QFile f(m_path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_original);
        f.close();
        const ConfigLoadResult loaded = loadConfigFile(m_path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));

        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_client = std::make_unique<Client>(loaded.config);
        TrayController::Options options;
        options.configPath = m_path;
        options.useTray = false;
        options.autostartProgram = QStringLiteral("/usr/bin/nexus-tray");
        m_tray = std::make_unique<TrayController>(m_client.get(), options);
        m_tray->start();
        m_client->start();
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, 15000);
        QTRY_COMPARE(m_tray->overallState(), OverallState::Connected);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("xdg-config")).toUtf8());
        qputenv("XDG_RUNTIME_DIR", m_dir.filePath(QStringLiteral("xdg-runtime")).toUtf8());
        QDir().mkpath(m_dir.filePath(QStringLiteral("xdg-runtime")));
        QFile::setPermissions(m_dir.filePath(QStringLiteral("xdg-runtime")),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                  QFileDevice::ExeOwner);
    }

    void init() { startAll(); }

    void cleanup() {
        m_tray.reset();
        m_client.reset();
        m_hub.reset();
        m_echo.reset();
    }

    void withoutTrayTheStatusWindowOpensWithAMessage() {
        StatusWindow* window = m_tray->statusWindow();
        QVERIFY(window->isVisible());
        QVERIFY2(window->bannerText().contains(QLatin1String("No system tray")),
                 qPrintable(window->bannerText()));
        QVERIFY(window->findChild<QPushButton*>(QStringLiteral("quitButton"))->isVisible());
        // Closing the window is quitting, since there is no tray to come back from.
        QSignalSpy quit(m_tray.get(), &TrayController::quitRequested);
        window->close();
        QCOMPARE(quit.size(), 1);
        // The sessions table shows both sessions, connected.
        SessionTableModel* sessions = m_tray->sessionModel();
        QTRY_COMPARE(sessions->rowCount(), 2);
        QTRY_COMPARE(shownState(sessions, QStringLiteral("web#1")), int(SessionState::Connected));
        QTRY_COMPARE(shownState(sessions, QStringLiteral("mail#1")), int(SessionState::Connected));
    }

    void menuToggleStopsAndStartsOnlyThatBackend() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        QAction* web = m_tray->backendAction(QStringLiteral("web"));
        QAction* mail = m_tray->backendAction(QStringLiteral("mail"));
        QVERIFY(web && mail);
        QVERIFY(web->isChecked());
        QVERIFY(m_tray->menu()->actions().contains(web));

        web->trigger(); // off
        QVERIFY(!web->isChecked());
        QTRY_COMPARE_WITH_TIMEOUT(countOf(closed, QStringLiteral("web")), 1, 10000);
        SessionTableModel* sessions = m_tray->sessionModel();
        QTRY_COMPARE(shownState(sessions, QStringLiteral("web#1")), int(SessionState::Disabled));
        QCOMPARE(countOf(closed, QStringLiteral("mail")), 0);
        QCOMPARE(m_hub->authenticatedSessionCount(), 1);
        QCOMPARE(m_tray->overallState(), OverallState::Connected); // mail still is

        // Persisted: exactly the one line changed, comments kept.
        QByteArray expected = m_original;
        expected.replace("  - name: web   # the web site\n",
                         "  - name: web   # the web site\n    enabled: false\n");
        QCOMPARE(readAll(m_path), expected);
        QCOMPARE(readAll(m_path + QStringLiteral(".bak")), m_original);

        web->trigger(); // on again
        QTRY_COMPARE_WITH_TIMEOUT(countOf(authenticated, QStringLiteral("web")), 1, 10000);
        QCOMPARE(countOf(closed, QStringLiteral("mail")), 0);
        QTRY_COMPARE(m_tray->overallState(), OverallState::Connected);
        QByteArray on = expected;
        on.replace("    enabled: false\n", "    enabled: true\n");
        QCOMPARE(readAll(m_path), on);

        // Both off: the icon shows "all off".
        QSignalSpy stateChanged(m_tray.get(), &TrayController::overallStateChanged);
        web->trigger();
        mail->trigger();
        QTRY_COMPARE(m_tray->overallState(), OverallState::Off);
        QVERIFY(!stateChanged.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_hub->authenticatedSessionCount(), 0, 10000);
    }

    void liveStreamWithGrowingByteCounts() {
        StreamTableModel* streams = m_tray->streamModel();
        QTcpSocket user;
        QByteArray echoed;
        connect(&user, &QTcpSocket::readyRead, this, [&] { echoed += user.readAll(); });
        user.connectToHost(QHostAddress::LocalHost, m_hub->relayListenPort(80));
        QVERIFY(user.waitForConnected(5000));
        const QByteArray prelude = "GET / HTTP/1.1\r\nHost: web.test\r\n\r\n";
        user.write(prelude + QByteArray(20000, 'a'));
        QTRY_COMPARE_WITH_TIMEOUT(streams->rowCount(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(streams->snapshotAt(0).bytesIn >= quint64(prelude.size() + 20000),
                                 10000);
        const StreamSnapshot first = streams->snapshotAt(0);
        QCOMPARE(first.hostname, QStringLiteral("web.test"));
        QCOMPARE(first.port, 80);
        QCOMPARE(first.target, QStringLiteral("127.0.0.1:%1").arg(m_echo->port()));
        QVERIFY(!first.isTls);
        QVERIFY(first.clientIp.startsWith(QLatin1String("127.0.0.1")));

        user.write(QByteArray(300000, 'b'));
        QTRY_VERIFY_WITH_TIMEOUT(streams->snapshotAt(0).bytesIn >= quint64(prelude.size() + 320000),
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            streams->snapshotAt(0).bytesOut >= quint64(prelude.size() + 320000), 10000);
        QTRY_COMPARE(echoed.size(), prelude.size() + 320000);
        // The window's filterable, sortable view sees it too.
        StatusWindow* window = m_tray->statusWindow();
        QCOMPARE(window->streamProxy()->rowCount(), 1);
        window->streamProxy()->setFilterFixedString(QStringLiteral("mail.test"));
        QCOMPARE(window->streamProxy()->rowCount(), 0);
        window->streamProxy()->setFilterFixedString(QStringLiteral("web.test"));
        QCOMPARE(window->streamProxy()->rowCount(), 1);

        user.disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(streams->snapshotAt(0).state, StreamState::Closed, 10000);
    }

    void editorRejectsAnInvalidFileAndLeavesTheOriginalUntouched() {
        ConfigEditorDialog* editor = m_tray->openEditor();
        QVERIFY(editor->isVisible());
        QSignalSpy saved(editor, &ConfigEditorDialog::configSaved);
        QString broken = QString::fromUtf8(m_original);
        broken.replace(QStringLiteral("    hostnames: [\"mail.test\"]\n"),
                       QStringLiteral("    hostnames: [\"mail.test\"]\n    weight: heavy\n"));
        editor->setRawText(broken);
        QCOMPARE(editor->currentTab(), ConfigEditorDialog::Tab::Yaml);
        // The exact error with its line, as the user types.
        QVERIFY2(editor->errorText().contains(QLatin1String("Line 14")),
                 qPrintable(editor->errorText()));
        QVERIFY(editor->errorText().contains(QLatin1String("weight")));
        QVERIFY(!editor->findChild<QPushButton*>(QStringLiteral("saveButton"))->isEnabled());
        QVERIFY(!editor->save());
        QVERIFY(!editor->lastSaveError().isEmpty());
        QCOMPARE(saved.size(), 0);
        QCOMPARE(readAll(m_path), m_original);
        QVERIFY(!QFileInfo::exists(m_path + QStringLiteral(".bak")));
        // The form refuses to take over invalid YAML.
        editor->showTab(ConfigEditorDialog::Tab::Form);
        QCOMPARE(editor->currentTab(), ConfigEditorDialog::Tab::Yaml);
        editor->close();
    }

    void editorRefusesOnceToOverwriteAToggleMadeFromTheMenu() {
        ConfigEditorDialog* editor = m_tray->openEditor();
        QString text = QString::fromUtf8(m_original);
        text.replace(QStringLiteral("[\"web.test\"]"), QStringLiteral("[\"www.test\"]"));
        editor->setRawText(text);
        QVERIFY2(editor->errorText().isEmpty(), qPrintable(editor->errorText()));
        // Meanwhile the user switches mail off from the tray menu: the file changes on disk.
        m_tray->backendAction(QStringLiteral("mail"))->trigger();
        const QByteArray toggled = readAll(m_path);
        QVERIFY(toggled.contains("enabled: false"));

        QSignalSpy saved(editor, &ConfigEditorDialog::configSaved);
        QVERIFY(!editor->save()); // the toggle would be lost silently otherwise
        QVERIFY2(editor->lastSaveError().contains(QLatin1String("changed outside the editor")),
                 qPrintable(editor->lastSaveError()));
        QCOMPARE(readAll(m_path), toggled);
        QCOMPARE(saved.size(), 0);

        QVERIFY(editor->save()); // saving again is the user's explicit choice
        QCOMPARE(readAll(m_path), text.toUtf8());
        QCOMPARE(saved.size(), 1);
        // and from then on the editor's own file is the reference: no second warning
        text.replace(QStringLiteral("[\"www.test\"]"), QStringLiteral("[\"w3.test\"]"));
        editor->setRawText(text);
        QVERIFY(editor->save());
        QCOMPARE(readAll(m_path), text.toUtf8());
        editor->close();
    }

    // Every outside change is guarded, not only the first: a change made after a refused Save
    // is refused again (the second Save confirms overwriting the version it was warned about).
    void editorRefusesEveryFurtherOutsideChange() {
        ConfigEditorDialog* editor = m_tray->openEditor();
        QString text = QString::fromUtf8(m_original);
        text.replace(QStringLiteral("[\"web.test\"]"), QStringLiteral("[\"www.test\"]"));
        editor->setRawText(text);
        QVERIFY2(editor->errorText().isEmpty(), qPrintable(editor->errorText()));
        QSignalSpy saved(editor, &ConfigEditorDialog::configSaved);

        m_tray->backendAction(QStringLiteral("mail"))->trigger(); // outside change 1
        const QByteArray first = readAll(m_path);
        QVERIFY(first != m_original);
        QVERIFY(!editor->save());
        QVERIFY(editor->lastSaveError().contains(QLatin1String("changed outside the editor")));
        QCOMPARE(readAll(m_path), first);

        m_tray->backendAction(QStringLiteral("mail"))->trigger(); // outside change 2
        const QByteArray second = readAll(m_path);
        QVERIFY(second != first);
        QVERIFY(!editor->save()); // refused again: this change was never shown to the user
        QVERIFY2(editor->lastSaveError().contains(QLatin1String("changed outside the editor")),
                 qPrintable(editor->lastSaveError()));
        QCOMPARE(readAll(m_path), second);
        QCOMPARE(saved.size(), 0);

        QVERIFY(editor->save()); // the user saw the warning for this version: overwrite it
        QCOMPARE(readAll(m_path), text.toUtf8());
        QCOMPARE(saved.size(), 1);
        editor->close();
    }

    void rawEditKeepsCommentsAndRestartsOnlyTheChangedBackend() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        ConfigEditorDialog* editor = m_tray->openEditor();
        QString text = QString::fromUtf8(m_original);
        text.replace(QStringLiteral("[\"web.test\"]"), QStringLiteral("[\"www.test\"]"));
        editor->setRawText(text);
        QVERIFY2(editor->errorText().isEmpty(), qPrintable(editor->errorText()));
        QVERIFY(editor->save());
        QCOMPARE(readAll(m_path), text.toUtf8()); // comments and all
        QCOMPARE(readAll(m_path + QStringLiteral(".bak")), m_original);

        QTRY_COMPARE_WITH_TIMEOUT(countOf(authenticated, QStringLiteral("web")), 1, 10000);
        QCOMPARE(authenticated.last().at(1).toStringList(),
                 QStringList{QStringLiteral("www.test")});
        QCOMPARE(countOf(closed, QStringLiteral("web")), 1);
        QCOMPARE(countOf(closed, QStringLiteral("mail")), 0);
        QCOMPARE(countOf(authenticated, QStringLiteral("mail")), 0);
        QTRY_COMPARE(m_tray->overallState(), OverallState::Connected);
        editor->close();
    }

    void formEditOfAHostnameAppliesLive() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        ConfigEditorDialog* editor = m_tray->openEditor();
        QCOMPARE(editor->currentTab(), ConfigEditorDialog::Tab::Form);
        editor->selectBackend(1);
        auto* hostnames = editor->findChild<QPlainTextEdit*>(QStringLiteral("hostnamesEdit"));
        QVERIFY(hostnames);
        QCOMPARE(hostnames->toPlainText(), QStringLiteral("mail.test"));
        hostnames->selectAll();
        QTest::keyClicks(hostnames, QStringLiteral("post.test"));
        QCOMPARE(editor->formConfig().backends.at(1).hostnames,
                 QStringList{QStringLiteral("post.test")});
        QVERIFY2(editor->errorText().isEmpty(), qPrintable(editor->errorText()));
        // A bad hostname typed in the form is reported at once.
        QTest::keyClicks(hostnames, QStringLiteral(".."));
        QVERIFY(!editor->errorText().isEmpty());
        QTest::keyClick(hostnames, Qt::Key_Backspace);
        QTest::keyClick(hostnames, Qt::Key_Backspace);
        QVERIFY2(editor->errorText().isEmpty(), qPrintable(editor->errorText()));

        editor->accept(); // "Save and apply"
        QVERIFY(!editor->isVisible());
        QVERIFY(loadConfigFile(m_path).ok());
        QCOMPARE(loadConfigFile(m_path).config.backends.at(1).hostnames,
                 QStringList{QStringLiteral("post.test")});
        QTRY_COMPARE_WITH_TIMEOUT(countOf(authenticated, QStringLiteral("mail")), 1, 10000);
        QCOMPARE(countOf(closed, QStringLiteral("web")), 0);
        QCOMPARE(countOf(authenticated, QStringLiteral("web")), 0);
        QCOMPARE(m_client->config().backends.at(1).hostnames,
                 QStringList{QStringLiteral("post.test")});
    }

    void notificationWhenATunnelGoesDown() {
        QSignalSpy shown(m_tray.get(), &TrayController::notificationShown);
        m_hub->dropSessions(false);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 10000);
        QVERIFY2(shown.first().at(0).toString().contains(QLatin1String("down")) ||
                     shown.first().at(0).toString().contains(QLatin1String("event")),
                 qPrintable(shown.first().at(0).toString()));
    }

    void udpRoutesNeedNoNotice() {
        // udpRoutes are relayed now: no "not supported" banner or notification for them.
        Config config = m_client->config();
        QCOMPARE(config.backends.size(), 2);
        config.backends[1].udpRoutes = {UdpRoute{53, std::nullopt}, UdpRoute{67, 30}};
        config.backends[1].enabled = false; // nothing to connect for this check
        config.backends[0].enabled = false;
        Client client(config);
        TrayController::Options options;
        options.configPath = m_path;
        options.useTray = true;
        TrayController tray(&client, options);
        QSignalSpy shown(&tray, &TrayController::notificationShown);
        tray.start();
        QVERIFY2(tray.statusWindow()->bannerText().isEmpty(),
                 qPrintable(tray.statusWindow()->bannerText()));
        QVERIFY(shown.isEmpty());
    }

    void clickingTheTrayIconOpensTheStatusWindow() {
        TrayController::Options options;
        options.configPath = m_path;
        options.useTray = true; // a QSystemTrayIcon object even where no tray host is running
        TrayController tray(m_client.get(), options);
        tray.start();
        QVERIFY(tray.trayIcon());
        QCOMPARE(tray.trayIcon()->contextMenu(), tray.menu());
        QVERIFY(!tray.statusWindow()->isVisible());
        QVERIFY(tray.statusWindow()->bannerText().isEmpty());
        QTRY_COMPARE(tray.overallState(), OverallState::Connected);
        QVERIFY(tray.trayIcon()->toolTip().contains(QLatin1String("All tunnels connected")));
        QVERIFY(tray.trayIcon()->toolTip().contains(QLatin1String("web: 1 of 1 connected")));
        QCOMPARE(tray.trayIcon()->icon().pixmap(16, 16).toImage(),
                 overallStateIcon(OverallState::Connected).pixmap(16, 16).toImage());
        Q_EMIT tray.trayIcon()->activated(QSystemTrayIcon::Trigger);
        QVERIFY(tray.statusWindow()->isVisible());
        // With a tray, closing the window only hides it.
        QSignalSpy quit(&tray, &TrayController::quitRequested);
        tray.statusWindow()->close();
        QVERIFY(!tray.statusWindow()->isVisible());
        QCOMPARE(quit.size(), 0);
    }

    void aTrayThatAppearsLaterTakesOver() {
        TrayController::Options options;
        options.configPath = m_path;
        options.useTray = false;
        bool available = false;
        int probes = 0;
        options.trayProbe = [&] {
            ++probes;
            return available;
        };
        options.trayProbeIntervalMs = 20;
        TrayController tray(m_client.get(), options);
        tray.start();
        QVERIFY(!tray.trayIcon());
        QVERIFY(!tray.statusWindow()->bannerText().isEmpty());
        // The probe timer (the only timer with the probe interval) is what calls trayProbe.
        auto probeTimers = [&tray, &options] {
            int n = 0;
            for (const QTimer* t : tray.findChildren<QTimer*>())
                n += t->interval() == options.trayProbeIntervalMs;
            return n;
        };
        QCOMPARE(probeTimers(), 1);
        QTRY_VERIFY(probes >= 2);
        available = true;
        QTRY_VERIFY(tray.trayIcon() != nullptr);
        QVERIFY(tray.statusWindow()->bannerText().isEmpty());
        QVERIFY(!tray.statusWindow()
                     ->findChild<QPushButton*>(QStringLiteral("quitButton"))
                     ->isVisible());
        // It stopped looking: the probe timer is gone, so nothing can call trayProbe again.
        QTRY_COMPARE(probeTimers(), 0);
        const int after = probes;
        QCoreApplication::processEvents();
        QCOMPARE(probes, after);
    }

    void notifierIsRateLimitedAndCanBeTurnedOff() {
        Notifier notifier;
        notifier.setRateLimits(60000, 200);
        QSignalSpy spy(&notifier, &Notifier::notify);
        notifier.onSessionChanged(snap(SessionState::Connecting));
        notifier.onSessionChanged(snap(SessionState::Connected));
        QCOMPARE(spy.size(), 0); // coming up the first time is not news
        notifier.onSessionChanged(snap(SessionState::Backoff, QStringLiteral("connection reset")));
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.last().at(0).toString(), QStringLiteral("Tunnel down"));
        QVERIFY(spy.last().at(1).toString().contains(QLatin1String("connection reset")));
        // Back up within the gap: delivered after it.
        notifier.onSessionChanged(snap(SessionState::Connected));
        QCOMPARE(spy.size(), 1);
        QVERIFY(spy.wait(2000));
        QCOMPARE(spy.last().at(0).toString(), QStringLiteral("Tunnel back up"));
        // Flapping again: "down" was reported less than a minute ago, so it stays quiet.
        // Nothing is delivered later either: deliveries happen right away or from the gap timer,
        // and it is not armed.
        const QTimer* gapTimer = notifier.findChild<QTimer*>();
        QVERIFY(gapTimer);
        notifier.onSessionChanged(snap(SessionState::Backoff, QStringLiteral("reset")));
        notifier.onSessionChanged(snap(SessionState::Connected));
        QCOMPARE(spy.size(), 2);
        QVERIFY(!gapTimer->isActive());
        // Attestation failures are named as such.
        SessionSnapshot other = snap(SessionState::Failed, QStringLiteral("attestation refused"));
        other.sessionId = QStringLiteral("mail#1");
        notifier.onSessionChanged(other);
        QTRY_COMPARE(spy.size(), 3);
        QCOMPARE(spy.last().at(0).toString(), QStringLiteral("Attestation failed"));
        // Switching a backend off is not an alarm, and a disabled notifier says nothing.
        notifier.onSessionChanged(snap(SessionState::Disabled));
        notifier.setEnabled(false);
        other.sessionId = QStringLiteral("ftp#1");
        notifier.onSessionChanged(other);
        QCOMPARE(spy.size(), 3);
        QVERIFY(!gapTimer->isActive()); // and nothing pending
        QCoreApplication::processEvents();
        QCOMPARE(spy.size(), 3);
        // The menu's switch drives it.
        QAction* toggle = m_tray->notificationsAction();
        QVERIFY(toggle->isChecked());
        toggle->trigger();
        QVERIFY(!m_tray->notifier()->isEnabled());
        toggle->trigger();
        QVERIFY(m_tray->notifier()->isEnabled());
    }

    void secondInstanceRaisesTheFirst() {
        SingleInstance first(QStringLiteral("tst-key"));
        QCOMPARE(first.start(), SingleInstance::Result::First);
        QSignalSpy raised(&first, &SingleInstance::raiseRequested);
        SingleInstance second(QStringLiteral("tst-key"));
        bool secondStarted = true;
        // The second launch blocks on the socket; the first answers from its event loop, so
        // run the second one from a helper thread.
        std::thread launcher([&] {
            secondStarted = SingleInstance::notifyRunning(second.serverName(), 5000) == false;
        });
        QTRY_COMPARE(raised.size(), 1);
        launcher.join();
        QVERIFY(!secondStarted);
        SingleInstance other(QStringLiteral("other-key"));
        QCOMPARE(other.start(), SingleInstance::Result::First); // another config, another instance
    }

    void startAtLoginWritesTheXdgAutostartEntry() {
        const QString path = Autostart::entryPath();
        QVERIFY(path.startsWith(m_dir.path()));
        QFile::remove(path);
        QAction* action = m_tray->autostartAction();
        QVERIFY(!action->isChecked());
        action->trigger();
        QVERIFY(QFileInfo::exists(path));
        const QByteArray entry = readAll(path);
        QVERIFY(entry.startsWith("[Desktop Entry]\n"));
        QVERIFY(entry.contains("\nExec=/usr/bin/nexus-tray\n"));
        QVERIFY(entry.contains("\nType=Application\n"));
        QVERIFY(Autostart(QStringLiteral("/usr/bin/nexus-tray")).isEnabled());
        action->trigger();
        QVERIFY(!QFileInfo::exists(path));
        Autostart quoted(QStringLiteral("/opt/my apps/nexus-tray"),
                         {QStringLiteral("--config"), QStringLiteral("/home/me/a b.yaml")});
        QVERIFY(quoted.entryText().contains(
            "Exec=\"/opt/my apps/nexus-tray\" --config \"/home/me/a b.yaml\"\n"));
    }
};

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
