// Hostname normalisation, validity and wildcard matching (config.md §4, §9).
#include <QTest>

#include "config/Hostname.h"

using namespace nexustray;

class TestHostname : public QObject {
    Q_OBJECT

private slots:
    void normalize_data();
    void normalize();
    void normalizePattern_data();
    void normalizePattern();
    void idnaErrors_data();
    void idnaErrors();
    void validity_data();
    void validity();
    void routeKeys_data();
    void routeKeys();
    void wildcardMatches_data();
    void wildcardMatches();
    void loopbackHosts_data();
    void loopbackHosts();
};

void TestHostname::normalize_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    // Every row of the verified-results table of config.md §4 (hostnames / whole-name form).
    QTest::newRow("upper case + trailing dot") << "Example.COM."
                                               << "example.com";
    QTest::newRow("surrounding blanks") << "  app.example.com "
                                        << "app.example.com";
    QTest::newRow("umlaut") << "Bücher.example"
                            << "xn--bcher-kva.example";
    QTest::newRow("upper umlaut") << "BÜCHER.Example"
                                  << "xn--bcher-kva.example";
    QTest::newRow("sharp s non-transitional") << "straße.de"
                                              << "xn--strae-oqa.de";
    QTest::newRow("full-width") << "ＡＰＰ.example.com"
                                << "app.example.com";
    QTest::newRow("punycode kept") << "xn--bcher-kva.example"
                                   << "xn--bcher-kva.example";
    QTest::newRow("wildcard fallback") << "*.preview.example.com"
                                       << "*.preview.example.com";
    QTest::newRow("wildcard idn fallback") << "*.Bücher.example"
                                           << "*.bücher.example";
    QTest::newRow("underscore fallback") << "foo_bar.Example.com"
                                         << "foo_bar.example.com";
    QTest::newRow("leading hyphen") << "-bad.example.com"
                                    << "-bad.example.com";
    QTest::newRow("empty label") << "a..b"
                                 << "a..b";
    QTest::newRow("one dot removed") << "example.com.."
                                     << "example.com.";
    QTest::newRow("port fallback") << "app.example.com:443"
                                   << "app.example.com:443";
    QTest::newRow("route key") << "tcp:53"
                               << "tcp:53";
    QTest::newRow("dot") << "."
                         << "";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("blanks") << "  "
                            << "";
    // Beyond the table: the fallback keeps the whole string, lowercased.
    QTest::newRow("idn with underscore") << "Bü_x.de"
                                         << "bü_x.de";
    QTest::newRow("idn leading hyphen") << "-ü.de"
                                        << "-ü.de";
    QTest::newRow("idn hyphens 3-4") << "ab--ü.de"
                                     << "ab--ü.de";
    QTest::newRow("ascii label with hyphens 3-4 in idn name") << "ab--c.bücher.de"
                                                              << "ab--c.bücher.de";
    QTest::newRow("full-width dots") << "ＡＰＰ．example．com"
                                     << "app.example.com";
    QTest::newRow("idn empty label") << "a..bücher"
                                     << "a..xn--bcher-kva";
    QTest::newRow("idn trailing double dot") << "bücher.de.."
                                             << "xn--bcher-kva.de.";
    QTest::newRow("compatibility mapping") << "Ⅸ.de"
                                           << "ix.de";
    QTest::newRow("tab and newline trimmed") << "\tExample.com\n"
                                             << "example.com";
    QTest::newRow("inner blank") << "a b.de"
                                 << "a b.de";
}

void TestHostname::normalize() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(hostname::normalize(input), expected);
}

void TestHostname::normalizePattern_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("wildcard idn (hosts pattern)") << "*.Bücher.example"
                                                  << "*.xn--bcher-kva.example";
    QTest::newRow("wildcard ascii") << "*.Preview.Example.com."
                                    << "*.preview.example.com";
    QTest::newRow("wildcard blanks") << "  *.example.com  "
                                     << "*.example.com";
    QTest::newRow("wildcard alone") << "*."
                                    << "";
    QTest::newRow("wildcard dot") << "*.."
                                  << "";
    QTest::newRow("exact") << "API.example.com"
                           << "api.example.com";
    QTest::newRow("exact idn") << "straße.de"
                               << "xn--strae-oqa.de";
    QTest::newRow("blank") << "   "
                           << "";
    QTest::newRow("star only") << "*"
                               << "*";
}

void TestHostname::normalizePattern() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(hostname::normalizePattern(input), expected);
}

void TestHostname::idnaErrors_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("fails");
    QTest::newRow("plain") << "example.com" << false;
    QTest::newRow("idn") << "bücher.example" << false;
    QTest::newRow("star") << "*.example.com" << true;
    QTest::newRow("underscore (STD3)") << "foo_bar.example.com" << true;
    QTest::newRow("colon") << "a.com:443" << true;
    QTest::newRow("leading hyphen") << "-a.com" << true;
    QTest::newRow("trailing hyphen") << "a-.com" << true;
    QTest::newRow("hyphens 3-4") << "ab--c.com" << true;
    QTest::newRow("full-width low line maps to _") << "\uFF3Fü.de" << true;
    QTest::newRow("only dots") << ".." << true;
}

