// Turns SIGINT / SIGTERM (and SIGHUP, the reload request) into Qt signals. The POSIX handler only
// writes the signal number to a socketpair (async-signal-safe); a QSocketNotifier on the other end
// emits terminationRequested() on the thread that owns the SignalHandler.
#pragma once

#include <QObject>
#include <QString>

class QSocketNotifier;

namespace nexustray::app {

class SignalHandler : public QObject {
    Q_OBJECT
public:
    explicit SignalHandler(QObject* parent = nullptr);
    // Restores the default dispositions and closes the socketpair.
    ~SignalHandler() override;

    // Installs the handlers for SIGINT, SIGTERM and SIGHUP and ignores SIGPIPE. Only one
    // SignalHandler may be installed at a time. Returns false and sets *error when that fails.
    bool install(QString* error = nullptr);

    static QString signalName(int signalNumber); // "SIGTERM", ...

Q_SIGNALS:
    void terminationRequested(int signalNumber);
    // SIGHUP: reload the configuration. Several SIGHUPs read in one go give one signal.
    void reloadRequested();

private:
    void readSignals();

    QSocketNotifier* m_notifier = nullptr;
    bool m_installed = false;
};

} // namespace nexustray::app
