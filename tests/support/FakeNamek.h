// An honest fake of namek (tpm-namek.md §2, §7) over HTTPS on 127.0.0.1: single-use nonces with
// expiry (consumed before any check), two-phase enrollment with a real MakeCredential and a
// constant-time secret check, §3.5 quote verification, §2.7 identities, HS256 tokens with the §2.3
// claims signed with a secret shared with the hub emulator, GET /api/v1/devices/me, GET /health,
// and fault injection for every §2.8 case. Minimal HTTP/1.1 with keep-alive, one request at a time.
#pragma once

#include "TestCa.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>

#include <optional>

namespace nexustray::test {

class FakeNamek : public QTcpServer {
    Q_OBJECT
public:
    FakeNamek(const TestCa& ca, QByteArray tokenSecret, QObject* parent = nullptr);

    bool start(); // listens on 127.0.0.1, any port
    QUrl url() const;

    // The next `times` requests to `path` (e.g. "/api/v1/tokens/nexus") answer `status` with
    // {"error": text} (and Retry-After when retryAfter >= 0); a presented X-Nonce is consumed
    // first, as namek does. times < 0: every request.
    void injectFault(const QString& path, int status, const QString& text, int times = 1,
                     int retryAfter = -1);
    // The next `times` answers to `path` are delayed by `ms`.
    void delayAnswers(const QString& path, int ms, int times = 1);
    // Lose every device (a namek database reset): authenticated calls then answer 401 device not
    // found.
    void forgetDevices() { m_devices.clear(); }
    void setDeviceStatus(const QString& deviceId, const QString& status);
    void setNonceLifetimeMs(qint64 ms) { m_nonceLifetimeMs = ms; }

    // Observations.
    int enrollments() const { return m_enrollments; } // successful phase 2
    int reenrollments() const { return m_reenrollments; }
    QString lastEkKind() const { return m_lastEkKind; } // "ek_cert" or "ek_pub"
    int tokensIssued() const { return m_tokensIssued; }
    int requests(const QString& path) const { return m_requests.value(path); }
    QByteArray tokenSecret() const { return m_secret; }
    QString baseDomain() const { return QStringLiteral("devices.namek.test"); }
    QStringList nexusEndpoints() const { return m_nexusEndpoints; }
    void setNexusEndpoints(const QStringList& urls) { m_nexusEndpoints = urls; }

protected:
    void incomingConnection(qintptr fd) override;

private:
    struct Request {
        QByteArray method;
        QString path;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };
    struct Answer {
        int status = 200;
        QJsonObject body;
        int retryAfter = -1;
    };
    struct Fault {
        int status;
        QString text;
        int times;
        int retryAfter;
    };
    struct Device {
        QString id;
        QString hostname;
        QString fingerprint;
        QByteArray akParams;
        QString status = QStringLiteral("active");
        QString identityClass;
    };
    struct Pending {
        QByteArray akParams;
        QByteArray secret;
        QString fingerprint;
        QString ekKind;
        qint64 expiresMs = 0;
    };

    Answer handle(const Request& req);
    Answer nonce();
    Answer enroll(const QJsonObject& body);
    Answer attest(const QJsonObject& body);
    Answer token(const Device& device, const QJsonObject& body);
    Answer me(const Device& device) const;
    // §2.2 checks in namek's order; on success *device is the caller.
    std::optional<Answer> authenticate(const Request& req, Device** device);
    bool consumeNonce(const QString& nonce);
    static Answer error(int status, const QString& text, int retryAfter = -1);

    TestCa const& m_ca;
    QByteArray m_secret;
    QHash<QString, qint64> m_nonces;   // nonce -> expiry (ms since epoch)
    QHash<QString, Pending> m_pending; // hex nonce -> pending enrollment
    QHash<QString, Device> m_devices;  // device id -> device
    QHash<QString, QList<Fault>> m_faults;
    QHash<QString, QPair<int, int>> m_delays; // path -> (ms, times)
    QHash<QString, int> m_requests;
    qint64 m_nonceLifetimeMs = 60000;
    int m_enrollments = 0;
    int m_reenrollments = 0;
    int m_tokensIssued = 0;
    QString m_lastEkKind;
    QStringList m_nexusEndpoints{QStringLiteral("wss://127.0.0.1:1/connect")};
};

} // namespace nexustray::test
