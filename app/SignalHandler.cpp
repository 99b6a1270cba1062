#include "SignalHandler.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nexustray::app {

namespace {

int g_fds[2] = {-1, -1}; // [0] written by the POSIX handler, [1] read by the notifier

extern "C" void onPosixSignal(int signalNumber) {
    const int savedErrno = errno;
    const unsigned char byte = static_cast<unsigned char>(signalNumber);
    // Best effort: if the pipe is full a signal is already pending, which is enough.
    [[maybe_unused]] const ssize_t n = ::write(g_fds[0], &byte, 1);
    errno = savedErrno;
}

bool setHandler(int signalNumber, void (*handler)(int)) {
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(signalNumber, &action, nullptr) == 0;
}

} // namespace

SignalHandler::SignalHandler(QObject* parent)
    : QObject(parent) {}

SignalHandler::~SignalHandler() {
    if (!m_installed)
        return;
    setHandler(SIGINT, SIG_DFL);
    setHandler(SIGTERM, SIG_DFL);
    setHandler(SIGHUP, SIG_DFL);
    delete m_notifier;
    ::close(g_fds[0]);
    ::close(g_fds[1]);
    g_fds[0] = g_fds[1] = -1;
}

bool SignalHandler::install(QString* error) {
    auto fail = [error](const QString& what) {
        if (error)
            *error = what;
        return false;
    };
    if (m_installed)
        return true;
    if (g_fds[0] >= 0)
        return fail(QStringLiteral("another signal handler is already installed"));
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, g_fds) != 0) {
        g_fds[0] = g_fds[1] = -1;
        return fail(
            QStringLiteral("socketpair: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    }
    m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalHandler::readSignals);
    m_installed = true;
    if (!setHandler(SIGINT, onPosixSignal) || !setHandler(SIGTERM, onPosixSignal) ||
        !setHandler(SIGHUP, onPosixSignal))
        return fail(
            QStringLiteral("sigaction: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    setHandler(SIGPIPE, SIG_IGN);
    return true;
}

QString SignalHandler::signalName(int signalNumber) {
    switch (signalNumber) {
    case SIGINT:
        return QStringLiteral("SIGINT");
    case SIGTERM:
        return QStringLiteral("SIGTERM");
    case SIGHUP:
        return QStringLiteral("SIGHUP");
    default:
        return QStringLiteral("signal %1").arg(signalNumber);
    }
}

void SignalHandler::readSignals() {
    unsigned char buffer[16];
    for (;;) {
        const ssize_t n = ::read(g_fds[1], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        bool reload = false;
        for (ssize_t i = 0; i < n; ++i) {
            if (buffer[i] == SIGHUP)
                reload = true; // a storm of SIGHUPs is one reload
            else
                Q_EMIT terminationRequested(int(buffer[i]));
        }
        if (reload)
            Q_EMIT reloadRequested();
    }
}

} // namespace nexustray::app
