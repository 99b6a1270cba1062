#include "TrayController.h"

#include <QAction>
#include <QApplication>
#include <QCoreApplication>
#include <QEvent>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMenu>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTimer>

#include "Autostart.h"
#include "BackendMenuExtras.h"
#include "ErrorAdvice.h"
#include "TrayTooltip.h"
#include "configedit/ConfigFileEditor.h"
#include "editor/ConfigEditorDialog.h"
#include "nexustray/Client.h"
#include "status/IdentityPanel.h"
#include "status/LogModel.h"
#include "status/SessionActions.h"
#include "status/SessionTableModel.h"
#include "status/StatusWindow.h"
#include "status/StreamActions.h"
#include "status/StreamTableModel.h"
#include "status/TrafficHistory.h"

Q_LOGGING_CATEGORY(lcUi, "nexus.ui", QtInfoMsg)

namespace nexustray::ui {

namespace {
const QString kNotificationsKey = QStringLiteral("notifications/enabled");
const QString kMetricsKey = QStringLiteral("metrics/enabled"); // set once the user switched it

QString backendSummary(const QList<SessionSnapshot>& sessions, const BackendConfig& backend) {
    if (!backend.enabled)
        return QCoreApplication::translate("nexustray::ui::TrayController", "off");
    int connected = 0;
    int total = 0;
    QString gaveUp; // why a session of the backend gave up
    for (const SessionSnapshot& s : sessions) {
        if (s.backendName != backend.name || s.state == SessionState::Disabled)
            continue;
        ++total;
        connected += s.state == SessionState::Connected;
        if (s.state == SessionState::Failed && gaveUp.isEmpty())
            gaveUp = s.lastError.isEmpty() ? sessionStateName(s.state) : s.lastError;
    }
    if (!gaveUp.isEmpty()) {
        constexpr int kMaxReason = 80; // a menu entry, not a log line (the tooltip has it all)
        if (gaveUp.size() > kMaxReason)
            gaveUp = gaveUp.left(kMaxReason - 1) + QChar(0x2026);
        return QCoreApplication::translate("nexustray::ui::TrayController", "gave up: %1")
            .arg(gaveUp);
    }
    if (total == 0)
        return QCoreApplication::translate("nexustray::ui::TrayController", "starting");
    return QCoreApplication::translate("nexustray::ui::TrayController", "%1 of %2 connected")
        .arg(connected)
        .arg(total);
}
// The toggle's tooltip: the hostnames, and for a session that gave up its error and the advice.
QString backendToolTip(const QList<SessionSnapshot>& sessions, const BackendConfig& backend) {
    QStringList lines{backend.hostnames.join(QStringLiteral(", "))};
    for (const SessionSnapshot& s : sessions) {
        if (s.backendName != backend.name || s.state != SessionState::Failed)
            continue;
        lines << s.lastError;
        const QString advice = ErrorAdvice::forKind(s.errorKind, s.backendName);
        if (!advice.isEmpty())
            lines << advice;
        break;
    }
    lines.removeAll(QString());
    return lines.join(QLatin1Char('\n'));
}
} // namespace

TrayController::TrayController(Client* client, Options options, QObject* parent)
    : QObject(parent)
    , m_client(client)
    , m_options(std::move(options))
    , m_sessions(new SessionTableModel(this))
    , m_streams(new StreamTableModel(this))
    , m_log(new LogModel(true, this))
    , m_traffic(new TrafficHistory(this))
    , m_notifier(new Notifier(this)) {
    qRegisterMetaType<nexustray::ui::OverallState>();
    if (m_options.autostartProgram.isEmpty())
        m_options.autostartProgram = QCoreApplication::applicationFilePath();

    m_window = new StatusWindow(m_sessions, m_streams, m_log);
    m_window->setAttribute(Qt::WA_QuitOnClose, false);
    m_window->setTrafficHistory(m_traffic);
    connect(m_window, &StatusWindow::editConfigurationRequested, this, &TrayController::openEditor);
    connect(m_window, &StatusWindow::quitRequested, this, &TrayController::quitRequested);

    m_menu = new QMenu;
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_stateAction = m_menu->addAction(QString());
    m_stateAction->setEnabled(false);
    m_menu->addSeparator();
    m_backendSeparator = m_menu->addSeparator();
    m_openAction = m_menu->addAction(QString(), this, &TrayController::showStatusWindow);
    QFont bold = m_openAction->font();
    bold.setBold(true);
    m_openAction->setFont(bold);
    m_editAction = m_menu->addAction(QString(), this, &TrayController::openEditor);
    m_menu->addSeparator();
    m_notificationsAction = m_menu->addAction(QString());
    m_notificationsAction->setCheckable(true);
    m_notificationsAction->setChecked(QSettings().value(kNotificationsKey, true).toBool());
    m_notifier->setEnabled(m_notificationsAction->isChecked());
    connect(m_notificationsAction, &QAction::toggled, this, [this](bool on) {
        m_notifier->setEnabled(on);
        QSettings().setValue(kNotificationsKey, on);
    });
    m_autostartAction = m_menu->addAction(QString());
    m_autostartAction->setCheckable(true);
    m_autostartAction->setChecked(
        Autostart(m_options.autostartProgram, m_options.autostartArguments).isEnabled());
    connect(m_autostartAction, &QAction::toggled, this, [this](bool on) {
        QString error;
        if (!Autostart(m_options.autostartProgram, m_options.autostartArguments)
                 .setEnabled(on, &error)) {
            qCWarning(lcUi).noquote() << "start at login:" << error;
            showProblem(tr("Could not change \"Start at login\": %1").arg(error));
            QSignalBlocker block(m_autostartAction);
            m_autostartAction->setChecked(!on);
        }
    });
    if (m_options.metricsSwitch) {
        m_metricsAction = m_menu->addAction(QString());
        m_metricsAction->setObjectName(QStringLiteral("metricsAction"));
        m_metricsAction->setCheckable(true);
        connect(m_metricsAction, &QAction::toggled, this, [this](bool on) {
            qCInfo(lcUi) << "metrics endpoint" << (on ? "switched on" : "switched off");
            Q_EMIT metricsSwitchToggled(on);
            // The outcome is remembered: a switch-on that failed (port in use) is off again.
            QSettings().setValue(kMetricsKey, m_metricsAction->isChecked());
        });
    }
    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(QString(), this, &TrayController::quitRequested);

    m_tunnelsMenu = new QMenu(m_window);
    m_tunnelsMenu->setObjectName(QStringLiteral("tunnelsMenu"));

    connect(m_notifier, &Notifier::notify, this, &TrayController::showNotification);
    m_extras = new BackendMenuExtras(m_menu, this);
    connectUserActions();

    connect(m_client, &Client::sessionChanged, this, &TrayController::onSessionChanged);
    connect(m_traffic, &TrafficHistory::sampled, this, &TrayController::updateToolTip);
    connect(m_client, &Client::streamChanged, m_streams, &StreamTableModel::post);
    connect(m_client, &Client::streamClosed, m_streams, &StreamTableModel::postClosed);
    // Engine log lines reach the log pane through Qt's message handler, which LogCapture taps.

    for (const BackendIdentity& identity : m_client->identities())
        onBackendIdentityChanged(identity);
    m_sessions->reset(m_client->sessions());
    for (const SessionSnapshot& s : m_client->sessions())
        m_traffic->post(s);
    for (const StreamSnapshot& s : m_client->streams())
        m_streams->post(s);

    qApp->installEventFilter(this); // LanguageChange for the menu
    rebuildBackendActions();
    retranslate();
    updateState();
}

TrayController::~TrayController() {
    qApp->removeEventFilter(this);
    if (m_tray)
        m_tray->hide();
    delete m_editor;
    delete m_window;
    delete m_menu;
}

void TrayController::start() {
    if (m_options.useTray) {
        startTray();
        return;
    }
    m_window->setQuitOnClose(true);
    m_window->setTunnelsMenu(m_tunnelsMenu);
    m_noTrayBanner = tr("No system tray was found on this desktop, so nexus-tray shows this "
                        "window instead. Use \"Tunnels\" to switch tunnels on and off; closing "
                        "the window quits nexus-tray.");
    showProblem(m_noTrayBanner);
    showStatusWindow();
    // A tray host may still be starting (login): look again for a while.
    if (!m_options.trayProbe)
        m_options.trayProbe = [] { return QSystemTrayIcon::isSystemTrayAvailable(); };
    m_probesLeft = m_options.trayProbeAttempts;
    auto* probe = new QTimer(this);
    probe->setInterval(m_options.trayProbeIntervalMs);
    connect(probe, &QTimer::timeout, this, [this, probe] {
        if (m_options.trayProbe()) {
            probe->deleteLater();
            qCInfo(lcUi) << "a system tray appeared; showing the tray icon";
            if (m_window->bannerText() == m_noTrayBanner)
                m_window->setBanner(QString());
            startTray();
        } else if (--m_probesLeft <= 0) {
            probe->deleteLater();
        }
    });
    probe->start();
}

void TrayController::startTray() {
    if (m_tray)
        return;
    m_tray = new QSystemTrayIcon(this);
    m_tray->setObjectName(QStringLiteral("trayIcon"));
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    showStatusWindow();
            });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayController::showStatusWindow);
    m_stateKnown = false;
    updateState();
    m_tray->show();
    m_window->setQuitOnClose(false);
    m_window->setTunnelsMenu(nullptr);
}

