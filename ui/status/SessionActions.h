// The sessions table's actions: "Retry now" (Ctrl+R) for a backend whose sessions gave up
// (Failed) or wait in Backoff, and for attestation.tpm backends "Check identity" and
// "Re-enroll…" (after a confirmation). In the table's context menu, as shortcuts of the table,
// and "Retry now" also as a button (shown while some session waits). It only emits requests; the
// tray controller calls the Client.
#pragma once

#include <QObject>
#include <QSet>
#include <QStringList>

#include <functional>

class QAction;
class QPoint;
class QPushButton;
class QTableView;
class QWidget;

namespace nexustray::ui {

class SessionTableModel;

class SessionActions : public QObject {
    Q_OBJECT
public:
    // `view` shows `model` (directly or through proxies); the button is parented to `buttonParent`.
    SessionActions(QTableView* view, SessionTableModel* model, QWidget* buttonParent,
                   QObject* parent = nullptr);

    QAction* retryAction() const { return m_retry; }
    QAction* checkIdentityAction() const { return m_check; }
    QAction* reenrollAction() const { return m_reenroll; }
    QPushButton* retryButton() const { return m_button; }

    // Backends with attestation.tpm (their rows offer the identity actions).
    void setTpmBackends(const QStringList& backendNames);
    // Asks before re-enrolling (default: a QMessageBox); tests replace it.
    void setConfirmReenroll(std::function<bool(const QString& backendName)> confirm);

    // Asks the user (the hook above); the tray menu's "Re-enroll…" uses it too.
    bool confirmReenroll(const QString& backendName) const {
        return m_confirm && m_confirm(backendName);
    }

    // Backends of the selected rows (the current row when none is selected).
    QStringList selectedBackends() const;
    // Backends with a session in Failed or Backoff.
    QStringList waitingBackends() const;

    void retranslate();

Q_SIGNALS:
    void retryRequested(const QString& backendName);
    void checkIdentityRequested(const QString& backendName);
    void reenrollRequested(const QString& backendName);

private:
    void updateEnabled();
    void retrySelected();
    void retryFromButton();
    void checkSelected();
    void reenrollSelected();
    void showMenu(const QPoint& pos);
    QStringList waitingOf(const QStringList& backends) const;
    QStringList tpmOf(const QStringList& backends) const;

    QTableView* m_view;
    SessionTableModel* m_model;
    QAction* m_retry;
    QAction* m_check;
    QAction* m_reenroll;
    QPushButton* m_button;
    QSet<QString> m_tpmBackends;
    std::function<bool(const QString&)> m_confirm;
};

} // namespace nexustray::ui
