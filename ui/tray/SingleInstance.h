// One tray per user and config. The first launch takes an exclusive lock (flock) on a file in a
// private directory and listens on a local socket next to it; a later launch finds the lock
// taken, asks the running instance (over the socket) to raise its status window, and exits.
// The lock decides, not the socket: two simultaneous starts never both run, and a crashed
// instance leaves no stale lock (the kernel drops it with the process).
//
// The directory is $XDG_RUNTIME_DIR/nexus-tray, or /tmp/nexus-tray-<uid> without
// XDG_RUNTIME_DIR. It is created 0700 and must be a real directory (not a symlink) owned by us
// and closed to others; otherwise start() refuses (another user could answer for the instance).
#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace nexustray::ui {

class SingleInstance : public QObject {
    Q_OBJECT
public:
    enum class Result {
        First,          // this process is the instance (lock held, listening)
        AlreadyRunning, // another instance holds the lock (it was asked to raise its window)
        Error,          // no safe place for the lock: *error says why
    };

    // `key` tells instances apart (e.g. the config path, or "demo").
    explicit SingleInstance(const QString& key, QObject* parent = nullptr);
    ~SingleInstance() override;

    // AlreadyRunning sets *error to a sentence for the user (e.g. whether the running instance
    // answered); Error sets it to the cause.
    Result start(QString* error = nullptr);
    QString serverName() const { return m_name; }
    QString lockPath() const { return m_lockPath; }

    // The private directory for `runtimeDir` ($XDG_RUNTIME_DIR; empty = none): created 0700 when
    // missing; empty with *error when it is unsafe (not a directory, a symlink, not ours, open
    // to group or others) or cannot be created.
    static QString privateDirectory(const QString& runtimeDir, QString* error);

    // Asks a running instance to raise its window. True when one answered.
    static bool notifyRunning(const QString& serverName, int timeoutMs = 1000);

Q_SIGNALS:
    void raiseRequested();

private:
    QString m_key;
    QString m_name;
    QString m_lockPath;
    int m_lockFd = -1;
    QLocalServer* m_server = nullptr;
};

} // namespace nexustray::ui