ConfigEditorDialog* TrayController::editor() const {
    return m_editor.data();
}

QAction* TrayController::backendAction(const QString& backendName) const {
    return m_backendActions.value(backendName);
}

void TrayController::rebuildBackendActions() {
    for (QAction* action : std::as_const(m_backendActions)) {
        m_menu->removeAction(action);
        m_tunnelsMenu->removeAction(action);
        delete action;
    }
    m_backendActions.clear();
    m_tunnelsMenu->clear();
    const QList<SessionSnapshot> sessions = m_client->sessions();
    for (const BackendConfig& backend : m_client->config().backends) {
        auto* action = new QAction(this);
        action->setCheckable(true);
        action->setChecked(backend.enabled);
        action->setData(backend.name);
        action->setToolTip(backend.hostnames.join(QStringLiteral(", ")));
        const QString name = backend.name;
        connect(action, &QAction::toggled, this, [this, name](bool on) {
            QString error;
            if (!setBackendEnabled(name, on, &error))
                showProblem(error);
        });
        m_menu->insertAction(m_backendSeparator, action);
        m_tunnelsMenu->addAction(action);
        m_backendActions.insert(backend.name, action);
    }
    if (m_client->config().backends.isEmpty()) {
        QAction* none = m_tunnelsMenu->addAction(tr("No backends configured"));
        none->setEnabled(false);
    }
    QStringList tpmBackends;
    QStringList names;
    for (const BackendConfig& b : m_client->config().backends) {
        names << b.name;
        if (b.attestation.usesTpm())
            tpmBackends << b.name;
    }
    m_extras->rebuild(m_client->config(), m_backendActions);
    m_window->sessionActions()->setTpmBackends(tpmBackends);
    m_window->identityPanel()->retainBackends(tpmBackends);
    m_sessions->retainBackends(names);
    m_traffic->setBackends(names);
    Q_UNUSED(sessions);
}

