// One-line log output for nexus-tray (installed with qInstallMessageHandler).
//
// Journal format, used when stderr is not a terminal or JOURNAL_STREAM is set (systemd):
//     <6>nexus.session: demo#0: connected
// The "<N>" prefix is the syslog priority, which journald and most log collectors understand.
//
// Terminal format otherwise:
//     14:03:07.125 info    nexus.session: demo#0: connected
//
// JSON format (--log-format json), one object per line, for log shippers:
//     {"time":"2026-12-02T14:03:07.125Z","level":"info","category":"nexus.session",
//      "message":"demo#1 connected to wss://…","backend":"demo","session":"demo#1"}
// `backend`/`session` are set when the message begins with a session id ("<backend>#<n>", how the
// engine starts every session line), `stream` when it names a stream's client id; absent otherwise.
//
// Every message becomes exactly one line: CR, LF and other control characters are escaped.
#pragma once

#include <QLoggingCategory>
#include <QString>
#include <QtGlobal>

// The front end's own category ("nexus.app"): start-up, shutdown, session state lines.
Q_DECLARE_LOGGING_CATEGORY(lcApp)

namespace nexustray::app {

enum class LogStyle { Journal, Terminal, Json };

// Picks the style from the environment (JOURNAL_STREAM, isatty(stderr)).
LogStyle detectLogStyle();

// Installs the handler for the whole process. Thread-safe; lines are written with one write().
void installLogHandler(LogStyle style);
void installLogHandler();

// Formatting, exposed for tests. `category` may be null or "default" (then it is left out).
QString formatLogLine(LogStyle style, QtMsgType type, const char* category, const QString& message);
// The backend, session and stream a message is about, as far as its text says (JSON format).
struct LogFields {
    QString backend;
    QString session;
    QString stream;
};
LogFields logFieldsOf(const QString& message);
// Replaces "\n" by "\\n", "\r" by "\\r", "\t" by "\\t" and other control characters by "\\xNN".
QString escapeLogText(const QString& text);
// Syslog priority of a Qt message type: debug 7, info 6, warning 4, critical 3, fatal 2.
int syslogPriority(QtMsgType type);

} // namespace nexustray::app
