#include "TpmAttestor.h"

#include "attestation/tpm/NamekClient.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

namespace nexustray::attestation::tpm {

namespace {
const QString kNonce = QStringLiteral("/api/v1/nonce");
const QString kEnroll = QStringLiteral("/api/v1/devices/enroll");
const QString kAttest = QStringLiteral("/api/v1/devices/enroll/attest");
const QString kToken = QStringLiteral("/api/v1/tokens/nexus");
const QString kMe = QStringLiteral("/api/v1/devices/me");

QString str(const QJsonObject& o, const char* key) {
    return o.value(QLatin1String(key)).toString();
}
} // namespace

TpmAttestor::TpmAttestor(TpmAttestorOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_device(TpmDevice::shared(m_options.tcti))
    , m_rx(std::make_shared<TpmReceiver>(this))
    , m_namek(new NamekClient(m_options.namekUrl, m_options.caFile, this))
    , m_state(m_options.stateDir) {
    m_namek->setTimeoutMs(m_options.requestTimeoutMs);
    m_device->setHierarchyAuth(m_options.ownerAuth, m_options.endorsementAuth);
}

TpmAttestor::~TpmAttestor() {
    m_rx->detach();
    // A handle of an older context may name another object in the current one: leave it.
    if (m_akLoaded && m_akGeneration == m_device->generation()) {
        m_device->flushAk(m_ak);
    }
}

QString TpmAttestor::configError() const {
    if (!m_options.authError.isEmpty())
        return m_options.authError;
    return m_namek->error();
}

void TpmAttestor::requestToken(int stage, const QString& sessionNonce, TokenDone done) {
    Request r{stage, sessionNonce, std::move(done), 0, false};
    if (!configError().isEmpty() || m_phase == Phase::Suspended) {
        const TpmTokenResult res{{},
                                 configError().isEmpty() ? TpmFailure::Suspended
                                                         : TpmFailure::ClientBug,
                                 configError().isEmpty() ? m_suspendedWhy : configError(),
                                 0};
        QTimer::singleShot(0, this, [this, r, res] { finish(r, res); });
        return;
    }
    if (m_phase == Phase::Ready) {
        start(std::move(r));
        return;
    }
    m_waiting.append(std::move(r));
    if (m_phase == Phase::Idle) {
        prepare();
    }
}

void TpmAttestor::reenroll() {
    m_suspendedWhy.clear();
    m_forceEnroll = true;
    if (m_phase != Phase::Preparing) {
        m_phase = Phase::Idle;
    }
}

// Preparation: open the TPM, load or create the AK, read the EK, then enroll if needed. Steps
// already done (the TPM is open, the AK loaded) are skipped on a later preparation.
void TpmAttestor::prepare() {
    m_phase = Phase::Preparing;
    if (m_opened) {
        loadAk(true);
        return;
    }
    m_device->open(m_rx, [this](const TpmError& e) {
        if (!e.ok()) {
            failPreparation(tpmFailure(e));
            return;
        }
        m_opened = true;
        QString error;
        if (!m_state.ensureDir(&error)) {
            failPreparation({{}, TpmFailure::Backoff, error, nextBackoffMs()});
            return;
        }
        loadAk(true);
    });
}

void TpmAttestor::loadAk(bool fromSaved) {
    if (m_akLoaded) {
        readEk();
        return;
    }
    const AkBlobs saved = fromSaved ? m_state.loadAk() : AkBlobs{};
    if (fromSaved) {
        m_identity = m_state.loadIdentity();
    }
    if (saved.isEmpty() && !m_options.mayEnroll) {
        failPreparation({{}, TpmFailure::ClientBug, QStringLiteral("not enrolled"), 0});
        return;
    }
    m_device->loadAk(saved, m_rx, [this, hadSaved = !saved.isEmpty()](const AkResult& r) {
        if (!r.error.ok()) {
            if (hadSaved && !m_options.mayEnroll) {
                failPreparation({{},
                                 TpmFailure::ClientBug,
                                 QStringLiteral("the saved AK does not load in this TPM (another "
                                                "TPM, or its owner hierarchy was cleared; the "
                                                "next start enrolls again): %1")
                                     .arg(r.error.message),
                                 0});
            } else if (hadSaved) { // another TPM or a cleared owner hierarchy: new AK, re-enroll
                loadAk(false);
            } else {
                failPreparation(tpmFailure(r.error));
            }
            return;
        }
        m_ak = r.handle;
        m_akLoaded = true;
        m_akGeneration = m_device->generation();
        m_akFromSaved = !r.created;
        m_blobs = r.blobs;
        QString error;
        if (r.created && !m_state.saveAk(r.blobs, &error)) {
            failPreparation({{}, TpmFailure::Backoff, error, nextBackoffMs()});
            return;
        }
        readEk();
    });
}

void TpmAttestor::readEk() {
    if (m_ek) { // known from earlier (a re-enrollment, or the AK reloaded after a reconnect)
        if (enrollmentReusable())
            ready();
        else
            enroll();
        return;
    }
    m_device->readEk(m_rx, [this](const EkResult& r) {
        if (!r.error.ok()) {
            failPreparation(tpmFailure(r.error));
            return;
        }
        m_ek = r;
        if (enrollmentReusable()) {
            ready();
        } else {
            enroll();
        }
    });
}

bool TpmAttestor::enrollmentReusable() const {
    return !m_forceEnroll && m_akFromSaved && m_identity && m_ek &&
           m_identity->namekUrl == m_options.namekUrl.toString() &&
           m_identity->ekFingerprint == m_ek->fingerprintHex;
}

void TpmAttestor::enroll() {
    if (!m_options.mayEnroll) {
        failPreparation({{},
                         TpmFailure::ClientBug,
                         QStringLiteral("not enrolled with this namek and TPM (the next start "
                                        "enrolls)"),
                         0});
        return;
    }
    m_phase = Phase::Preparing;
    QJsonObject body{{QLatin1String("ak_params"), QString::fromLatin1(m_blobs.pub.toBase64())}};
    if (!m_ek->certDer.isEmpty()) {
        body.insert(QLatin1String("ek_cert"), QString::fromLatin1(m_ek->certDer.toBase64()));
    } else {
        body.insert(QLatin1String("ek_pub"), QString::fromLatin1(m_ek->pubDer.toBase64()));
    }
    m_namek->post(kEnroll, body, nullptr, [this](const NamekReply& phase1) {
        if (!phase1.ok()) {
            failPreparation(classify(phase1, QStringLiteral("enrollment")));
            return;
        }
        const QString nonceHex = str(phase1.json, "nonce");
        const QByteArray nonce = QByteArray::fromHex(nonceHex.toLatin1());
        const auto cred = QByteArray::fromBase64Encoding(
            str(phase1.json, "enc_credential").toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (nonce.size() != 32 || nonceHex.size() != 64 || !cred) {
            failPreparation({{},
                             TpmFailure::Backoff,
                             QStringLiteral("namek sent a malformed enrollment challenge"),
                             nextBackoffMs()});
            return;
        }
        m_device->activateCredential(
            m_ak, *cred, m_rx, [this, nonceHex, nonce](const BytesResult& s) {
                if (!s.error.ok()) {
                    failPreparation(tpmFailure(s.error));
                    return;
                }
                const QByteArray secret = s.data;
                m_device->quote(m_ak, nonce, m_rx, [this, nonceHex, secret](const BytesResult& q) {
                    if (!q.error.ok()) {
                        failPreparation(tpmFailure(q.error));
                        return;
                    }
                    const QJsonObject attest{
                        {QLatin1String("nonce"), nonceHex},
                        {QLatin1String("secret"), QString::fromLatin1(secret.toBase64())},
                        {QLatin1String("quote"), QString::fromLatin1(q.data.toBase64())}};
                    m_namek->post(kAttest, attest, nullptr,
                                  [this](const NamekReply& phase2) { enrolled(phase2); });
                });
            });
    });
}

void TpmAttestor::enrolled(const NamekReply& reply) {
    if (!reply.ok()) {
        failPreparation(classify(reply, QStringLiteral("enrollment")));
        return;
    }
    TpmIdentity id;
    id.namekUrl = m_options.namekUrl.toString();
    id.deviceId = str(reply.json, "device_id");
    id.hostname = str(reply.json, "hostname");
    id.identityClass = str(reply.json, "identity_class");
    id.ekFingerprint = m_ek->fingerprintHex;
    for (const QJsonValue& url : reply.json.value(QLatin1String("nexus_endpoints")).toArray())
        id.nexusEndpoints << url.toString();
    QString error;
    if (id.deviceId.isEmpty()) {
        failPreparation({{},
                         TpmFailure::Backoff,
                         QStringLiteral("namek's enrollment answer has no device_id"),
                         nextBackoffMs()});
        return;
    }
    if (!m_state.saveIdentity(id, &error)) {
        failPreparation({{}, TpmFailure::Backoff, error, nextBackoffMs()});
        return;
    }
    m_identity = id;
    m_akFromSaved = true;
    m_forceEnroll = false;
    ++m_enrollments;
    emit identityChanged();
    ready();
}

void TpmAttestor::ready() {
    m_phase = Phase::Ready;
    const QList<Request> waiting = std::exchange(m_waiting, {});
    for (const Request& r : waiting) {
        if (r.stage == kIdentityCheck)
            r.done(TpmTokenResult{});
        else
            start(r);
    }
}

void TpmAttestor::failWaiting(const TpmTokenResult& result) {
    const QList<Request> waiting = std::exchange(m_waiting, {});
    for (const Request& r : waiting) {
        finish(r, result);
    }
}

void TpmAttestor::failPreparation(const TpmTokenResult& result) {
    if (result.failure == TpmFailure::Suspended) {
        suspend(result.message);
        return;
    }
    m_phase = Phase::Idle; // the next request starts over (a failed phase 2 restarts at phase 1)
    failWaiting(result);
}

void TpmAttestor::authorize(Authorized next) {
    m_namek->get(kNonce, nullptr, [this, next](const NamekReply& n) {
        if (!n.ok()) {
            next(classify(n, QStringLiteral("nonce")), {});
            return;
        }
        const QString nonce = str(n.json, "nonce");
        const auto bytes = QByteArray::fromBase64Encoding(
            nonce.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                                  QByteArray::AbortOnBase64DecodingErrors);
        if (!bytes || (*bytes).size() != 32) {
            next({{},
                  TpmFailure::Backoff,
                  QStringLiteral("namek sent a malformed nonce"),
                  nextBackoffMs()},
                 {});
            return;
        }
        m_device->quote(m_ak, *bytes, m_rx, [this, next, nonce](const BytesResult& q) {
            if (!q.error.ok()) {
                if (q.error.connectionLost || m_device->generation() != m_akGeneration)
                    forgetTpmSession();
                next(tpmFailure(q.error), {});
            } else if (!m_identity) { // re-enrollment started and failed meanwhile
                next({{}, TpmFailure::Backoff, QStringLiteral("not enrolled"), nextBackoffMs()},
                     {});
            } else {
                next({}, DeviceAuth{m_identity->deviceId, nonce, q.data.toBase64()});
            }
        });
    });
}

void TpmAttestor::forgetTpmSession() {
    // The context the AK was loaded in is gone (the connection broke, here or in another attestor
    // sharing the device): open and load again at the next request, without flushing the handle.
    m_opened = false;
    m_akLoaded = false;
    if (m_phase == Phase::Ready)
        m_phase = Phase::Idle;
}

void TpmAttestor::start(Request request) {
    if (m_device->generation() != m_akGeneration) { // reconnected meanwhile: reload the AK first
        forgetTpmSession();
        m_waiting.append(std::move(request));
        prepare();
        return;
    }
    authorize([this, request](const TpmTokenResult& failure, const DeviceAuth& auth) {
        if (!failure.ok()) {
            finish(request, failure);
            return;
        }
        const QJsonObject body{{QLatin1String("stage"), request.stage},
                               {QLatin1String("session_nonce"), request.sessionNonce}};
        m_namek->post(kToken, body, &auth,
                      [this, request](const NamekReply& t) { onToken(request, t); });
    });
}

void TpmAttestor::checkIdentity(std::function<void(const TpmDeviceStatus&)> done) {
    if (m_phase == Phase::Suspended || !configError().isEmpty()) {
        TpmDeviceStatus s;
        s.message = configError().isEmpty() ? m_suspendedWhy : configError();
        QTimer::singleShot(0, this, [done, s] { done(s); });
        return;
    }
    if (m_phase != Phase::Ready) {
        // Open the TPM and load the AK first (enrolling only if the options allow it); the check
        // waits with the token requests (stage kIdentityCheck) and runs once the attestor is ready.
        Request r{kIdentityCheck, {}, [this, done](const TpmTokenResult& prepared) {
                      if (prepared.ok()) {
                          checkIdentity(done);
                          return;
                      }
                      TpmDeviceStatus s;
                      s.message = prepared.message;
                      done(s);
                  }};
        m_waiting.append(std::move(r));
        if (m_phase == Phase::Idle)
            prepare();
        return;
    }
    authorize([this, done](const TpmTokenResult& failure, const DeviceAuth& auth) {
        if (!failure.ok()) {
            TpmDeviceStatus s;
            s.message = failure.message;
            done(s);
            return;
        }
        m_namek->get(kMe, &auth, [done](const NamekReply& r) {
            TpmDeviceStatus s;
            s.ok = r.ok();
            s.message = r.error;
            s.deviceId = str(r.json, "device_id");
            s.hostname = str(r.json, "hostname");
            s.status = str(r.json, "status");
            s.identityClass = str(r.json, "identity_class");
            for (const QJsonValue& v : r.json.value(QLatin1String("nexus_endpoints")).toArray()) {
                s.nexusEndpoints << v.toString();
            }
            done(s);
        });
    });
}

void TpmAttestor::onToken(Request request, const NamekReply& reply) {
    if (reply.ok()) {
        const QString token = str(reply.json, "token");
        if (token.isEmpty()) {
            finish(
                request,
                {{}, TpmFailure::Backoff, QStringLiteral("namek sent no token"), nextBackoffMs()});
            return;
        }
        m_backoffMs = 0;
        finish(request, {token.toLatin1(), TpmFailure::None, {}, 0});
        return;
    }
    if (reply.status != 401) {
        finish(request, classify(reply, QStringLiteral("token")));
        return;
    }
    // §2.8: 401 → new nonce and quote, once; then re-enroll (same EK ⇒ same device id) and retry.
    if (++request.unauthorized == 1) {
        start(std::move(request));
        return;
    }
    const bool unknownIdentity = reply.error == QLatin1String("device not found") ||
                                 reply.error == QLatin1String("tpm quote verification failed");
    if (unknownIdentity && !request.reenrolled) {
        request.reenrolled = true;
        request.unauthorized = 0;
        m_waiting.append(std::move(request));
        if (m_phase != Phase::Preparing) {
            m_forceEnroll = true;
            prepare();
        }
        return;
    }
    TpmTokenResult res = classify(reply, QStringLiteral("token"));
    if (reply.error == QLatin1String("invalid or expired nonce")) {
        res.message += QStringLiteral(" (twice: check the clock and the latency to namek)");
    }
    finish(request, res);
}

void TpmAttestor::suspend(const QString& why) {
    m_phase = Phase::Suspended;
    m_suspendedWhy = why;
    failWaiting({{}, TpmFailure::Suspended, why, 0});
}

void TpmAttestor::finish(const Request& request, const TpmTokenResult& result) {
    if (result.failure == TpmFailure::Suspended && m_phase != Phase::Suspended) {
        suspend(result.message);
    }
    if (request.done) {
        request.done(result);
    }
}

TpmTokenResult TpmAttestor::classify(const NamekReply& reply, const QString& what) {
    const QString text = QStringLiteral("namek %1: %2").arg(what, reply.error);
    switch (reply.status) {
    case 400:
        return {{}, TpmFailure::ClientBug, text, 0};
    case 403:
    case 409:
        return {{},
                TpmFailure::Suspended,
                QStringLiteral("device suspended/revoked (%1)").arg(reply.error),
                0};
    case 429:
        return {{},
                TpmFailure::RetryAfter,
                text,
                reply.retryAfterSeconds >= 0 ? reply.retryAfterSeconds * 1000 : nextBackoffMs()};
    default: // 5xx, network error, timeout, a 401 after the retry
        return {{}, TpmFailure::Backoff, text, nextBackoffMs()};
    }
}

TpmTokenResult TpmAttestor::tpmFailure(const TpmError& error) {
    return {{},
            TpmFailure::Backoff,
            QStringLiteral("TPM: %1").arg(error.message),
            error.retryable || error.connectionLost ? 200 : nextBackoffMs(),
            error.notAccessible};
}

int TpmAttestor::nextBackoffMs() {
    // §2.8: 1 s doubling to 60 s, with ±20 % jitter.
    m_backoffMs = m_backoffMs == 0 ? 1000 : qMin(m_backoffMs * 2, 60000);
    const int jitter = m_backoffMs / 5;
    return m_backoffMs - jitter + int(QRandomGenerator::global()->bounded(2 * jitter + 1));
}

} // namespace nexustray::attestation::tpm
