#include "attestation/tpm/TpmAttestorPool.h"

#include <QHash>
#include <QMutex>
#include <QThread>

namespace nexustray::attestation::tpm {

namespace {

QString keyOf(const TpmAttestorOptions& options) {
    return options.namekUrl.toString() + u'\n' + options.tcti + u'\n' + options.stateDir;
}

} // namespace

std::shared_ptr<TpmAttestor> TpmAttestorPool::acquire(const TpmAttestorOptions& options) {
    static QMutex mutex;
    static QHash<QString, std::weak_ptr<TpmAttestor>> attestors;
    const QString key = keyOf(options);
    QMutexLocker lock(&mutex);
    if (std::shared_ptr<TpmAttestor> existing = attestors.value(key).lock())
        return existing;

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
    attestors.insert(key, shared);
    return shared;
}

} // namespace nexustray::attestation::tpm
