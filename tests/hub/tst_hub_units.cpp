// Pure parts of the hub emulator: token validation (attestation.md §3, worked examples §4) and
// prelude sniffing (TLS ClientHello SNI, HTTP Host), including input arriving in pieces.
#include <QtTest>

#include "TestTokens.h"
#include "hub/JwtValidator.h"
#include "hub/PreludeSniffer.h"

using namespace nexustray::hub;
using nexustray::test::TestTokens;

namespace {
constexpr qint64 kSigningTimeMs = 1767225600000LL; // 2026-01-01T00:00:00Z
const QByteArray kSecret = "test-secret";

const QByteArray kExampleA =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJob3N0bmFtZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3"
    "LmV4YW1wbGUuY29tIl0sIndlaWdodCI6Miwic2Vzc2lvbl9ub25jZSI6Im4wbmNlLTEyMyIsInJlYXV0aF9pbnRlcnZh"
    "bF9zZWNvbmRzIjo5MDAsInJlYXV0aF9ncmFjZV9zZWNvbmRzIjoxNSwiaXNzIjoiYXV0aG9yaXplciIsInN1YiI6ImVk"
    "Z2UtYXBwcyIsImF1ZCI6WyJuZXh1cyJdLCJleHAiOjE3NjcyMjU2MzAsImlhdCI6MTc2NzIyNTYwMH0.CpcLD7E7of_2D"
    "shLA_rTywt3-Mnkuyhm77GX9Ou7VsE";
const QByteArray kExampleD =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJob3N0bmFtZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3"
    "LmV4YW1wbGUuY29tIl0sInRjcF9wb3J0cyI6WzIyLDQ0M10sInVkcF9yb3V0ZXMiOlt7InBvcnQiOjUzLCJmbG93X2lk"
    "bGVfdGltZW91dF9zZWNvbmRzIjozMH0seyJwb3J0Ijo2N31dLCJ3ZWlnaHQiOjIsInNlc3Npb25fbm9uY2UiOiJuMG5j"
    "ZS0xMjMiLCJyZWF1dGhfaW50ZXJ2YWxfc2Vjb25kcyI6OTAwLCJyZWF1dGhfZ3JhY2Vfc2Vjb25kcyI6MTUsIm1haW50"
    "ZW5hbmNlX2dyYWNlX2NhcF9zZWNvbmRzIjo2MDAsImF1dGhvcml6ZXJfc3RhdHVzX3VyaSI6Imh0dHBzOi8vYXV0aC5l"
    "eGFtcGxlLmNvbS9zdGF0dXM_YT0xXHUwMDI2Yj1cdTAwM2MyXHUwMDNlIiwicG9saWN5X3ZlcnNpb24iOiJ2NyIsIm91"
    "dGJvdW5kX2FsbG93ZWQiOnRydWUsImFsbG93ZWRfb3V0Ym91bmRfcG9ydHMiOlsyNSw1ODddLCJpc3MiOiJhdXRob3Jp"
    "emVyIiwic3ViIjoiZWRnZS1hcHBzIiwiYXVkIjpbIm5leHVzIl0sImV4cCI6MTc2NzIyNTYzMCwiaWF0IjoxNzY3MjI1"
    "NjAwfQ.vulqRb1zZbpajz4cobqNMiPQi4FDvnE3Ok5VanenryA";
const QByteArray kExampleE =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsibmV4dXMiXSwiZXhwIjoxNzY3MjI1NjMwLCJob3N0bmFt"
    "ZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3LmV4YW1wbGUuY29tIl0sImlhdCI6MTc2NzIyNTYwMCwiaXNz"
    "IjoiYXV0aG9yaXplciIsInJlYXV0aF9ncmFjZV9zZWNvbmRzIjoxNSwicmVhdXRoX2ludGVydmFsX3NlY29uZHMiOjkw"
    "MCwic2Vzc2lvbl9ub25jZSI6Im4wbmNlLTEyMyIsInN1YiI6ImVkZ2UtYXBwcyIsIndlaWdodCI6Mn0.vcpDvf7rNvJX6"
    "KCOY_5vTnqjinv4u5IzFcpK5Qpcw_A";

QByteArray u16(int v) {
    return QByteArray(1, static_cast<char>(v >> 8)) + QByteArray(1, static_cast<char>(v & 0xff));
}

// A syntactically complete TLS 1.2-style ClientHello body with an optional SNI.
QByteArray clientHelloBody(const QByteArray& sni, int padding = 0) {
    QByteArray body;
    body += u16(0x0303);
    body += QByteArray(32, '\x11');
    body += '\x20' + QByteArray(32, '\x22');    // session id
    body += u16(4) + u16(0x1301) + u16(0x1302); // cipher suites
    body += '\x01';
    body += '\x00'; // compression: null
    QByteArray ext;
    ext += u16(0x000b) + u16(2) + QByteArray("\x01\x00", 2); // ec_point_formats
    if (!sni.isEmpty()) {
        QByteArray list = QByteArray(1, '\x00') + u16(sni.size()) + sni;
        ext += u16(0x0000) + u16(list.size() + 2) + u16(list.size()) + list;
    }
    if (padding > 0) {
        ext += u16(0x0015) + u16(padding) + QByteArray(padding, '\0');
    }
    body += u16(ext.size()) + ext;
    return body;
}

// Wraps a ClientHello body into handshake records of at most `recordSize` bytes.
QByteArray clientHelloRecords(const QByteArray& body, int recordSize = 16384) {
    QByteArray handshake = QByteArray(1, '\x01') +
                           QByteArray(1, static_cast<char>(body.size() >> 16)) +
                           u16(body.size() & 0xffff) + body;
    QByteArray out;
    for (qsizetype at = 0; at < handshake.size(); at += recordSize) {
        const QByteArray part = handshake.mid(at, recordSize);
        out += QByteArray("\x16\x03\x01", 3) + u16(part.size()) + part;
    }
    return out;
}
} // namespace

