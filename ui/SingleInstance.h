// One tray per user and config: the first launch listens on a local socket; a second launch
// connects to it, asks it to raise its status window, and exits.
#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace nexustray::ui {

class SingleInstance : public QObject {
    Q_OBJECT
public:
    // `key` tells instances apart (e.g. the config path, or "demo"); the socket lives in the
    // user's runtime directory, so other users never meet it.
    explicit SingleInstance(const QString& key, QObject* parent = nullptr);
    ~SingleInstance() override;

    // True: this process is the first instance (now listening). False: another instance is
    // running and was asked to raise its window (or the socket could not be created: *error).
    bool start(QString* error = nullptr);
    QString serverName() const { return m_name; }

    // Asks a running instance to raise its window. True when one answered.
    static bool notifyRunning(const QString& serverName, int timeoutMs = 1000);

Q_SIGNALS:
    void raiseRequested();

private:
    QString m_name;
    QLocalServer* m_server = nullptr;
};

} // namespace nexustray::ui
