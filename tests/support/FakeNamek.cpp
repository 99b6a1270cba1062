#include "FakeNamek.h"

#include "NamekCrypto.h"
#include "TestTokens.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTimer>
#include <QUuid>

#include <openssl/crypto.h>

namespace nexustray::test {

namespace {
const QString kNonce = QStringLiteral("/api/v1/nonce");
const QString kEnroll = QStringLiteral("/api/v1/devices/enroll");
const QString kAttest = QStringLiteral("/api/v1/devices/enroll/attest");
const QString kToken = QStringLiteral("/api/v1/tokens/nexus");
const QString kMe = QStringLiteral("/api/v1/devices/me");
const QString kHealth = QStringLiteral("/health");

QByteArray randomBytes(int n) {
    QByteArray b(n, '\0');
    for (char& c : b) {
        c = char(QRandomGenerator::system()->bounded(256));
    }
    return b;
}

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

std::optional<QByteArray> b64(const QJsonValue& v) {
    const auto r = QByteArray::fromBase64Encoding(v.toString().toLatin1(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    return r ? std::optional<QByteArray>(*r) : std::nullopt;
}
} // namespace

FakeNamek::FakeNamek(const TestCa& ca, QByteArray tokenSecret, QObject* parent)
    : QTcpServer(parent)
    , m_ca(ca)
    , m_secret(std::move(tokenSecret)) {}

bool FakeNamek::start() {
    return listen(QHostAddress::LocalHost, 0);
}

QUrl FakeNamek::url() const {
    return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(serverPort()));
}

void FakeNamek::injectFault(const QString& path, int status, const QString& text, int times,
                            int retryAfter) {
    m_faults[path].append({status, text, times, retryAfter});
}

void FakeNamek::delayAnswers(const QString& path, int ms, int times) {
    m_delays.insert(path, {ms, times});
}

void FakeNamek::setDeviceStatus(const QString& deviceId, const QString& status) {
    if (m_devices.contains(deviceId)) {
        m_devices[deviceId].status = status;
    }
}

void FakeNamek::incomingConnection(qintptr fd) {
    auto* socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(fd)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(m_ca.serverConfiguration());
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // no Nagle delay on small answers
    connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    auto buffer = std::make_shared<QByteArray>();
    connect(socket, &QSslSocket::readyRead, this, [this, socket, buffer] {
        buffer->append(socket->readAll());
        const qsizetype end = buffer->indexOf("\r\n\r\n");
        if (end < 0) {
            return;
        }
        Request req;
        const QList<QByteArray> lines = buffer->left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        req.method = first.value(0);
        req.path = QString::fromLatin1(first.value(1));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0) {
                req.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                   lines[i].mid(colon + 1).trimmed());
            }
        }
        const qsizetype length = req.headers.value("content-length").toLongLong();
        if (buffer->size() < end + 4 + length) {
            return;
        }
        req.body = buffer->mid(end + 4, length);
        buffer->remove(0, end + 4 + length); // keep-alive: the client may send the next one
        ++m_requests[req.path];
        const Answer a = handle(req);
        const QByteArray out = QJsonDocument(a.body).toJson(QJsonDocument::Compact);
        QByteArray head = "HTTP/1.1 " + QByteArray::number(a.status) +
                          " X\r\nContent-Type: application/json\r\nContent-Length: " +
                          QByteArray::number(out.size()) + "\r\n";
        if (a.retryAfter >= 0) {
            head += "Retry-After: " + QByteArray::number(a.retryAfter) + "\r\n";
        }
        const QByteArray response = head + "\r\n" + out;
        int delay = 0;
        auto d = m_delays.find(req.path);
        if (d != m_delays.end() && d->second != 0) {
            delay = d->first;
            if (d->second > 0) {
                --d->second;
            }
        }
        QPointer<QSslSocket> guard(socket);
        QTimer::singleShot(delay, this, [guard, response] {
            if (guard) {
                guard->write(response);
                guard->flush();
            }
        });
    });
    socket->startServerEncryption();
}

