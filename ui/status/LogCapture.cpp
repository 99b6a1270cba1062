#include "LogCapture.h"

#include <QCoreApplication>
#include <QMutex>

namespace nexustray::ui {

namespace {

QMutex g_mutex;
QList<LogEntry> g_queue;               // guarded by g_mutex
QtMessageHandler g_previous = nullptr; // guarded by g_mutex
bool g_installed = false;              // guarded by g_mutex

void handler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    LogEntry entry;
    entry.time = QDateTime::currentDateTime();
    entry.type = type;
    entry.category = context.category ? QString::fromLatin1(context.category) : QString();
    entry.message = message;
    QtMessageHandler previous = nullptr;
    {
        QMutexLocker lock(&g_mutex);
        if (g_queue.size() >= LogCapture::kMaxQueued)
            g_queue.removeFirst();
        g_queue.append(std::move(entry));
        previous = g_previous;
    }
    if (previous)
        previous(type, context, message);
}

} // namespace

void LogCapture::install() {
    QMutexLocker lock(&g_mutex);
    if (g_installed)
        return;
    g_installed = true;
    lock.unlock();
    QtMessageHandler previous = qInstallMessageHandler(handler);
    lock.relock();
    g_previous = previous;
}

void LogCapture::uninstall() {
    QMutexLocker lock(&g_mutex);
    if (!g_installed)
        return;
    g_installed = false;
    QtMessageHandler previous = g_previous;
    g_previous = nullptr;
    lock.unlock();
    qInstallMessageHandler(previous);
}

bool LogCapture::isInstalled() {
    QMutexLocker lock(&g_mutex);
    return g_installed;
}

QList<LogEntry> LogCapture::take() {
    QList<LogEntry> out;
    QMutexLocker lock(&g_mutex);
    out.swap(g_queue);
    return out;
}

void LogCapture::append(LogEntry entry) {
    QMutexLocker lock(&g_mutex);
    if (g_queue.size() >= kMaxQueued)
        g_queue.removeFirst();
    g_queue.append(std::move(entry));
}

int logSeverity(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return 0;
    case QtInfoMsg:
        return 1;
    case QtWarningMsg:
        return 2;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 4;
    }
    return 1;
}

QString logLevelName(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return QCoreApplication::translate("nexustray::ui::LogCapture", "debug");
    case QtInfoMsg:
        return QCoreApplication::translate("nexustray::ui::LogCapture", "info");
    case QtWarningMsg:
        return QCoreApplication::translate("nexustray::ui::LogCapture", "warning");
    case QtCriticalMsg:
        return QCoreApplication::translate("nexustray::ui::LogCapture", "error");
    case QtFatalMsg:
        return QCoreApplication::translate("nexustray::ui::LogCapture", "fatal");
    }
    return {};
}

} // namespace nexustray::ui
