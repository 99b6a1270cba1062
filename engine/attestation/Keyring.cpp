// The keyring access of nexustray/Keyring.h: jobs on one keyring thread of their own, through the
// keyring plugin (attestation/KeyringPlugin.h: QtKeychain and Qt D-Bus, loaded on the first
// access). QtKeychain runs its jobs one at a time through a process-wide executor that is not
// thread safe and needs an event loop (libsecret answers through the thread's GLib main context),
// so every job of the process is created, started and finished on that one thread; callers only
// exchange queued signals with it and never wait for it (nor for the plugin to load).
#include "nexustray/Keyring.h"

#include <QCoreApplication>
#include <QMutex>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <memory>

#include "Logging.h"
#include "attestation/KeyringBackend.h"
#include "attestation/KeyringPlugin.h"

namespace nexustray {

namespace {

QMutex g_threadMutex;
QThread* g_thread = nullptr;

// Ends the keyring thread with the application (a QThread destroyed while running aborts).
void stopKeyringThread() {
    QMutexLocker lock(&g_threadMutex);
    if (!g_thread)
        return;
    g_thread->quit();
    // A job stuck in a prompt does not block the thread's event loop, so this returns promptly.
    if (g_thread->wait(5000))
        delete g_thread;
    g_thread = nullptr;
}

QThread* keyringThread() {
    QMutexLocker lock(&g_threadMutex);
    if (!g_thread) {
        g_thread = new QThread;
        g_thread->setObjectName(QStringLiteral("nexus-keyring"));
        g_thread->start();
        qAddPostRoutine(stopKeyringThread);
    }
    return g_thread;
}

QString quoted(const QString& s) {
    return u'\'' + s + u'\'';
}

using Failure = attestation::KeyringJobResult::Failure;

// The cause of a failed job in words the user can act on (never the secret).
QString describeFailure(const QString& backend, Failure failure, const QString& detail,
                        bool reading) {
    const QString lower = detail.toLower();
    QString cause;
    if (reading && failure == Failure::EntryNotFound) {
        cause = QStringLiteral("no secret in the system keyring (service %1, key %2); store one "
                               "with nexus-tray --set-secret %2")
                    .arg(keyringService(), backend);
    } else if (failure == Failure::NoBackend ||
               lower.contains(QLatin1String("org.freedesktop.secrets")) ||
               lower.contains(QLatin1String("serviceunknown")) ||
               lower.contains(QLatin1String("not provided by any .service")) ||
               lower.contains(QLatin1String("no such secret collection")) ||
               lower.contains(QLatin1String("dbus")) || lower.contains(QLatin1String("d-bus"))) {
        cause = QStringLiteral("no Secret Service available (no keyring daemon such as "
                               "gnome-keyring or KWallet on the D-Bus session bus): %1")
                    .arg(detail.isEmpty() ? QStringLiteral("no keyring backend") : detail);
    } else if (failure == Failure::AccessDenied || lower.contains(QLatin1String("lock")) ||
               lower.contains(QLatin1String("prompt")) ||
               lower.contains(QLatin1String("dismissed"))) {
        cause = QStringLiteral("keyring locked or access denied (unlock the login keyring, e.g. "
                               "by logging in to the desktop): %1")
                    .arg(detail.isEmpty() ? QStringLiteral("access denied") : detail);
    } else {
        cause = QStringLiteral("system keyring error: %1")
                    .arg(detail.isEmpty() ? QStringLiteral("unknown error") : detail);
    }
    return QStringLiteral("backend %1: %2").arg(quoted(backend), cause);
}

// One job on the keyring thread; finished() crosses back to the caller by a queued connection,
// so a caller destroyed meanwhile is never called.
class KeyringOperation : public QObject {
    Q_OBJECT
public:
    KeyringOperation(QString backend, std::optional<QByteArray> secret)
        : m_backend(std::move(backend))
        , m_secret(std::move(secret)) {}

    void start() {
        const attestation::KeyringPluginLoad& plugin = attestation::keyringPlugin();
        if (!plugin.backend) {
            finish(false, QStringLiteral("backend %1: the keyring plugin could not be loaded (%2)")
                              .arg(quoted(m_backend), plugin.error));
            return;
        }
        plugin.backend->start(
            keyringService(), m_backend, m_secret,
            [self = QPointer<KeyringOperation>(this)](const attestation::KeyringJobResult& result) {
                if (self)
                    self->onJobFinished(result);
            });
    }

Q_SIGNALS:
    void finished(const nexustray::KeyringResult& result);

private:
    void onJobFinished(const attestation::KeyringJobResult& job) {
        KeyringResult result;
        if (job.failure == Failure::None) {
            result.ok = true;
            if (!m_secret) {
                result.secret = job.secret;
                if (result.secret.isEmpty()) {
                    result.ok = false;
                    result.error =
                        describeFailure(m_backend, Failure::EntryNotFound, QString(), true);
                }
            }
        } else {
            result.error = describeFailure(m_backend, job.failure, job.detail, !m_secret);
        }
        finish(result);
    }

    void finish(bool ok, const QString& error) {
        KeyringResult result;
        result.ok = ok;
        result.error = error;
        finish(result);
    }
    void finish(const KeyringResult& result) {
        qCDebug(lcAttestation).noquote()
            << "keyring" << (m_secret ? "write" : "read") << "for backend" << m_backend << ":"
            << (result.ok ? QStringLiteral("ok") : result.error);
        Q_EMIT finished(result);
        deleteLater();
    }

    QString m_backend;
    std::optional<QByteArray> m_secret; // set: a write
};

void runOperation(const QString& backend, std::optional<QByteArray> secret, QObject* context,
                  KeyringCallback done, int timeoutMs) {
    auto delivered = std::make_shared<bool>(false);
    auto deliver = [delivered, done = std::move(done)](const KeyringResult& result) {
        if (std::exchange(*delivered, true))
            return;
        done(result);
    };
    const bool writing = secret.has_value();
    auto* operation = new KeyringOperation(backend, std::move(secret));
    QObject::connect(operation, &KeyringOperation::finished, context, deliver,
                     Qt::QueuedConnection);
    QTimer::singleShot(timeoutMs, context, [deliver, backend, timeoutMs, writing] {
        KeyringResult result;
        result.error =
            QStringLiteral("backend %1: keyring locked or not answering: the system keyring did "
                           "not %2 within %3 s (is it waiting for an unlock prompt?)")
                .arg(quoted(backend),
                     writing ? QStringLiteral("store the secret") : QStringLiteral("answer"))
                .arg(timeoutMs / 1000.0);
        qCWarning(lcAttestation).noquote() << result.error;
        deliver(result);
    });
    operation->moveToThread(keyringThread());
    QMetaObject::invokeMethod(operation, &KeyringOperation::start, Qt::QueuedConnection);
}

} // namespace

QString keyringService() {
    return QStringLiteral("nexus-tray");
}

void readKeyringSecret(const QString& backend, QObject* context, KeyringCallback done,
                       int timeoutMs) {
    runOperation(backend, std::nullopt, context, std::move(done), timeoutMs);
}

void writeKeyringSecret(const QString& backend, const QByteArray& secret, QObject* context,
                        KeyringCallback done, int timeoutMs) {
    runOperation(backend, secret, context, std::move(done), timeoutMs);
}

} // namespace nexustray

#include "Keyring.moc"
