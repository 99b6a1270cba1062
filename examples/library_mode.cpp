// Library mode: embed nexus-tray's engine in your own program.
//
//   library_mode CONFIG.yaml
//
// Loads the config, routes every "*.pclo.example.com" stream to 127.0.0.1:5080 with a connect
// handler (everything else falls back to the config's portMappings), prints session state changes
// and stops cleanly on SIGINT / SIGTERM. Uses only the public headers (include/nexustray/).

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>

#include <sys/socket.h>
#include <unistd.h>

#include "nexustray/Client.h"
#include "nexustray/Config.h"
#include "nexustray/ConnectRequest.h"

namespace {

int g_signalFds[2] = {-1, -1};

extern "C" void onSignal(int) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalFds[0], &byte, 1);
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (argc != 2) {
        err << "usage: library_mode CONFIG.yaml\n";
        return 2;
    }

    nexustray::ConfigLoadResult loaded = nexustray::loadConfigFile(QString::fromLocal8Bit(argv[1]));
    for (const nexustray::ConfigIssue& issue : loaded.errors)
        err << issue.toString() << '\n';
    if (!loaded.ok())
        return 1;

    nexustray::Client client(loaded.config);

    // Runs on the session's worker thread, once per new stream; must not block.
    client.setConnectHandler([](const nexustray::ConnectRequest& request) {
        if (request.hostname.endsWith(QLatin1String(".pclo.example.com")))
            return nexustray::ConnectDecision::dial(QStringLiteral("127.0.0.1:5080"));
        return nexustray::ConnectDecision::noRoute(); // use portMappings from the config
    });

    QObject::connect(&client, &nexustray::Client::sessionChanged,
                     [&out](const nexustray::SessionSnapshot& s) {
                         out << s.sessionId << ": " << nexustray::sessionStateName(s.state);
                         if (!s.lastError.isEmpty())
                             out << " (" << s.lastError << ')';
                         out << Qt::endl;
                     });
    QObject::connect(&client, &nexustray::Client::stopped, &app, &QCoreApplication::quit);

    // SIGINT / SIGTERM -> Client::stop(); the self-pipe keeps the POSIX handler async-signal-safe.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0) {
        std::perror("socketpair");
        return 1;
    }
    QSocketNotifier notifier(g_signalFds[1], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, [&client, &notifier] {
        char byte;
        [[maybe_unused]] const ssize_t n = ::read(g_signalFds[1], &byte, 1);
        notifier.setEnabled(false);
        client.stop(); // emits stopped() when every session has closed
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    client.start();
    return app.exec();
}
