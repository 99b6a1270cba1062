// The tray front end: owns the models, the status window, the editor, the notifier and the tray
// icon with its menu, and wires them to a nexustray::Client.
//
// Engine -> UI: Client signals (on this thread) are only queued into the models / notifier; the
// UI never calls a blocking engine method. UI -> engine: setBackendEnabled() and applyConfig(),
// which return at once (sessions stop and start on their own threads).
#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>

#include "Notifier.h"
#include "TrayState.h"
#include "nexustray/Config.h"
#include "nexustray/Snapshots.h"

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace nexustray {
class Client;
}

namespace nexustray::ui {

class BackendMenuExtras;
class ConfigEditorDialog;
class LogModel;
class SessionTableModel;
class StatusWindow;
class StreamTableModel;
class TrafficHistory;

class TrayController : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString configPath;       // the file toggles and the editor write; may not exist yet
        bool useTray = true;      // false: no system tray; the status window is the UI
        QString autostartProgram; // Exec of the autostart entry (default: this program)
        QStringList autostartArguments;
        // Without a tray at start (e.g. launched at login before the panel), this is asked every
        // 2 s for a minute; once it says yes, the icon appears and the window becomes optional.
        // Default: QSystemTrayIcon::isSystemTrayAvailable().
        std::function<bool()> trayProbe;
        int trayProbeIntervalMs = 2000;
        int trayProbeAttempts = 30;
        // Show the "Metrics endpoint" switch. The tray only asks (metricsSwitchToggled) and shows
        // what it is told (setMetricsState); the front end runs the endpoint.
        bool metricsSwitch = false;
    };

    TrayController(Client* client, Options options, QObject* parent = nullptr);
    ~TrayController() override;

    // Shows the tray icon, or the status window with an explanation when there is no tray.
    void start();

    OverallState overallState() const { return m_state; }
    QMenu* menu() const { return m_menu; }
    QSystemTrayIcon* trayIcon() const { return m_tray; }
    StatusWindow* statusWindow() const { return m_window; }
    SessionTableModel* sessionModel() const { return m_sessions; }
    StreamTableModel* streamModel() const { return m_streams; }
    LogModel* logModel() const { return m_log; }
    TrafficHistory* trafficHistory() const { return m_traffic; }
    Notifier* notifier() const { return m_notifier; }
    QAction* backendAction(const QString& backendName) const;
    // The entries under the backend toggles: retry, TPM identity (BackendMenuExtras).
    BackendMenuExtras* backendMenuExtras() const { return m_extras; }
    QAction* autostartAction() const { return m_autostartAction; }
    QAction* notificationsAction() const { return m_notificationsAction; }
    QAction* metricsAction() const {
        return m_metricsAction;
    } // null without Options::metricsSwitch
    // Whether the metrics endpoint is on at start: the user's last choice in the menu, else on
    // exactly when --metrics or metrics.listen names an address.
    static bool metricsOnAtStart(bool addressConfigured);
    ConfigEditorDialog* editor() const; // the open editor, if any

    // The menu's toggle: switches the backend in the client and writes `enabled:` in the file
    // (comments kept). Returns false (with *error) when the file could not be updated; the
    // client is switched anyway.
    bool setBackendEnabled(const QString& backendName, bool enabled, QString* error = nullptr);
    // Applies a config saved by the editor: only changed backends restart.
    void applyConfig(const nexustray::Config& config);
    // A problem to show in the status window (e.g. the config did not load at start-up).
    void showProblem(const QString& text);
    void showInfo(const QString& text);

public Q_SLOTS:
    void showStatusWindow();
    // What the metrics endpoint does now: listening on `address` (host:port) or off; `error`
    // (the last attempt failed) is shown in the status window.
    void setMetricsState(bool listening, const QString& address, const QString& error);
    ConfigEditorDialog* openEditor();

Q_SIGNALS:
    void quitRequested();
    // The user switched the metrics endpoint on or off; setMetricsState() is the answer.
    void metricsSwitchToggled(bool on);
    // After applyConfig() (the editor's save, a reload): for what the front end runs beside the
    // Client (the metrics endpoint's address).
    void configApplied(const nexustray::Config& config);
    void overallStateChanged(nexustray::ui::OverallState state);
    // Emitted for every notification shown (tests, logging).
    void notificationShown(const QString& title, const QString& message);

private:
    void startTray();
    void rebuildBackendActions();
    void onSessionChanged(const nexustray::SessionSnapshot& snapshot);
    // The user actions of the status window and the menu extras, wired to the Client.
    void connectUserActions();
    void onBackendIdentityChanged(const nexustray::BackendIdentity& identity);
    void updateState();
    void updateToolTip();
    void showNotification(const QString& title, const QString& message,
                          Notifier::Severity severity);
    void retranslate();
    void updateMetricsText();
    bool eventFilter(QObject* watched, QEvent* event) override;

    Client* m_client;
    Options m_options;
    SessionTableModel* m_sessions;
    StreamTableModel* m_streams;
    LogModel* m_log;
    TrafficHistory* m_traffic; // shared by the tooltip and the status window's graph
    Notifier* m_notifier;
    StatusWindow* m_window = nullptr;
    QPointer<ConfigEditorDialog> m_editor;
    QSystemTrayIcon* m_tray = nullptr;
    QMenu* m_menu = nullptr;
    QMenu* m_tunnelsMenu = nullptr; // the same toggles for the status window
    QAction* m_stateAction = nullptr;
    QAction* m_backendSeparator = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_editAction = nullptr;
    QAction* m_notificationsAction = nullptr;
    QAction* m_autostartAction = nullptr;
    QAction* m_metricsAction = nullptr;
    QString m_metricsAddress; // where the endpoint listens; empty = off
    QAction* m_quitAction = nullptr;
    QHash<QString, QAction*> m_backendActions;
    BackendMenuExtras* m_extras = nullptr;
    OverallState m_state = OverallState::Off;
    bool m_stateKnown = false;
    QString m_tooltipTitle;
    QStringList m_tooltipBackendLines;
    QString m_noTrayBanner;
    int m_probesLeft = 0;
};

} // namespace nexustray::ui

Q_DECLARE_METATYPE(nexustray::ui::OverallState)
