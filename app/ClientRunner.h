// Runs a nexustray::Client until it has stopped, headless and under the tray alike: logs session
// state changes, turns SIGINT/SIGTERM (or a quit from the tray) into Client::stop() and reports
// finished() once the client has stopped, or after a hard cap of 5 s. SIGHUP becomes
// reloadRequested() (the front end reloads its config file, ConfigReloader).
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include "nexustray/Snapshots.h"

class QCoreApplication;
class QTimer;

namespace nexustray {
class Client;
}

namespace nexustray::app {

class SignalHandler;

class ClientRunner : public QObject {
    Q_OBJECT
public:
    static constexpr int kShutdownCapMs = 5000;

    explicit ClientRunner(Client* client, QObject* parent = nullptr);
    ~ClientRunner() override;

    // SIGINT / SIGTERM start a clean shutdown; a second signal finishes at once.
    bool installSignalHandlers(QString* error = nullptr);

    // Stops the client; finished(exitCode) follows when it has stopped (or the cap hits).
    void shutdown(const QString& why, int exitCode = 0);

    // True when finished() came from the hard cap rather than Client::stopped().
    bool forced() const { return m_forced; }

    // Headless front ends (main.cpp, the demo module): installs the signal handlers and runs
    // `app` until finished(); returns the exit code (1: no signal handlers). A forced finish
    // exits the process at once rather than wait a second time in the client's destructor.
    int exec(QCoreApplication& app);

Q_SIGNALS:
    void finished(int exitCode);
    // SIGHUP (ignored while stopping).
    void reloadRequested();

private:
    void onSessionChanged(const nexustray::SessionSnapshot& snapshot);
    void onSignal(int signalNumber);
    void finish(bool forced);

    Client* m_client;
    SignalHandler* m_signals = nullptr;
    QTimer* m_capTimer = nullptr;
    QHash<QString, SessionState> m_states;
    bool m_stopping = false;
    bool m_finished = false;
    bool m_forced = false;
    int m_exitCode = 0;
};

} // namespace nexustray::app
