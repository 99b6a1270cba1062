// The status window: the sessions table (one row per backend x relay address), and in tabs the
// live streams table (sortable, filterable) and the log pane (level and text filter).
// It only shows models; it never calls the engine: the user actions on its tables
// (StreamActions, SessionActions) emit requests that the tray controller passes to the Client.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QComboBox;
class QTableView;
class QTabWidget;
class QToolButton;
class QPushButton;
class QMenu;
class QSortFilterProxyModel;

namespace nexustray::ui {

class SessionTableModel;
class StreamTableModel;
class LogModel;
class LogFilterModel;
class TrafficHistory;
class TrafficPanel;
class IdentityPanel;
class SessionActions;
class StreamActions;

class StatusWindow : public QWidget {
    Q_OBJECT
public:
    StatusWindow(SessionTableModel* sessions, StreamTableModel* streams, LogModel* log,
                 QWidget* parent = nullptr);
    ~StatusWindow() override;

    // A message above the tables (e.g. "no system tray", a config error); empty hides it.
    void setBanner(const QString& text, bool warning = true);
    QString bannerText() const;
    // The overall state line at the top.
    void setSummary(const QIcon& icon, const QString& text);
    // The metrics endpoint's URL as a link beside the state line; empty hides it.
    void setMetricsUrl(const QString& url);
    QString metricsUrl() const { return m_metricsUrl; }
    // The per-backend toggles (the tray menu's) behind a "Tunnels" button.
    void setTunnelsMenu(QMenu* menu);
    // Closing the window quits the program (no tray) instead of hiding it.
    void setQuitOnClose(bool quit);
    // Adds the "Traffic" tab (backend selector and graph) showing this history.
    void setTrafficHistory(TrafficHistory* history);
    TrafficPanel* trafficPanel() const { return m_trafficPanel; }

    QSortFilterProxyModel* streamProxy() const { return m_streamProxy; }
    LogFilterModel* logProxy() const { return m_logProxy; }
    QTableView* sessionsView() const { return m_sessionsView; }
    QTableView* streamsView() const { return m_streamsView; }
    QTabWidget* tabs() const { return m_tabs; }
    StreamActions* streamActions() const { return m_streamActions; }
    SessionActions* sessionActions() const { return m_sessionActions; }
    IdentityPanel* identityPanel() const { return m_identityPanel; }

    void raiseAndActivate();

Q_SIGNALS:
    void editConfigurationRequested();
    void quitRequested();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    QLabel* m_banner;
    QLabel* m_summaryIcon;
    QLabel* m_summary;
    QLabel* m_metricsLink = nullptr;
    QString m_metricsUrl;
    QTableView* m_sessionsView;
    QTableView* m_streamsView;
    QTableView* m_logView;
    QTabWidget* m_tabs;
    QLineEdit* m_streamFilter;
    QLineEdit* m_logFilter;
    QComboBox* m_logLevel;
    QLabel* m_streamFilterLabel;
    QLabel* m_logLevelLabel;
    QToolButton* m_tunnelsButton;
    QPushButton* m_editButton;
    QPushButton* m_quitButton;
    QSortFilterProxyModel* m_sessionProxy;
    QSortFilterProxyModel* m_streamProxy;
    LogFilterModel* m_logProxy;
    TrafficPanel* m_trafficPanel = nullptr;
    StreamActions* m_streamActions = nullptr;
    SessionActions* m_sessionActions = nullptr;
    IdentityPanel* m_identityPanel = nullptr;
    bool m_quitOnClose = false;
};

} // namespace nexustray::ui