class TestHubUnits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void workedExamplesValidate_data() {
        QTest::addColumn<QByteArray>("token");
        QTest::newRow("A") << kExampleA;
        QTest::newRow("D") << kExampleD;
        QTest::newRow("E sorted keys") << kExampleE;
    }
    void workedExamplesValidate() {
        QFETCH(QByteArray, token);
        JwtValidator validator(kSecret);
        QString error;
        const auto claims = validator.validate(token, kSigningTimeMs + 1000, &error);
        QVERIFY2(claims, qPrintable(error));
        QCOMPARE(claims->subject, QStringLiteral("edge-apps"));
        QCOMPARE(claims->hostnames, QStringList({QStringLiteral("app.example.com"),
                                                 QStringLiteral("*.preview.example.com")}));
        QCOMPARE(claims->weight.value_or(0), qint64(2));
        QCOMPARE(claims->sessionNonce, QStringLiteral("n0nce-123"));
        QCOMPARE(claims->reauthIntervalSeconds, qint64(900));
        QCOMPARE(claims->reauthGraceSeconds, qint64(15));
    }

    void exampleDAllClaims() {
        JwtValidator validator(kSecret);
        QString error;
        const auto c = validator.validate(kExampleD, kSigningTimeMs, &error);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->tcpPorts, QList<int>({22, 443}));
        QCOMPARE(c->udpRoutes.size(), 2);
        QCOMPARE(c->udpRoutes[0].port, 53);
        QCOMPARE(c->udpRoutes[0].flowIdleTimeoutSeconds.value_or(-1), qint64(30));
        QVERIFY(!c->udpRoutes[1].flowIdleTimeoutSeconds);
        QCOMPARE(c->authorizerStatusUri,
                 QStringLiteral("https://auth.example.com/status?a=1&b=<2>"));
        QCOMPARE(c->policyVersion, QStringLiteral("v7"));
        QVERIFY(c->outboundAllowed);
        QCOMPARE(c->allowedOutboundPorts, QList<int>({25, 587}));
        QCOMPARE(c->maintenanceGraceCapSeconds.value_or(-1), qint64(600));
    }

    void expiryIsStrict() {
        JwtValidator validator(kSecret);
        QString error;
        QVERIFY(validator.validate(kExampleA, 1767225629999LL, &error));
        QVERIFY(!validator.validate(kExampleA, 1767225630000LL, &error));
        QCOMPARE(error, QStringLiteral("token has invalid claims: token is expired"));
    }

    void wrongSecret() {
        JwtValidator validator("other-secret");
        QString error;
        QVERIFY(!validator.validate(kExampleA, kSigningTimeMs, &error));
        QCOMPARE(error, QStringLiteral("token signature is invalid: signature is invalid"));
    }

    void whitespaceRules() {
        JwtValidator validator(kSecret);
        QString error;
        QVERIFY2(validator.validate(kExampleA + "\r\n", kSigningTimeMs, &error),
                 qPrintable(error)); // Go's base64 skips CR/LF
        QVERIFY(!validator.validate("\n" + kExampleA, kSigningTimeMs, &error));
        QVERIFY(!validator.validate(kExampleA + " ", kSigningTimeMs, &error));
        QVERIFY(error.startsWith(QStringLiteral("token is malformed")));
        QVERIFY(!validator.validate("Bearer " + kExampleA, kSigningTimeMs, &error));
    }

    void refusals_data() {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("error");
        const QByteArray base =
            R"("iss":"authorizer","aud":["nexus"],"sub":"b","hostnames":["a.example.com"])";
        auto raw = [&](const QByteArray& extra, const QByteArray& alg = "HS256") {
            return TestTokens::mintRaw(kSecret, "{" + base + extra + "}", alg);
        };
        QTest::newRow("segments") << QByteArray("a.b")
                                  << QStringLiteral("invalid number of segments");
        QTest::newRow("alg none") << raw("", "none")
                                  << QStringLiteral("unexpected signing method: none");
        QTest::newRow("alg RS256")
            << raw("", "RS256") << QStringLiteral("unexpected signing method: RS256");
        QTest::newRow("weight 2.0")
            << raw(R"(,"weight":2.0)") << QStringLiteral("could not JSON decode claim");
        QTest::newRow("weight string")
            << raw(R"(,"weight":"2")") << QStringLiteral("could not JSON decode claim");
        QTest::newRow("hostnames string")
            << TestTokens::mintRaw(
                   kSecret, R"({"iss":"authorizer","aud":"nexus","hostnames":"a.example.com"})")
            << QStringLiteral("could not JSON decode claim");
        QTest::newRow("tcp_ports floats")
            << raw(R"(,"tcp_ports":[22.5])") << QStringLiteral("could not JSON decode claim");
        QTest::newRow("exp string")
            << raw(R"(,"exp":"1")") << QStringLiteral("could not JSON decode claim");
        QTest::newRow("outbound string") << raw(R"(,"outbound_allowed":"true")")
                                         << QStringLiteral("could not JSON decode claim");
        QTest::newRow("wrong iss")
            << TestTokens::mintRaw(kSecret, R"({"iss":"someone","aud":["nexus"]})")
            << QStringLiteral("token has invalid claims: token has invalid issuer");
        QTest::newRow("missing iss") << TestTokens::mintRaw(kSecret, R"({"aud":["nexus"]})")
                                     << QStringLiteral("token has invalid claims: token is missing "
                                                       "required claim: iss claim is required");
        QTest::newRow("wrong aud")
            << TestTokens::mintRaw(kSecret, R"({"iss":"authorizer","aud":["web","api"]})")
            << QStringLiteral("token has invalid claims: token has invalid audience");
        QTest::newRow("missing aud") << TestTokens::mintRaw(kSecret, R"({"iss":"authorizer"})")
                                     << QStringLiteral("token has invalid claims: token is missing "
                                                       "required claim: aud claim is required");
        QTest::newRow("aud number")
            << TestTokens::mintRaw(kSecret, R"({"iss":"authorizer","aud":[1]})")
            << QStringLiteral("could not JSON decode claim");
        QTest::newRow("expired and wrong iss")
            << TestTokens::mintRaw(kSecret, R"({"iss":"x","aud":"nexus","exp":1000})")
            << QStringLiteral(
                   "token has invalid claims: token is expired, token has invalid issuer");
        QTest::newRow("nbf future")
            << TestTokens::mintRaw(kSecret,
                                   R"({"iss":"authorizer","aud":"nexus","nbf":99999999999})")
            << QStringLiteral("token has invalid claims: token is not valid yet");
    }
    void refusals() {
        QFETCH(QByteArray, token);
        QFETCH(QString, error);
        JwtValidator validator(kSecret);
        QString actual;
        QVERIFY(!validator.validate(token, QDateTime::currentMSecsSinceEpoch(), &actual));
        QVERIFY2(actual.contains(error), qPrintable(actual));
    }

    void acceptedVariants() {
        JwtValidator validator(kSecret);
        QString error;
        const QByteArray payload = R"({"iss":"authorizer","aud":"nexus","exp":99999999999.5})";
        for (const QByteArray alg : {"HS256", "HS384", "HS512"}) {
            QVERIFY2(validator.validate(TestTokens::mintRaw(kSecret, payload, alg),
                                        QDateTime::currentMSecsSinceEpoch(), &error),
                     qPrintable(error));
        }
    }

    // --- prelude sniffing ---

    void tlsSniWholeAndInPieces() {
        const QByteArray hello = clientHelloRecords(clientHelloBody("App.Example.COM"));
        const PreludeResult whole = sniffPrelude(hello);
        QCOMPARE(whole.kind, PreludeResult::Kind::Tls);
        QCOMPARE(whole.hostname, QStringLiteral("app.example.com"));
        for (qsizetype n = 0; n < hello.size(); ++n) {
            QCOMPARE(sniffPrelude(hello.first(n)).kind, PreludeResult::Kind::NeedMore);
        }
    }

    void tlsSniAcrossRecords() {
        const QByteArray hello =
            clientHelloRecords(clientHelloBody("multi.example.com", 3000), 500);
        QVERIFY(hello.size() > 3000);
        QCOMPARE(sniffPrelude(hello.first(hello.size() - 1)).kind, PreludeResult::Kind::NeedMore);
        const PreludeResult r = sniffPrelude(hello);
        QCOMPARE(r.kind, PreludeResult::Kind::Tls);
        QCOMPARE(r.hostname, QStringLiteral("multi.example.com"));
    }

    void tlsWithoutSni() {
        const PreludeResult r = sniffPrelude(clientHelloRecords(clientHelloBody("")));
        QCOMPARE(r.kind, PreludeResult::Kind::Tls);
        QVERIFY(r.hostname.isEmpty());
    }

    void tlsTooLarge() {
        // A ClientHello beyond 32 KiB: final answer "TLS without SNI" at the limit.
        const QByteArray hello = clientHelloRecords(clientHelloBody("big.example.com", 40000));
        QCOMPARE(preludeLimit(hello), kMaxTlsPrelude);
        const PreludeResult r = sniffPrelude(hello.first(kMaxTlsPrelude));
        QCOMPARE(r.kind, PreludeResult::Kind::Tls);
        QVERIFY(r.hostname.isEmpty());
    }

    void httpHost_data() {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<QString>("host");
        QTest::newRow("plain") << QByteArray("GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n")
                               << QStringLiteral("app.example.com");
        QTest::newRow("port and case")
            << QByteArray(
                   "POST /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT:  App.Example.com:8080 \r\n\r\nbody")
            << QStringLiteral("app.example.com");
        QTest::newRow("ipv6") << QByteArray("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n")
                              << QStringLiteral("::1");
        QTest::newRow("no host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << QString();
    }
    void httpHost() {
        QFETCH(QByteArray, head);
        QFETCH(QString, host);
        const PreludeResult r = sniffPrelude(head);
        QCOMPARE(r.kind, PreludeResult::Kind::Http);
        QCOMPARE(r.hostname, host);
        const qsizetype end = head.indexOf("\r\n\r\n") + 4;
        for (qsizetype n = 0; n < end; ++n) {
            QCOMPARE(sniffPrelude(head.first(n)).kind, PreludeResult::Kind::NeedMore);
        }
    }

    void httpTooLarge() {
        QByteArray head = "GET / HTTP/1.1\r\nX-Big: " + QByteArray(70000, 'a');
        QCOMPARE(sniffPrelude(head.first(kMaxHttpPrelude - 1)).kind, PreludeResult::Kind::NeedMore);
        const PreludeResult r = sniffPrelude(head.first(kMaxHttpPrelude));
        QCOMPARE(r.kind, PreludeResult::Kind::Http);
        QVERIFY(r.hostname.isEmpty());
    }

    void other_data() {
        QTest::addColumn<QByteArray>("data");
        QTest::newRow("ssh") << QByteArray("SSH-2.0-OpenSSH_9.0\r\n");
        QTest::newRow("binary") << QByteArray("\x00\x01\x02", 3);
        QTest::newRow("lowercase") << QByteArray("get / HTTP/1.1\r\n\r\n");
        QTest::newRow("not http version") << QByteArray("GET / FOO/1.1\r\nHost: a\r\n\r\n");
    }
    void other() {
        QFETCH(QByteArray, data);
        QCOMPARE(sniffPrelude(data).kind, PreludeResult::Kind::Other);
    }
};

QTEST_GUILESS_MAIN(TestHubUnits)
#include "tst_hub_units.moc"