bool TrayController::setBackendEnabled(const QString& backendName, bool enabled, QString* error) {
    if (QAction* action = m_backendActions.value(backendName);
        action && action->isChecked() != enabled) {
        QSignalBlocker block(action);
        action->setChecked(enabled);
    }
    qCInfo(lcUi).noquote() << "backend" << backendName
                           << (enabled ? "switched on" : "switched off");
    m_client->setBackendEnabled(backendName, enabled);
    updateState();

    const QString path = m_options.configPath;
    if (path.isEmpty() || !QFileInfo::exists(path))
        return true; // nothing to persist (no file yet)
    QByteArray text;
    QString why;
    bool ok = configedit::readConfigText(path, &text, &why);
    if (ok) {
        const configedit::TextEditResult edited =
            configedit::setBackendEnabled(text, backendName, enabled);
        ok = edited.ok;
        why = edited.error;
        if (ok && edited.text != text) {
            const configedit::SaveResult saved = configedit::saveConfigText(path, edited.text);
            ok = saved.ok;
            why = saved.ok ? QString()
                           : (saved.ioError.isEmpty() ? saved.errors.value(0).toString()
                                                      : saved.ioError);
        }
    }
    if (!ok) {
        qCWarning(lcUi).noquote() << "could not save the toggle of" << backendName << "in" << path
                                  << ":" << why;
        if (error)
            *error = tr("Switched \"%1\" %2 for now, but could not save it in %3: %4")
                         .arg(backendName, enabled ? tr("on") : tr("off"), path, why);
    }
    return ok;
}

