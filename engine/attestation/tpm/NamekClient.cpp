#include "NamekClient.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>

namespace nexustray::attestation::tpm {

NamekClient::NamekClient(const QUrl& baseUrl, const QString& caFile, QObject* parent)
    : QObject(parent)
    , m_base(baseUrl)
    , m_nam(new QNetworkAccessManager(this)) {
    if (m_base.scheme() != QLatin1String("https") || m_base.host().isEmpty()) {
        m_error = QStringLiteral("the namek URL must be https://");
    }
    if (!caFile.isEmpty()) {
        m_extraCas = QSslCertificate::fromPath(caFile, QSsl::Pem);
        if (m_extraCas.isEmpty()) {
            m_error = QStringLiteral("cannot read a PEM certificate from %1").arg(caFile);
        }
    }
}

QNetworkRequest NamekClient::request(const QString& path, const DeviceAuth* auth) const {
    QUrl url = m_base;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/'))) {
        base.chop(1);
    }
    url.setPath(base + path);
    QNetworkRequest req(url);
    req.setTransferTimeout(m_timeoutMs);
    req.setRawHeader("Accept", "application/json");
    if (!m_extraCas.isEmpty()) {
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        conf.addCaCertificates(m_extraCas);
        req.setSslConfiguration(conf);
    }
    if (auth) {
        req.setRawHeader("X-Device-ID", auth->deviceId.toLatin1());
        req.setRawHeader("X-Nonce", auth->nonce.toLatin1());
        req.setRawHeader("X-TPM-Quote", auth->quoteB64);
    }
    return req;
}

void NamekClient::get(const QString& path, const DeviceAuth* auth, Done done) {
    finish(m_nam->get(request(path, auth)), std::move(done));
}

void NamekClient::post(const QString& path, const QJsonObject& body, const DeviceAuth* auth,
                       Done done) {
    QNetworkRequest req = request(path, auth);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    finish(m_nam->post(req, QJsonDocument(body).toJson(QJsonDocument::Compact)), std::move(done));
}

void NamekClient::finish(QNetworkReply* reply, Done done) {
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
        reply->deleteLater();
        NamekReply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        r.json = QJsonDocument::fromJson(body).object();
        if (r.status == 0) {
            r.error = reply->error() == QNetworkReply::OperationCanceledError
                          ? QStringLiteral("namek did not answer in time")
                          : reply->errorString();
        } else if (!r.ok()) {
            r.error = r.json.value(QLatin1String("error")).toString();
            if (r.error.isEmpty()) {
                r.error = QStringLiteral("HTTP %1").arg(r.status);
            }
        }
        bool isInt = false;
        const int retryAfter = reply->rawHeader("Retry-After").trimmed().toInt(&isInt);
        if (isInt && retryAfter >= 0) {
            r.retryAfterSeconds = retryAfter;
        }
        done(r);
    });
}

} // namespace nexustray::attestation::tpm
