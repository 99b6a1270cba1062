// See QtKeychainBackend.h. QtKeychain runs its jobs one at a time through a process-wide executor
// that is not thread safe and needs an event loop; Keyring.cpp calls start() on its one keyring
// thread only, so every job is created, started and finished there.
#include "QtKeychainBackend.h"

#include <qt6keychain/keychain.h>

#include "SecretServiceLock.h"

namespace nexustray::attestation {

namespace {

KeyringJobResult::Failure failureOf(QKeychain::Error error) {
    switch (error) {
    case QKeychain::NoError:
        return KeyringJobResult::Failure::None;
    case QKeychain::EntryNotFound:
        return KeyringJobResult::Failure::EntryNotFound;
    case QKeychain::NoBackendAvailable:
        return KeyringJobResult::Failure::NoBackend;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return KeyringJobResult::Failure::AccessDenied;
    default:
        return KeyringJobResult::Failure::Other;
    }
}

} // namespace

void QtKeychainBackend::start(const QString& service, const QString& key,
                              const std::optional<QByteArray>& secret, KeyringJobCallback done) {
    if (!secret && secretServiceEntryState(service, key) == SecretServiceEntryState::Locked) {
        KeyringJobResult result;
        result.failure = KeyringJobResult::Failure::AccessDenied;
        result.detail = QStringLiteral("the entry is in a locked collection");
        done(result);
        return;
    }
    QKeychain::Job* job = nullptr;
    if (secret) {
        auto* write = new QKeychain::WritePasswordJob(service);
        write->setBinaryData(*secret);
        job = write;
    } else {
        job = new QKeychain::ReadPasswordJob(service);
    }
    job->setKey(key);
    job->setAutoDelete(true);
    // Never QSettings in plain text when no keyring answers (QtKeychain's opt-in fallback).
    job->setInsecureFallback(false);
    const bool reading = !secret;
    QObject::connect(job, &QKeychain::Job::finished, job,
                     [done = std::move(done), reading](QKeychain::Job* finished) {
                         KeyringJobResult result;
                         result.failure = failureOf(finished->error());
                         if (result.failure != KeyringJobResult::Failure::None)
                             result.detail = finished->errorString();
                         else if (reading)
                             result.secret =
                                 static_cast<QKeychain::ReadPasswordJob*>(finished)->binaryData();
                         done(result);
                     });
    job->start();
}

} // namespace nexustray::attestation
