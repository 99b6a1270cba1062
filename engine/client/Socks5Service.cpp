#include "Socks5Service.h"

#include <QTcpSocket>

#include <unistd.h>

#include "Logging.h"
#include "config/Socks5PasswordFile.h"
#include "session/Session.h"
#include "socks5/Socks5Handshake.h"
#include "socks5/Socks5Listener.h"

namespace nexustray {

namespace {

// Runs on the thread that will own the socket (a session's worker, or the Client's).
void serve(qintptr descriptor, const socks5::Socks5Settings& settings, Session* session,
           QObject* parent) {
    auto* socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcSocks5).noquote()
            << settings.label << "cannot take an accepted connection:" << socket->errorString();
        ::close(int(descriptor));
        delete socket;
        return;
    }
    socks5::OutboundOpener opener; // none: the handshake answers 01 (not connected)
    if (session) {
        opener = [session](const QString& target, QTcpSocket* s, OutboundCallback done) {
            session->openOutbound(target, s, std::move(done));
        };
    }
    auto* handshake = new socks5::Socks5Handshake(socket, settings, std::move(opener));
    handshake->setParent(parent); // a pending handshake goes with its session
}

} // namespace

Socks5Service::Socks5Service(SessionPicker picker, QObject* parent)
    : QObject(parent)
    , m_pick(std::move(picker)) {}

Socks5Service::~Socks5Service() = default;

void Socks5Service::sync(const Config& config, bool running) {
    QHash<QString, std::shared_ptr<Listener>> kept;
    for (const BackendConfig& b : config.backends) {
        if (!running || !b.enabled || b.socks5ListenAddr.trimmed().isEmpty())
            continue;
        const QString addr = b.socks5ListenAddr.trimmed();
        std::shared_ptr<Listener> l = m_listeners.value(b.name);
        if (l && l->listenAddr == addr && l->username == b.socks5Username &&
            l->passwordFile == b.socks5PasswordFile) {
            kept.insert(b.name, l);
            continue;
        }
        l.reset(); // a changed one closes before its address is bound again
        m_listeners.remove(b.name);
        auto fresh = std::make_shared<Listener>();
        fresh->listenAddr = addr;
        fresh->username = b.socks5Username;
        fresh->passwordFile = b.socks5PasswordFile;
        const QString name = b.name;
        fresh->server = std::make_unique<socks5::Socks5Listener>(
            [this, name](qintptr descriptor) { accept(name, descriptor); });
        if (!fresh->server->start(addr)) {
            qCWarning(lcSocks5).noquote()
                << "backend" << name << "has no SOCKS5 listener:" << fresh->server->problem();
            continue;
        }
        qCInfo(lcSocks5).noquote()
            << "backend" << name << "SOCKS5 listener on" << addr
            << (b.socks5Username.isEmpty() ? "(no authentication)" : "(username/password)");
        kept.insert(name, fresh);
    }
    m_listeners = std::move(kept); // the others close here
}

QString Socks5Service::boundAddress(const QString& backendName) const {
    const std::shared_ptr<Listener> l = m_listeners.value(backendName);
    if (!l || !l->server->isListening())
        return {};
    const QHostAddress a = l->server->serverAddress();
    const QString host = a.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + a.toString() + QLatin1Char(']')
                             : a.toString();
    return QStringLiteral("%1:%2").arg(host).arg(l->server->serverPort());
}

void Socks5Service::accept(const QString& backendName, qintptr descriptor) {
    const std::shared_ptr<Listener> l = m_listeners.value(backendName);
    if (!l) {
        ::close(int(descriptor));
        return;
    }
    socks5::Socks5Settings settings;
    settings.label = backendName;
    if (!l->username.isEmpty()) {
        settings.username = l->username.toUtf8();
        // Read again at each connection: a rotated password applies without a restart.
        const QString error = config::readSocks5PasswordFile(l->passwordFile, &settings.password);
        if (!error.isEmpty()) {
            qCWarning(lcSocks5).noquote()
                << backendName << "socks5PasswordFile:" << error << "- refusing the connection";
            ::close(int(descriptor));
            return;
        }
    }
    Session* session = m_pick(backendName);
    if (!session) {
        serve(descriptor, settings, nullptr, this);
        return;
    }
    QMetaObject::invokeMethod(
        session, [descriptor, settings, session] { serve(descriptor, settings, session, session); },
        Qt::QueuedConnection);
}

} // namespace nexustray