void TestHostname::idnaErrors() {
    QFETCH(QString, input);
    QFETCH(bool, fails);
    QCOMPARE(!hostname::idnaToAscii(input).has_value(), fails);
}

void TestHostname::validity_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    const QString label63(63, u'a');
    QTest::newRow("simple") << "app.example.com" << true;
    QTest::newRow("single label") << "localhost" << true;
    QTest::newRow("punycode") << "xn--bcher-kva.example" << true;
    QTest::newRow("digits and hyphen") << "a-1.b2.c" << true;
    QTest::newRow("label 63") << label63 + ".com" << true;
    QTest::newRow("label 64") << label63 + "a.com" << false;
    QTest::newRow("total 253") << QStringList(5, QString(49, u'a')).join(u'.') + ".abc" << true;
    QTest::newRow("total 254") << QStringList(5, QString(49, u'a')).join(u'.') + ".abcd" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("empty label") << "a..b" << false;
    QTest::newRow("trailing dot") << "example.com." << false;
    QTest::newRow("underscore") << "foo_bar.example.com" << false;
    QTest::newRow("colon") << "app.example.com:443" << false;
    QTest::newRow("space") << "a b.com" << false;
    QTest::newRow("leading hyphen") << "-bad.example.com" << false;
    QTest::newRow("trailing hyphen") << "bad-.example.com" << false;
    QTest::newRow("non-ascii") << "bücher.example" << false;
    QTest::newRow("upper case (not normalised)") << "Example.com" << false;
    QTest::newRow("wildcard two labels") << "*.example.com" << true;
    QTest::newRow("wildcard three labels") << "*.preview.example.com" << true;
    QTest::newRow("wildcard one label") << "*.com" << false;
    QTest::newRow("wildcard nothing") << "*." << false;
    QTest::newRow("star alone") << "*" << false;
    QTest::newRow("double wildcard") << "*.*.example.com" << false;
    QTest::newRow("inner star") << "a.*.example.com" << false;
    QTest::newRow("wildcard idn fallback") << "*.bücher.example" << false;
    QTest::newRow("route key") << "tcp:53" << false;
}

void TestHostname::validity() {
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(hostname::isValidHostname(name), valid);
}

void TestHostname::routeKeys_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("routeKey");
    QTest::addColumn<bool>("prefix");
    QTest::newRow("tcp") << "tcp:53" << true << true;
    QTest::newRow("udp") << "udp:5353" << true << true;
    QTest::newRow("no number") << "tcp:" << false << true;
    QTest::newRow("not a number") << "udp:x" << false << true;
    QTest::newRow("upper") << "TCP:53" << false << false;
    QTest::newRow("hostname") << "tcp.example.com" << false << false;
}

void TestHostname::routeKeys() {
    QFETCH(QString, name);
    QFETCH(bool, routeKey);
    QFETCH(bool, prefix);
    QCOMPARE(hostname::isRouteKey(name), routeKey);
    QCOMPARE(hostname::hasRouteKeyPrefix(name), prefix);
}

void TestHostname::wildcardMatches_data() {
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("matches");
    QTest::newRow("one label") << "*.example.com"
                               << "foo.example.com" << true;
    QTest::newRow("apex") << "*.example.com"
                          << "example.com" << false;
    QTest::newRow("two labels") << "*.example.com"
                                << "foo.bar.example.com" << false;
    QTest::newRow("empty label") << "*.example.com"
                                 << ".example.com" << false;
    QTest::newRow("other suffix") << "*.example.com"
                                  << "foo.example.org" << false;
    QTest::newRow("suffix glued") << "*.example.com"
                                  << "fooexample.com" << false;
    QTest::newRow("client accepts *.com") << "*.com"
                                          << "foo.com" << true;
    QTest::newRow("not a wildcard") << "example.com"
                                    << "example.com" << false;
    QTest::newRow("bare *.") << "*."
                             << "foo." << false;
}

void TestHostname::wildcardMatches() {
    QFETCH(QString, pattern);
    QFETCH(QString, host);
    QFETCH(bool, matches);
    QCOMPARE(hostname::wildcardMatches(pattern, host), matches);
    QCOMPARE(hostname::isWildcard(pattern), pattern.startsWith(QLatin1String("*.")));
}

// Where ws:// needs no tls.allowInsecure (loader warning, session refusal).
void TestHostname::loopbackHosts_data() {
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("loopback");
    QTest::newRow("localhost") << "localhost" << true;
    QTest::newRow("LOCALHOST") << "LOCALHOST" << true;
    QTest::newRow("sub.localhost") << "hub.localhost" << true;
    QTest::newRow("127.0.0.1") << "127.0.0.1" << true;
    QTest::newRow("127.1.2.3") << "127.1.2.3" << true;
    QTest::newRow("::1") << "::1" << true;
    QTest::newRow("public name") << "hub.example.com" << false;
    QTest::newRow("localhost.example") << "localhost.example.com" << false;
    QTest::newRow("10.0.0.1") << "10.0.0.1" << false;
    QTest::newRow("empty") << "" << false;
}

void TestHostname::loopbackHosts() {
    QFETCH(QString, host);
    QFETCH(bool, loopback);
    QCOMPARE(hostname::isLoopbackHost(host), loopback);
}

QTEST_GUILESS_MAIN(TestHostname)
#include "tst_hostname.moc"