void TrayController::applyConfig(const Config& config) {
    qCInfo(lcUi) << "applying the saved configuration";
    m_client->applyConfig(config);
    rebuildBackendActions();
    retranslate();
    updateState();
    Q_EMIT configApplied(config);
}

bool TrayController::metricsOnAtStart(bool addressConfigured) {
    return QSettings().value(kMetricsKey, addressConfigured).toBool();
}

void TrayController::setMetricsState(bool listening, const QString& address, const QString& error) {
    m_metricsAddress = listening ? address : QString();
    if (m_metricsAction && m_metricsAction->isChecked() != listening) {
        QSignalBlocker block(m_metricsAction);
        m_metricsAction->setChecked(listening);
    }
    updateMetricsText();
    if (error.isEmpty())
        return;
    if (listening)
        showProblem(tr("The metrics endpoint stays at %1: %2").arg(address, error));
    else
        showProblem(tr("The metrics endpoint is off: %1").arg(error));
}

void TrayController::updateMetricsText() {
    if (!m_metricsAction)
        return;
    const QString url = QStringLiteral("http://%1/metrics").arg(m_metricsAddress);
    m_metricsAction->setText(m_metricsAddress.isEmpty() ? tr("Metrics endpoint")
                                                        : tr("Metrics at %1").arg(url));
    m_metricsAction->setToolTip(m_metricsAddress.isEmpty()
                                    ? tr("Serve /metrics, /ready and /status over HTTP")
                                    : tr("Also /ready and /status at %1").arg(m_metricsAddress));
    m_window->setMetricsUrl(m_metricsAddress.isEmpty() ? QString() : url);
}

void TrayController::showProblem(const QString& text) {
    m_window->setBanner(text, true);
}

void TrayController::showInfo(const QString& text) {
    m_window->setBanner(text, false);
}

void TrayController::showStatusWindow() {
    m_sessions->flush();
    m_streams->flush();
    m_window->raiseAndActivate();
}

ConfigEditorDialog* TrayController::openEditor() {
    if (!m_editor) {
        m_editor = new ConfigEditorDialog(m_options.configPath);
        m_editor->setAttribute(Qt::WA_DeleteOnClose);
        m_editor->setAttribute(Qt::WA_QuitOnClose, false);
        connect(m_editor, &ConfigEditorDialog::configSaved, this, &TrayController::applyConfig);
    }
    m_editor->show();
    m_editor->raise();
    m_editor->activateWindow();
    return m_editor;
}

void TrayController::connectUserActions() {
    connect(m_window->streamActions(), &StreamActions::closeStreamRequested, this,
            [this](const QString& sessionId, const QUuid& clientId) {
                qCInfo(lcUi).noquote()
                    << "closing stream" << clientId.toString(QUuid::WithoutBraces) << "of"
                    << sessionId;
                m_client->closeStream(sessionId, clientId);
            });
    auto retry = [this](const QString& backendName) {
        qCInfo(lcUi).noquote() << "retrying" << backendName << "now";
        m_client->retryNow(backendName);
    };
    auto check = [this](const QString& backendName) { m_client->checkIdentity(backendName); };
    SessionActions* sessionActions = m_window->sessionActions();
    connect(sessionActions, &SessionActions::retryRequested, this, retry);
    connect(sessionActions, &SessionActions::checkIdentityRequested, this, check);
    connect(sessionActions, &SessionActions::reenrollRequested, m_client, &Client::reenroll);
    connect(m_extras, &BackendMenuExtras::retryRequested, this, retry);
    connect(m_extras, &BackendMenuExtras::checkIdentityRequested, this, check);
    connect(m_extras, &BackendMenuExtras::reenrollRequested, this,
            [this](const QString& backendName) {
                if (m_window->sessionActions()->confirmReenroll(backendName))
                    m_client->reenroll(backendName);
            });
    connect(m_client, &Client::backendIdentityChanged, this,
            &TrayController::onBackendIdentityChanged);
}

