// Captures Qt log messages for the status window's log pane.
//
// install() puts a message handler in front of the current one (the app's one-line stderr
// handler): every message is copied into a bounded, mutex-protected queue and then forwarded to
// the previous handler unchanged. The handler runs on whichever thread logs and never touches a
// QObject; the GUI thread drains the queue with take() (LogModel does, on a timer).
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QtGlobal>

namespace nexustray::ui {

struct LogEntry {
    QDateTime time;
    QtMsgType type = QtInfoMsg;
    QString category;
    QString message;
};

class LogCapture {
public:
    static constexpr int kMaxQueued = 10000; // older entries are dropped when nobody drains

    // Idempotent. Chains to whatever handler was installed before.
    static void install();
    // Restores the previous handler (tests).
    static void uninstall();
    static bool isInstalled();

    // Removes and returns the queued entries, oldest first. Thread-safe.
    static QList<LogEntry> take();
    // Queues an entry directly (what the handler does). Thread-safe.
    static void append(LogEntry entry);
};

// Severity order for filtering: debug < info < warning < critical < fatal.
int logSeverity(QtMsgType type);
QString logLevelName(QtMsgType type); // translated

} // namespace nexustray::ui
