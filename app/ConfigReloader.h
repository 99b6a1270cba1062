// Reloads the config file the process was started with (SIGHUP; `ExecReload=` in the systemd
// unit). The file is read afresh by its path each time, so a file replaced by an editor's rename
// is picked up. Invalid: the running config stays, every error is logged as
// `file:line:col: key: message`, nothing is dropped. Valid: `apply` gets the new config (the front
// end hands it to Client::applyConfig, which restarts only backends whose settings changed).
// Requests that arrive while a reload is already queued are coalesced into it.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

#include "nexustray/Config.h"

namespace nexustray::app {

class ConfigReloader : public QObject {
    Q_OBJECT
public:
    ConfigReloader(QString path, std::function<void(const Config&)> apply,
                   QObject* parent = nullptr);

    // Queues a reload on the event loop (one per burst of requests).
    void requestReload();
    // Reloads now; true when the new config was applied.
    bool reloadNow();

    int succeeded() const { return m_succeeded; }
    int failed() const { return m_failed; }

Q_SIGNALS:
    // After each reload: ok, and the errors (file:line:col: key: message) when not.
    void reloaded(bool ok, const QStringList& errors);

private:
    QString m_path;
    std::function<void(const Config&)> m_apply;
    bool m_queued = false;
    int m_succeeded = 0;
    int m_failed = 0;
};

} // namespace nexustray::app