void TrayController::onBackendIdentityChanged(const BackendIdentity& identity) {
    m_window->identityPanel()->setIdentity(identity);
    m_extras->setIdentity(identity);
}

void TrayController::onSessionChanged(const SessionSnapshot& snapshot) {
    m_sessions->post(snapshot);
    m_traffic->post(snapshot);
    m_notifier->onSessionChanged(snapshot);
    updateState();
}

void TrayController::updateState() {
    const QList<SessionSnapshot> sessions = m_client->sessions();
    // Sessions of switched-off backends may linger in the cache until they stopped.
    QList<SessionSnapshot> active;
    for (const SessionSnapshot& s : sessions) {
        for (const BackendConfig& b : m_client->config().backends) {
            if (b.name == s.backendName && b.enabled)
                active << s;
        }
    }
    const OverallState state = computeOverallState(active);

    // Menu entries show each backend's state.
    for (const BackendConfig& b : m_client->config().backends) {
        if (QAction* action = m_backendActions.value(b.name)) {
            action->setText(tr("%1 — %2").arg(b.name, backendSummary(active, b)));
            action->setToolTip(backendToolTip(active, b));
            if (action->isChecked() != b.enabled) {
                QSignalBlocker block(action);
                action->setChecked(b.enabled);
            }
        }
    }
    m_extras->update(m_client->config(), active);
    m_tooltipTitle = tr("nexus-tray: %1").arg(overallStateName(state));
    m_tooltipBackendLines.clear();
    for (const BackendConfig& b : m_client->config().backends)
        m_tooltipBackendLines << tr("%1: %2").arg(b.name, backendSummary(active, b));
    updateToolTip();
    m_stateAction->setText(overallStateName(state));
    m_stateAction->setIcon(overallStateIcon(state));
    m_window->setSummary(overallStateIcon(state), overallStateName(state));

    if (m_stateKnown && state == m_state)
        return;
    m_stateKnown = true;
    m_state = state;
    if (m_tray)
        m_tray->setIcon(overallStateIcon(state));
    Q_EMIT overallStateChanged(state);
}

void TrayController::updateToolTip() {
    if (m_tray)
        m_tray->setToolTip(trayTooltip(m_tooltipTitle, m_tooltipBackendLines, m_traffic));
}

void TrayController::showNotification(const QString& title, const QString& message,
                                      Notifier::Severity severity) {
    Q_EMIT notificationShown(title, message);
    if (!m_tray || !QSystemTrayIcon::supportsMessages())
        return;
    const QSystemTrayIcon::MessageIcon icon =
        severity == Notifier::Severity::Critical  ? QSystemTrayIcon::Critical
        : severity == Notifier::Severity::Warning ? QSystemTrayIcon::Warning
                                                  : QSystemTrayIcon::Information;
    m_tray->showMessage(title, message, icon, 8000);
}

void TrayController::retranslate() {
    m_openAction->setText(tr("Open status"));
    m_editAction->setText(tr("Edit configuration…"));
    m_notificationsAction->setText(tr("Notifications"));
    m_autostartAction->setText(tr("Start at login"));
    updateMetricsText();
    m_quitAction->setText(tr("Quit"));
    m_tunnelsMenu->setTitle(tr("Tunnels"));
    m_extras->rebuild(m_client->config(), m_backendActions);
    m_stateKnown = false;
    updateState();
}

bool TrayController::eventFilter(QObject* watched, QEvent* event) {
    if (watched == qApp && event->type() == QEvent::LanguageChange)
        retranslate();
    return QObject::eventFilter(watched, event);
}

} // namespace nexustray::ui