FakeNamek::Answer FakeNamek::error(int status, const QString& text, int retryAfter) {
    return {status, QJsonObject{{QStringLiteral("error"), text}}, retryAfter};
}

FakeNamek::Answer FakeNamek::handle(const Request& req) {
    auto f = m_faults.find(req.path);
    if (f != m_faults.end() && !f->isEmpty()) {
        const Fault fault = f->first();
        if (fault.times > 0 && --f->first().times == 0) {
            f->removeFirst();
        }
        consumeNonce(QString::fromLatin1(req.headers.value("x-nonce")));
        return error(fault.status, fault.text, fault.retryAfter);
    }
    const QJsonObject body = QJsonDocument::fromJson(req.body).object();
    if (req.method == "GET" && req.path == kHealth) {
        return {200, QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}}, -1};
    }
    if (req.method == "GET" && req.path == kNonce) {
        return nonce();
    }
    if (req.method == "POST" && req.path == kEnroll) {
        return enroll(body);
    }
    if (req.method == "POST" && req.path == kAttest) {
        return attest(body);
    }
    if (req.path == kToken || req.path == kMe) {
        Device* device = nullptr;
        if (auto refused = authenticate(req, &device)) {
            return *refused;
        }
        return req.path == kMe ? me(*device) : token(*device, body);
    }
    return error(404, QStringLiteral("not found"));
}

