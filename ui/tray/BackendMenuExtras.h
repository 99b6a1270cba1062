// The tray menu's entries under each backend's toggle: "Retry “web” now" while a session of the
// backend gave up (Failed) or waits (Backoff), and for attestation.tpm backends the device
// hostname and identity class (from Client::backendIdentityChanged), "Check identity" and
// "Re-enroll…". The entries are made once per config and only shown, hidden and renamed as
// sessions change, so an open menu does not jump. They emit requests; the controller calls the
// Client (re-enroll after a confirmation).
#pragma once

#include <QHash>
#include <QObject>

#include "nexustray/Config.h"
#include "nexustray/Snapshots.h"

class QAction;
class QMenu;

namespace nexustray::ui {

class BackendMenuExtras : public QObject {
    Q_OBJECT
public:
    explicit BackendMenuExtras(QMenu* menu, QObject* parent = nullptr);
    ~BackendMenuExtras() override;

    // Makes the entries of every backend, each group right after its toggle (in `toggles`).
    void rebuild(const Config& config, const QHash<QString, QAction*>& toggles);
    // Shows and names the entries for the current sessions and identities.
    void update(const Config& config, const QList<nexustray::SessionSnapshot>& sessions);
    void setIdentity(const nexustray::BackendIdentity& identity);

    QAction* retryAction(const QString& backendName) const;
    QAction* identityAction(const QString& backendName) const; // the hostname line (disabled)
    QAction* checkIdentityAction(const QString& backendName) const;
    QAction* reenrollAction(const QString& backendName) const;

Q_SIGNALS:
    void retryRequested(const QString& backendName);
    void checkIdentityRequested(const QString& backendName);
    void reenrollRequested(const QString& backendName);

private:
    struct Entries {
        QAction* retry = nullptr;
        QAction* identity = nullptr;
        QAction* check = nullptr;
        QAction* reenroll = nullptr;
    };
    void clear();
    void showIdentity(const QString& backendName);

    QMenu* m_menu;
    QHash<QString, Entries> m_entries;
    QHash<QString, nexustray::BackendIdentity> m_identities;
};

} // namespace nexustray::ui
