// The scraper of `nexus-bench --only metrics`: GET http://ADDR/metrics at a fixed interval on the
// driver's event loop, like a Prometheus server would, counting scrapes, failures and bytes.
#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

namespace bench {

class MetricsScraper : public QObject {
public:
    MetricsScraper(const QString& address, int intervalMs);

    void start();
    void stop();
    // One GET now (start() repeats it every interval).
    void scrape();
    quint64 scrapes() const { return m_scrapes; }
    quint64 failures() const { return m_failures; }
    quint64 bytes() const { return m_bytes; }

private:
    QString m_url;
    QNetworkAccessManager m_nam;
    QTimer m_timer;
    quint64 m_scrapes = 0;
    quint64 m_failures = 0;
    quint64 m_bytes = 0;
};

} // namespace bench
