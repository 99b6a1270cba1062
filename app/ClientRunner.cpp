#include "ClientRunner.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

#include <unistd.h>

#include "LogFormat.h"
#include "SignalHandler.h"
#include "nexustray/Client.h"

namespace nexustray::app {

ClientRunner::ClientRunner(Client* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
    , m_capTimer(new QTimer(this)) {
    m_capTimer->setSingleShot(true);
    m_capTimer->setInterval(kShutdownCapMs);
    connect(m_capTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcApp) << "shutdown did not finish within" << kShutdownCapMs / 1000
                         << "s; exiting anyway";
        finish(true);
    });
    connect(m_client, &Client::sessionChanged, this, &ClientRunner::onSessionChanged);
    connect(m_client, &Client::stopped, this, [this] {
        if (!m_stopping)
            return; // e.g. a stop() of someone else; nothing to finish
        qCInfo(lcApp) << "shutdown complete";
        finish(false);
    });
}

ClientRunner::~ClientRunner() = default;

bool ClientRunner::installSignalHandlers(QString* error) {
    if (!m_signals) {
        m_signals = new SignalHandler(this);
        connect(m_signals, &SignalHandler::terminationRequested, this, &ClientRunner::onSignal);
        connect(m_signals, &SignalHandler::reloadRequested, this, [this] {
            if (!m_stopping)
                Q_EMIT reloadRequested();
        });
    }
    return m_signals->install(error);
}

void ClientRunner::onSignal(int signalNumber) {
    const QString name = SignalHandler::signalName(signalNumber);
    if (m_stopping) {
        qCWarning(lcApp).noquote() << "second" << name << "during shutdown; exiting now";
        finish(true);
        return;
    }
    shutdown(QStringLiteral("received %1").arg(name), 0);
}

void ClientRunner::shutdown(const QString& why, int exitCode) {
    if (m_stopping)
        return;
    m_stopping = true;
    m_exitCode = exitCode;
    qCInfo(lcApp).noquote()
        << why + QStringLiteral("; stopping (at most %1 s)").arg(kShutdownCapMs / 1000);
    if (!m_client->isRunning()) {
        qCInfo(lcApp) << "shutdown complete";
        finish(false);
        return;
    }
    m_capTimer->start();
    m_client->stop(); // stopped() follows, possibly right away
}

void ClientRunner::finish(bool forced) {
    if (m_finished)
        return;
    m_finished = true;
    m_forced = forced;
    m_capTimer->stop();
    Q_EMIT finished(m_exitCode);
}

void ClientRunner::onSessionChanged(const SessionSnapshot& snapshot) {
    const auto previous = m_states.constFind(snapshot.sessionId);
    if (previous != m_states.constEnd() && previous.value() == snapshot.state)
        return; // byte counters or stream counts only
    m_states.insert(snapshot.sessionId, snapshot.state);

    // The engine logs connects, failures and retries itself (nexus.session); this trace of every
    // state change is for debugging: QT_LOGGING_RULES="nexus.app.debug=true".
    QString line =
        QStringLiteral("session %1 (%2): %3")
            .arg(snapshot.sessionId, snapshot.relayUrl, sessionStateName(snapshot.state));
    if ((snapshot.state == SessionState::Backoff || snapshot.state == SessionState::Failed) &&
        !snapshot.lastError.isEmpty())
        line += QStringLiteral(" (%1)").arg(snapshot.lastError);
    qCDebug(lcApp).noquote() << line;
}

int ClientRunner::exec(QCoreApplication& app) {
    QString error;
    if (!installSignalHandlers(&error)) {
        qCCritical(lcApp).noquote() << "cannot install signal handlers:" << error;
        return 1;
    }
    connect(this, &ClientRunner::finished, &app, &QCoreApplication::exit);
    const int code = app.exec();
    if (m_forced) {
        // The hard cap hit: do not wait a second time in the client's destructor.
        std::fflush(nullptr);
        ::_exit(code);
    }
    return code;
}

} // namespace nexustray::app
