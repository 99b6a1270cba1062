#include "attestation/tpm/TpmAttestorPool.h"

#include <QHash>
#include <QMutex>
#include <QThread>

namespace nexustray::attestation::tpm {

namespace {

QString keyOf(const TpmAttestorOptions& options) {
    return options.namekUrl.toString() + u'\n' + options.tcti + u'\n' + options.stateDir;
}

QMutex g_mutex;
QHash<QString, std::weak_ptr<TpmAttestor>> g_attestors; // guarded by g_mutex

} // namespace

qsizetype TpmAttestorPool::trackedCount() {
    QMutexLocker lock(&g_mutex);
    return g_attestors.size();
}

std::shared_ptr<TpmAttestor> TpmAttestorPool::acquire(const TpmAttestorOptions& options) {
    const QString key = keyOf(options);
    QMutexLocker lock(&g_mutex);
    if (std::shared_ptr<TpmAttestor> existing = g_attestors.value(key).lock())
        return existing;
    // Entries of attestors nobody holds any more go (a long-running tray whose config changes
    // state directories or URLs would otherwise collect them).
    g_attestors.removeIf([](const auto& entry) { return entry.value().expired(); });

    auto* thread = new QThread;
    thread->setObjectName(QStringLiteral("namek"));
    auto* attestor = new TpmAttestor(options);
    attestor->moveToThread(thread);
    thread->start();
    // Runs on the thread that drops the last reference, never on `thread` (nothing queued there
    // holds a reference): the attestor is deleted after every call queued before, then the
    // thread ends.
    std::shared_ptr<TpmAttestor> shared(attestor, [thread](TpmAttestor* a) {
        QMetaObject::invokeMethod(
            a,
            [a] {
                delete a;
                QThread::currentThread()->quit();
            },
            Qt::QueuedConnection);
        thread->wait();
        delete thread;
    });
    g_attestors.insert(key, shared);
    return shared;
}

} // namespace nexustray::attestation::tpm