FakeNamek::Answer FakeNamek::nonce() {
    const QString n = QString::fromLatin1(
        randomBytes(32).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    const qint64 expires = nowMs() + m_nonceLifetimeMs;
    m_nonces.insert(n, expires);
    return {200,
            QJsonObject{{QStringLiteral("nonce"), n},
                        {QStringLiteral("expires_at"),
                         QDateTime::fromMSecsSinceEpoch(expires, Qt::UTC).toString(Qt::ISODate)}},
            -1};
}

bool FakeNamek::consumeNonce(const QString& nonce) {
    const auto it = m_nonces.find(nonce);
    if (it == m_nonces.end()) {
        return false;
    }
    const bool fresh = *it > nowMs();
    m_nonces.erase(it);
    return fresh;
}

FakeNamek::Answer FakeNamek::enroll(const QJsonObject& body) {
    const auto akParams = b64(body.value(QStringLiteral("ak_params")));
    if (!akParams || akParams->size() > 2048) {
        return error(400, QStringLiteral("invalid ak_params encoding"));
    }
    QString err;
    std::optional<namek::EkKey> ek;
    Pending pending;
    if (body.contains(QStringLiteral("ek_cert"))) {
        const auto der = b64(body.value(QStringLiteral("ek_cert")));
        if (!der) {
            return error(400, QStringLiteral("invalid ek_cert encoding"));
        }
        ek = namek::ekFromCertificate(*der, &err);
        pending.ekKind = QStringLiteral("ek_cert");
        if (!ek && err == QLatin1String("internal server error")) {
            return error(500, err);
        }
    } else if (body.contains(QStringLiteral("ek_pub"))) {
        const auto der = b64(body.value(QStringLiteral("ek_pub")));
        if (!der) {
            return error(400, QStringLiteral("invalid ek_pub encoding"));
        }
        ek = namek::ekFromPublicKey(*der, &err);
        pending.ekKind = QStringLiteral("ek_pub");
    } else {
        return error(400, QStringLiteral("either ek_cert or ek_pub is required"));
    }
    if (!ek) {
        return error(400, err);
    }
    const QString id = namek::deviceIdFor(ek->fingerprintHex);
    if (m_devices.contains(id) && m_devices.value(id).status != QLatin1String("active")) {
        return error(409, QStringLiteral("device already enrolled"));
    }
    for (auto it = m_pending.begin(); it != m_pending.end();) { // a new phase 1 cancels the old
        it = it->fingerprint == ek->fingerprintHex ? m_pending.erase(it) : std::next(it);
    }
    pending.akParams = *akParams;
    pending.secret = randomBytes(32);
    pending.fingerprint = ek->fingerprintHex;
    pending.expiresMs = nowMs() + 300000;
    const QByteArray cred =
        namek::makeCredential(*ek, namek::akName(*akParams), pending.secret, &err);
    if (cred.isEmpty()) {
        return error(500, QStringLiteral("internal server error"));
    }
    const QString nonceHex = QString::fromLatin1(randomBytes(32).toHex());
    m_pending.insert(nonceHex, pending);
    return {200,
            QJsonObject{{QStringLiteral("nonce"), nonceHex},
                        {QStringLiteral("enc_credential"), QString::fromLatin1(cred.toBase64())}},
            -1};
}

FakeNamek::Answer FakeNamek::attest(const QJsonObject& body) {
    const QString nonceHex = body.value(QStringLiteral("nonce")).toString();
    const auto it = m_pending.find(nonceHex);
    if (it == m_pending.end() || it->expiresMs < nowMs()) {
        return error(400, QStringLiteral("enrollment expired or not found"));
    }
    const Pending pending = *it;
    m_pending.erase(it); // consumed by the first attempt, successful or not
    const auto secret = b64(body.value(QStringLiteral("secret")));
    if (!secret) {
        return error(400, QStringLiteral("invalid secret encoding"));
    }
    if (secret->size() != pending.secret.size() ||
        CRYPTO_memcmp(secret->constData(), pending.secret.constData(),
                      size_t(pending.secret.size())) != 0) {
        return error(401, QStringLiteral("credential verification failed"));
    }
    const auto quote = b64(body.value(QStringLiteral("quote")));
    QString err;
    if (!quote || !namek::verifyQuote(pending.akParams, QByteArray::fromHex(nonceHex.toLatin1()),
                                      *quote, &err)) {
        return error(401, QStringLiteral("quote verification failed"));
    }
    const QString id = namek::deviceIdFor(pending.fingerprint);
    const bool known = m_devices.contains(id);
    if (known && m_devices.value(id).status != QLatin1String("active")) {
        return error(409, QStringLiteral("device already enrolled"));
    }
    Device& d = m_devices[id];
    d.id = id;
    d.fingerprint = pending.fingerprint;
    d.hostname = namek::slugFor(pending.fingerprint) + QLatin1Char('.') + baseDomain();
    d.akParams = pending.akParams;                  // a re-enrollment replaces the AK
    d.identityClass = QStringLiteral("unverified"); // no trusted EK CA configured
    m_lastEkKind = pending.ekKind;
    ++m_enrollments;
    QJsonObject out{
        {QStringLiteral("device_id"), id},
        {QStringLiteral("hostname"), d.hostname},
        {QStringLiteral("identity_class"), d.identityClass},
        {QStringLiteral("trust_level"), QStringLiteral("low")},
        {QStringLiteral("nexus_endpoints"), QJsonArray::fromStringList(nexusEndpoints())}};
    if (known) {
        ++m_reenrollments;
        out.insert(QStringLiteral("reenrolled"), true);
    }
    return {known ? 200 : 201, out, -1};
}

std::optional<FakeNamek::Answer> FakeNamek::authenticate(const Request& req, Device** device) {
    const QString id = QString::fromLatin1(req.headers.value("x-device-id"));
    const QString nonce = QString::fromLatin1(req.headers.value("x-nonce"));
    const QByteArray quoteText = req.headers.value("x-tpm-quote");
    if (id.isEmpty() || nonce.isEmpty() || quoteText.isEmpty()) {
        return error(401, QStringLiteral("missing authentication headers"));
    }
    if (QUuid::fromString(id).isNull()) {
        return error(401, QStringLiteral("invalid device id"));
    }
    if (!consumeNonce(nonce)) { // consumed before any further check
        return error(401, QStringLiteral("invalid or expired nonce"));
    }
    auto it = m_devices.find(id);
    if (it == m_devices.end()) {
        return error(401, QStringLiteral("device not found"));
    }
    if (it->status != QLatin1String("active")) {
        return error(403, QStringLiteral("device is %1").arg(it->status));
    }
    const auto nonceBytes = QByteArray::fromBase64Encoding(
        nonce.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const auto wire =
        QByteArray::fromBase64Encoding(quoteText, QByteArray::AbortOnBase64DecodingErrors);
    QString err;
    if (quoteText.size() > 8192 || !wire ||
        !namek::verifyQuote(it->akParams, *nonceBytes, *wire, &err)) {
        return error(401, QStringLiteral("tpm quote verification failed"));
    }
    *device = &*it;
    return std::nullopt;
}

FakeNamek::Answer FakeNamek::token(const Device& device, const QJsonObject& body) {
    const QJsonValue stageValue = body.value(QStringLiteral("stage"));
    const int stage = stageValue.toInt(-1);
    if (!stageValue.isDouble() || stage < 0 || stage > 2) {
        return error(400, QStringLiteral("invalid request body"));
    }
    const QString sessionNonce = body.value(QStringLiteral("session_nonce")).toString();
    if (stage > 0 && sessionNonce.isEmpty()) {
        return error(400, QStringLiteral("session_nonce required for stage 1 and 2"));
    }
    const qint64 iat = nowMs() / 1000;
    const QJsonObject claims{
        {QStringLiteral("iss"), QStringLiteral("authorizer")},
        {QStringLiteral("sub"), device.id},
        {QStringLiteral("aud"), QJsonArray{QStringLiteral("nexus")}},
        {QStringLiteral("iat"), iat},
        {QStringLiteral("exp"), iat + 30},
        {QStringLiteral("hostnames"),
         QJsonArray{device.hostname, QStringLiteral("*.") + device.hostname}},
        {QStringLiteral("tcp_ports"), QJsonArray{}},
        {QStringLiteral("udp_routes"), QJsonArray{}},
        {QStringLiteral("weight"), 1},
        {QStringLiteral("session_nonce"), stage == 0 ? QString() : sessionNonce},
        {QStringLiteral("handshake_max_age_seconds"),
         stage == 0 ? QJsonValue(60) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("reauth_interval_seconds"), 300},
        {QStringLiteral("reauth_grace_seconds"), 30},
        {QStringLiteral("maintenance_grace_cap_seconds"), 600},
        {QStringLiteral("authorizer_status_uri"),
         QStringLiteral("https://127.0.0.1:%1/health").arg(serverPort())},
        {QStringLiteral("policy_version"), QString()},
        {QStringLiteral("issued_at_quote"), QString()}};
    ++m_tokensIssued;
    return {200,
            QJsonObject{
                {QStringLiteral("token"), QString::fromLatin1(TestTokens::mint(m_secret, claims))}},
            -1};
}

FakeNamek::Answer FakeNamek::me(const Device& device) const {
    return {200,
            QJsonObject{
                {QStringLiteral("device_id"), device.id},
                {QStringLiteral("hostname"), device.hostname},
                {QStringLiteral("custom_hostname"), QJsonValue(QJsonValue::Null)},
                {QStringLiteral("alias_domains"), QJsonArray{}},
                {QStringLiteral("status"), device.status},
                {QStringLiteral("identity_class"), device.identityClass},
                {QStringLiteral("trust_level"), QStringLiteral("low")},
                {QStringLiteral("account_id"), QJsonValue(QJsonValue::Null)},
                {QStringLiteral("recovery_status"), QStringLiteral("none")},
                {QStringLiteral("nexus_endpoints"), QJsonArray::fromStringList(nexusEndpoints())}},
            -1};
}

} // namespace nexustray::test
