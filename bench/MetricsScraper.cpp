#include "MetricsScraper.h"

#include <QNetworkProxy>
#include <QNetworkReply>

namespace bench {

MetricsScraper::MetricsScraper(const QString& address, int intervalMs)
    : m_url(QStringLiteral("http://%1/metrics").arg(address)) {
    m_nam.setProxy(QNetworkProxy::NoProxy);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &MetricsScraper::scrape);
}

void MetricsScraper::start() {
    scrape(); // at once, then every interval
    m_timer.start();
}

void MetricsScraper::stop() {
    m_timer.stop();
}

void MetricsScraper::scrape() {
    QNetworkReply* reply = m_nam.get(QNetworkRequest(QUrl(m_url)));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const QByteArray body = reply->readAll();
        if (reply->error() != QNetworkReply::NoError || !body.contains("nexustray_build_info")) {
            ++m_failures;
            return;
        }
        ++m_scrapes;
        m_bytes += quint64(body.size());
    });
}

} // namespace bench
