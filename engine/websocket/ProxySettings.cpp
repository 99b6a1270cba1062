#include "websocket/ProxySettings.h"

#include <QHostAddress>
#include <QStringList>

namespace nexustray::proxy {

namespace {
QString env(const char* lower, const char* upper) {
    const QString value = qEnvironmentVariable(lower);
    return value.isEmpty() ? qEnvironmentVariable(upper) : value;
}

// An entry's host and port: "host", "host:port", "[v6]:port", "v6", "v4/24".
void splitEntry(const QString& entry, QString* host, int* port) {
    *port = -1;
    *host = entry;
    if (entry.startsWith(QLatin1Char('['))) {
        const qsizetype close = entry.indexOf(QLatin1Char(']'));
        if (close < 0)
            return;
        *host = entry.mid(1, close - 1);
        if (entry.mid(close + 1).startsWith(QLatin1Char(':')))
            *port = entry.mid(close + 2).toInt();
        return;
    }
    if (entry.count(QLatin1Char(':')) == 1) { // more than one: a bare IPv6 literal or range
        const qsizetype colon = entry.indexOf(QLatin1Char(':'));
        *host = entry.left(colon);
        *port = entry.mid(colon + 1).toInt();
    }
}

bool entryMatches(QString entry, const QString& host, const QHostAddress& hostIp, int port) {
    QString entryHost;
    int entryPort = -1;
    splitEntry(entry, &entryHost, &entryPort);
    if (entryPort != -1 && entryPort != port)
        return false;
    if (entryHost.contains(QLatin1Char('/'))) {
        const QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(entryHost);
        return !hostIp.isNull() && subnet.second >= 0 && hostIp.isInSubnet(subnet);
    }
    const QHostAddress entryIp(entryHost);
    if (!entryIp.isNull())
        return !hostIp.isNull() && entryIp.isEqual(hostIp, QHostAddress::TolerantConversion);
    if (entryHost.startsWith(QLatin1String("*.")))
        entryHost.remove(0, 1);
    if (entryHost.startsWith(QLatin1Char('.')))
        entryHost.remove(0, 1);
    if (entryHost.isEmpty())
        return false;
    return host == entryHost || host.endsWith(QLatin1Char('.') + entryHost);
}
} // namespace

Environment Environment::fromProcess() {
    return {env("https_proxy", "HTTPS_PROXY"), env("all_proxy", "ALL_PROXY"),
            env("no_proxy", "NO_PROXY")};
}

QNetworkProxy parseProxyUrl(const QString& text, QString* error) {
    const QString trimmed = text.trimmed();
    // "host:port" without a scheme is an http proxy (curl, Go).
    const QUrl url(trimmed.contains(QLatin1String("://")) ? trimmed
                                                          : QStringLiteral("http://") + trimmed,
                   QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty()) {
        *error = QStringLiteral("malformed proxy URL \"%1\"").arg(trimmed);
        return QNetworkProxy(QNetworkProxy::NoProxy);
    }
    if (scheme != QLatin1String("http")) {
        *error = QStringLiteral("proxy URL \"%1\": scheme %2 is not supported (http:// only, the "
                                "proxy must speak HTTP CONNECT)")
                     .arg(trimmed, scheme);
        return QNetworkProxy(QNetworkProxy::NoProxy);
    }
    if (url.hasQuery() || url.hasFragment() ||
        (!url.path().isEmpty() && url.path() != QLatin1String("/"))) {
        *error = QStringLiteral("proxy URL \"%1\" has a path or query (http://host:port only)")
                     .arg(trimmed);
        return QNetworkProxy(QNetworkProxy::NoProxy);
    }
    QNetworkProxy proxy(QNetworkProxy::HttpProxy, url.host(), quint16(url.port(80)),
                        url.userName(QUrl::FullyDecoded), url.password(QUrl::FullyDecoded));
    return proxy;
}

bool isLoopbackHost(const QString& host) {
    const QString h = host.toLower();
    if (h == QLatin1String("localhost") || h.endsWith(QLatin1String(".localhost")))
        return true;
    const QHostAddress ip(h);
    return !ip.isNull() && ip.isLoopback();
}

bool noProxyMatches(const QString& noProxy, const QString& host, int port) {
    QString h = host.toLower();
    if (h.endsWith(QLatin1Char('.')))
        h.chop(1); // "example.com." is example.com
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    const QHostAddress hostIp(h);
    const QStringList entries = noProxy.toLower().split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString& raw : entries) {
        const QString entry = raw.trimmed();
        if (entry == QLatin1String("*"))
            return true;
        if (!entry.isEmpty() && entryMatches(entry, h, hostIp, port))
            return true;
    }
    return false;
}

Route routeFor(const QUrl& relay, const QString& backendProxy, const Environment& env) {
    Route route;
    const QString host = relay.host();
    if (isLoopbackHost(host))
        return route;
    const QString setting = backendProxy.trimmed();
    if (setting.compare(QLatin1String(kNone), Qt::CaseInsensitive) == 0)
        return route;
    const bool tls = relay.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0;
    QString url = setting;
    if (url.isEmpty()) {
        url = env.httpsProxy.isEmpty() ? env.allProxy : env.httpsProxy;
        if (url.trimmed().isEmpty() ||
            noProxyMatches(env.noProxy, host, relay.port(tls ? 443 : 80)))
            return route;
    }
    QString error;
    const QNetworkProxy proxy = parseProxyUrl(url, &error);
    if (!error.isEmpty()) {
        route.error = setting.isEmpty() ? error + QStringLiteral(" (from HTTPS_PROXY/ALL_PROXY)")
                                        : error + QStringLiteral(" (backend key proxy)");
        return route;
    }
    route.proxy = proxy;
    return route;
}

QHostAddress relayAddress(const QUrl& relay, const QNetworkProxy& proxy,
                          const QHostAddress& socketPeer) {
    if (proxy.type() == QNetworkProxy::NoProxy) {
        bool v4 = false; // a dual-stack socket may report an IPv4 peer IPv4-mapped
        const quint32 ip = socketPeer.toIPv4Address(&v4);
        return v4 ? QHostAddress(ip) : socketPeer;
    }
    QHostAddress literal(relay.host()); // QUrl's host of an IPv6 URL has no brackets
    literal.setScopeId(QString());
    return literal; // null for a name
}

QString describe(const QNetworkProxy& proxy) {
    const QString host = proxy.hostName();
    return (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host) +
           QLatin1Char(':') + QString::number(proxy.port());
}

} // namespace nexustray::proxy
