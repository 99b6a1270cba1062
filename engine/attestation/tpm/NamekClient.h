// HTTP client of namek (tpm-namek.md §2): HTTPS only, JSON bodies, the device-authentication
// headers of §2.2, an optional CA file trusted in addition to the system store. Answers are
// reduced to status + JSON + namek's error text + Retry-After; nothing here logs request or
// answer bodies (they carry nonces, quotes, secrets and tokens).
#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace nexustray::attestation::tpm {

struct NamekReply {
    int status = 0;             // HTTP status; 0 = no answer (network error, timeout)
    QJsonObject json;           // the body when it is a JSON object
    QString error;              // namek's "error" text, or the network error
    int retryAfterSeconds = -1; // Retry-After (integer seconds) when present
    bool ok() const { return status >= 200 && status < 300; }
};

struct DeviceAuth {
    QString deviceId;
    QString nonce;       // exactly as received from GET /api/v1/nonce
    QByteArray quoteB64; // b64 (with padding) of the quote wire format
};

class NamekClient : public QObject {
    Q_OBJECT
public:
    // `caFile` may be empty. Check error() after construction.
    NamekClient(const QUrl& baseUrl, const QString& caFile, QObject* parent = nullptr);

    QString error() const { return m_error; }
    QUrl baseUrl() const { return m_base; }
    // Inactivity limit of one request (QNetworkRequest::setTransferTimeout).
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    using Done = std::function<void(const NamekReply&)>;
    void get(const QString& path, const DeviceAuth* auth, Done done);
    void post(const QString& path, const QJsonObject& body, const DeviceAuth* auth, Done done);

private:
    QNetworkRequest request(const QString& path, const DeviceAuth* auth) const;
    void finish(QNetworkReply* reply, Done done);

    QUrl m_base;
    QString m_error;
    QList<QSslCertificate> m_extraCas;
    int m_timeoutMs = 10000;
    QNetworkAccessManager* m_nam;
};

} // namespace nexustray::attestation::tpm
