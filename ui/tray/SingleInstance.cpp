#include "SingleInstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QtDebug>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nexustray::ui {

namespace {
const QByteArray kRaise = "raise\n";
const QByteArray kAck = "ok\n";

QString errnoText(int error) {
    return QString::fromLocal8Bit(std::strerror(error));
}

QString baseDirectory(const QString& runtimeDir) {
    if (!runtimeDir.isEmpty())
        return QDir(runtimeDir).filePath(QStringLiteral("nexus-tray"));
    return QDir(QDir::tempPath()).filePath(QStringLiteral("nexus-tray-%1").arg(::geteuid()));
}
} // namespace

SingleInstance::SingleInstance(const QString& key, QObject* parent)
    : QObject(parent)
    , m_key(key) {
    const QString dir = baseDirectory(qEnvironmentVariable("XDG_RUNTIME_DIR"));
    const QByteArray hash =
        QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    m_name = QDir(dir).filePath(QStringLiteral("%1.sock").arg(QLatin1String(hash)));
    m_lockPath = QDir(dir).filePath(QStringLiteral("%1.lock").arg(QLatin1String(hash)));
}

SingleInstance::~SingleInstance() {
    delete m_server; // removes the socket file before the lock goes
    m_server = nullptr;
    if (m_lockFd >= 0)
        ::close(m_lockFd);
}

QString SingleInstance::privateDirectory(const QString& runtimeDir, QString* error) {
    const QString dir = baseDirectory(runtimeDir);
    const QByteArray path = QFile::encodeName(dir);
    if (::mkdir(path.constData(), 0700) != 0 && errno != EEXIST) {
        *error = QStringLiteral("cannot create %1: %2").arg(dir, errnoText(errno));
        return {};
    }
    struct stat st {};
    if (::lstat(path.constData(), &st) != 0) {
        *error = QStringLiteral("cannot inspect %1: %2").arg(dir, errnoText(errno));
        return {};
    }
    if (S_ISLNK(st.st_mode)) {
        *error = QStringLiteral("%1 is a symbolic link; refusing to keep the instance lock there "
                                "(another user may control it)")
                     .arg(dir);
        return {};
    }
    if (!S_ISDIR(st.st_mode)) {
        *error = QStringLiteral("%1 is not a directory; refusing to use it").arg(dir);
        return {};
    }
    if (st.st_uid != ::geteuid()) {
        *error = QStringLiteral("%1 belongs to uid %2, not to us (uid %3); refusing to use it "
                                "(another user could answer for this instance)")
                     .arg(dir)
                     .arg(st.st_uid)
                     .arg(::geteuid());
        return {};
    }
    if ((st.st_mode & 077) != 0) {
        *error = QStringLiteral("%1 is open to other users (mode %2); refusing to use it "
                                "(chmod 700 it)")
                     .arg(dir, QString::number(st.st_mode & 07777, 8));
        return {};
    }
    return dir;
}

bool SingleInstance::notifyRunning(const QString& serverName, int timeoutMs) {
    QLocalSocket socket;
    socket.connectToServer(serverName);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(kRaise);
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    // The ack proves a live instance handled it (a stale socket file never answers).
    while (socket.bytesAvailable() < kAck.size()) {
        if (!socket.waitForReadyRead(timeoutMs))
            return false;
    }
    return socket.readAll().startsWith(kAck);
}

SingleInstance::Result SingleInstance::start(QString* error) {
    QString message;
    auto fail = [&](Result result, const QString& text) {
        if (error)
            *error = text;
        return result;
    };
    if (privateDirectory(qEnvironmentVariable("XDG_RUNTIME_DIR"), &message).isEmpty())
        return fail(Result::Error, message);

    const QByteArray lockPath = QFile::encodeName(m_lockPath);
    const int fd = ::open(lockPath.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fail(Result::Error,
                    QStringLiteral("cannot open %1: %2").arg(m_lockPath, errnoText(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int code = errno;
        char pid[32] = {};
        [[maybe_unused]] const ssize_t n = ::read(fd, pid, sizeof pid - 1);
        ::close(fd);
        if (code != EWOULDBLOCK)
            return fail(Result::Error,
                        QStringLiteral("cannot lock %1: %2").arg(m_lockPath, errnoText(code)));
        const QString who = QStringLiteral("nexus-tray is already running for %1 (pid %2)")
                                .arg(m_key, QString::fromLatin1(pid).trimmed());
        return fail(Result::AlreadyRunning,
                    notifyRunning(m_name, 2000)
                        ? who + QStringLiteral("; asked it to show its window")
                        : who + QStringLiteral("; it did not answer the request to show its "
                                               "window (still starting?)"));
    }
    m_lockFd = fd;
    const QByteArray pid = QByteArray::number(qint64(::getpid())) + '\n';
    if (::ftruncate(fd, 0) != 0 || ::write(fd, pid.constData(), std::size_t(pid.size())) < 0)
        qWarning().noquote() << "cannot record the pid in" << m_lockPath << errnoText(errno);

    // We hold the lock: any socket file left is from a crashed instance.
    QLocalServer::removeServer(m_name);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // Still the only instance; a second launch just cannot raise our window.
        qWarning().noquote() << "cannot listen on" << m_name << m_server->errorString();
        return Result::First;
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* socket = m_server->nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (!socket->canReadLine())
                    return;
                const QByteArray line = socket->readLine();
                if (line == kRaise) {
                    socket->write(kAck);
                    socket->flush();
                    Q_EMIT raiseRequested();
                }
                socket->disconnectFromServer();
            });
        }
    });
    return Result::First;
}

} // namespace nexustray::ui
