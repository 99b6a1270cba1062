// nexus-sni-watcher: runs the test StatusNotifierWatcher on the session bus until terminated.
// Prints "ready" on standard output once it owns org.kde.StatusNotifierWatcher, and one line per
// item registration ("registered <item>") and removal ("unregistered <item>").
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

#include "StatusNotifierWatcher.h"

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    nexustray::test::StatusNotifierWatcher watcher;
    QString error;
    if (!watcher.registerOnSessionBus(&error)) {
        std::fprintf(stderr, "nexus-sni-watcher: %s\n", qPrintable(error));
        return 1;
    }
    QTextStream out(stdout);
    QObject::connect(&watcher, &nexustray::test::StatusNotifierWatcher::itemRegistered,
                     [&out](const QString& item) { out << "registered " << item << Qt::endl; });
    QObject::connect(&watcher, &nexustray::test::StatusNotifierWatcher::itemUnregistered,
                     [&out](const QString& item) { out << "unregistered " << item << Qt::endl; });
    out << "ready" << Qt::endl;
    return app.exec();
}
