// Which HTTP CONNECT proxy, if any, a relay dial goes through: the per-backend `proxy:` key, else
// HTTPS_PROXY / ALL_PROXY with NO_PROXY as curl and Go read them. Loopback relays are never
// proxied. The result is a QNetworkProxy for WebSocketClient (Qt's HttpProxy does the CONNECT,
// Basic auth and leaves name resolution to the proxy); this file only decides and parses.
#pragma once

#include <QHostAddress>
#include <QNetworkProxy>
#include <QString>
#include <QUrl>

namespace nexustray::proxy {

// The proxy variables of the environment (injectable for tests). Lower case wins over upper
// case, as curl and Go read them.
struct Environment {
    QString httpsProxy; // HTTPS_PROXY / https_proxy
    QString allProxy;   // ALL_PROXY / all_proxy: used when httpsProxy is empty
    QString noProxy;    // NO_PROXY / no_proxy
    static Environment fromProcess();
};

// `proxy: none` in a backend: direct even when the environment names a proxy.
inline constexpr char kNone[] = "none";

// `http://[user:pass@]host[:port]` (or `host:port`; port 80 when absent, as Go). Credentials are
// percent-decoded. On failure returns a NoProxy proxy and sets *error.
QNetworkProxy parseProxyUrl(const QString& url, QString* error);

// True when NO_PROXY (comma-separated) exempts host:port: `*`; a domain with or without a leading
// dot matches itself and its subdomains; IP literals and CIDR ranges (IPv4, IPv6) match IP hosts;
// an entry's `:port` must equal the port. Case-insensitive.
bool noProxyMatches(const QString& noProxy, const QString& host, int port);

// 127.0.0.0/8, ::1, localhost: never proxied.
bool isLoopbackHost(const QString& host);

struct Route {
    QNetworkProxy proxy{QNetworkProxy::NoProxy}; // NoProxy: dial directly
    QString error;                               // a malformed proxy URL (the dial does not happen)
};

// The route of a dial to `relay`: `backendProxy` is the backend's `proxy:` value (empty: use the
// environment; "none": direct; else a proxy URL).
Route routeFor(const QUrl& relay, const QString& backendProxy, const Environment& env);

// The relay's address for PROXY protocol headers (issue 15): the WebSocket's peer when dialled
// directly; through a proxy the peer is the proxy, so the relay URL's host if it is an IP literal,
// else null (unknown: the proxy resolved the name).
QHostAddress relayAddress(const QUrl& relay, const QNetworkProxy& proxy,
                          const QHostAddress& socketPeer);

// "127.0.0.1:3128", for messages.
QString describe(const QNetworkProxy& proxy);

} // namespace nexustray::proxy
