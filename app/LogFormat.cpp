#include "LogFormat.h"

#include <QByteArray>
#include <QDateTime>
#include <QRegularExpression>
#include <QTime>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcApp, "nexus.app", QtInfoMsg)

namespace nexustray::app {

namespace {

LogStyle g_style = LogStyle::Terminal;
std::mutex g_writeMutex;

const char* levelName(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "critical";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

// Escapes what would break a line: \n \r \t, other control characters and U+2028/9 as \xNN
// (log text) or \uNNNN plus quotes and backslashes (inside a JSON string, RFC 8259).
QString escaped(const QString& text, bool json) {
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (json && (u == u'"' || u == u'\\'))
            out += QLatin1Char('\\') + c;
        else if (u == u'\n')
            out += QLatin1String("\\n");
        else if (u == u'\r')
            out += QLatin1String("\\r");
        else if (u == u'\t')
            out += QLatin1String("\\t");
        else if (u < 0x20 || u == 0x7f || u == 0x2028 || u == 0x2029)
            out += json ? QStringLiteral("\\u%1").arg(int(u), 4, 16, QLatin1Char('0'))
                        : QStringLiteral("\\x%1").arg(int(u), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString jsonString(const QString& text) {
    return QLatin1Char('"') + escaped(text, true) + QLatin1Char('"');
}

QString jsonLine(QtMsgType type, const char* category, const QString& message) {
    QString line = QStringLiteral("{\"time\":") +
                   jsonString(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)) +
                   QStringLiteral(",\"level\":") +
                   jsonString(type == QtCriticalMsg ? QStringLiteral("error")
                                                    : QString::fromLatin1(levelName(type)));
    if (category && *category && std::strcmp(category, "default") != 0)
        line += QStringLiteral(",\"category\":") + jsonString(QString::fromLatin1(category));
    line += QStringLiteral(",\"message\":") + jsonString(message);
    const LogFields fields = logFieldsOf(message);
    if (!fields.backend.isEmpty())
        line += QStringLiteral(",\"backend\":") + jsonString(fields.backend);
    if (!fields.session.isEmpty())
        line += QStringLiteral(",\"session\":") + jsonString(fields.session);
    if (!fields.stream.isEmpty())
        line += QStringLiteral(",\"stream\":") + jsonString(fields.stream);
    return line + QLatin1Char('}');
}

void writeAll(int fd, const QByteArray& bytes) {
    const char* p = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, static_cast<size_t>(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; // nowhere left to report it
        }
        p += n;
        left -= n;
    }
}

void messageHandler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    QByteArray line = formatLogLine(g_style, type, context.category, message).toUtf8();
    line.append('\n');
    {
        const std::lock_guard<std::mutex> lock(g_writeMutex);
        writeAll(STDERR_FILENO, line);
    }
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

LogStyle detectLogStyle() {
    if (!qEnvironmentVariableIsEmpty("JOURNAL_STREAM"))
        return LogStyle::Journal;
    return ::isatty(STDERR_FILENO) ? LogStyle::Terminal : LogStyle::Journal;
}

int syslogPriority(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return 7;
    case QtInfoMsg:
        return 6;
    case QtWarningMsg:
        return 4;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 2;
    }
    return 6;
}

QString escapeLogText(const QString& text) {
    return escaped(text, false);
}

LogFields logFieldsOf(const QString& message) {
    static const QRegularExpression session(QStringLiteral("^(([^\\s#:]+)#\\d+)(?=[\\s:]|$)"));
    static const QRegularExpression stream(
        QStringLiteral("\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b"));
    LogFields fields;
    const QRegularExpressionMatch s = session.match(message);
    if (s.hasMatch()) {
        fields.session = s.captured(1);
        fields.backend = s.captured(2);
    }
    const QRegularExpressionMatch id = stream.match(message);
    if (id.hasMatch())
        fields.stream = id.captured(0);
    return fields;
}

QString formatLogLine(LogStyle style, QtMsgType type, const char* category,
                      const QString& message) {
    if (style == LogStyle::Json)
        return jsonLine(type, category, message);
    const bool hasCategory = category && *category && std::strcmp(category, "default") != 0;
    QString line;
    if (style == LogStyle::Journal) {
        line = QStringLiteral("<%1>").arg(syslogPriority(type));
    } else {
        line = QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        line += QLatin1Char(' ');
        line += QString::fromLatin1(levelName(type)).leftJustified(8);
        line += QLatin1Char(' ');
    }
    if (hasCategory) {
        line += QLatin1String(category);
        line += QLatin1String(": ");
    }
    line += escapeLogText(message);
    return line;
}

void installLogHandler(LogStyle style) {
    g_style = style;
    qInstallMessageHandler(messageHandler);
}

void installLogHandler() {
    installLogHandler(detectLogStyle());
}

} // namespace nexustray::app
