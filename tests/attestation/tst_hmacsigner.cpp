// HS256 signer: the worked examples of attestation spec §4 byte for byte, claim rules, escaping,
// and key loading from hmacSecret / hmacSecretFile.
#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "attestation/HmacSecret.h"
#include "attestation/HmacSigner.h"
#include "attestation/HmacTokenProvider.h"

using namespace nexustray;
using namespace nexustray::attestation;

namespace {

constexpr qint64 kIat = 1767225600; // 2026-01-01T00:00:00Z
const QByteArray kHeaderB64 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

// Fixed inputs of spec §4 (without the extras of example D).
HmacClaimsInput baseInput() {
    HmacClaimsInput in;
    in.key = "test-secret";
    in.identity.backendName = QStringLiteral("edge-apps");
    in.identity.weight = 2;
    in.identity.hostnames = {QStringLiteral("app.example.com"),
                             QStringLiteral("*.preview.example.com")};
    in.reauthIntervalSeconds = 900;
    in.reauthGraceSeconds = 15;
    in.handshakeMaxAgeSeconds = 5;
    in.tokenTTLSeconds = 30;
    return in;
}

HmacClaimsInput exampleD() {
    HmacClaimsInput in = baseInput();
    in.identity.tcpPorts = {22, 443};
    in.identity.udpRoutes = {UdpRoute{53, 30}, UdpRoute{67, std::nullopt}};
    in.maintenanceGraceCapSeconds = 600;
    in.authorizerStatusUri = QStringLiteral("https://auth.example.com/status?a=1&b=<2>");
    in.policyVersion = QStringLiteral("v7");
    in.identity.outboundAllowed = true;
    in.identity.allowedOutboundPorts = {25, 587};
    return in;
}

QByteArray decodeSegment(const QByteArray& segment) {
    return QByteArray::fromBase64(segment, QByteArray::Base64UrlEncoding |
                                               QByteArray::AbortOnBase64DecodingErrors);
}

} // namespace

class TestHmacSigner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void workedExamples_data();
    void workedExamples();
    void headerIsFixed();
    void claimRules_data();
    void claimRules();
    void defaultTtl();
    void goJsonEscaping_data();
    void goJsonEscaping();
    void hmacClaimsFromBackend();
    void providerDeliversAsynchronously();
    void providerCancelSuppressesFinished();
    void secretFromConfig_data();
    void secretFromConfig();
    void secretFileErrors();
};

void TestHmacSigner::workedExamples_data() {
    QTest::addColumn<int>("example");
    QTest::addColumn<int>("stage");
    QTest::addColumn<QString>("nonce");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("jwt");

    QTest::newRow("A attest")
        << 0 << int(AttestationStage::Attest) << QStringLiteral("n0nce-123")
        << QByteArray(
               R"({"hostnames":["app.example.com","*.preview.example.com"],"weight":2,"session_nonce":"n0nce-123","reauth_interval_seconds":900,"reauth_grace_seconds":15,"iss":"authorizer","sub":"edge-apps","aud":["nexus"],"exp":1767225630,"iat":1767225600})")
        << QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                      "eyJob3N0bmFtZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3LmV4YW1wbGUuY29tIl0s"
                      "IndlaWdodCI6Miwic2Vzc2lvbl9ub25jZSI6Im4wbmNlLTEyMyIsInJlYXV0aF9pbnRlcnZhbF9z"
                      "ZWNvbmRzIjo5MDAsInJlYXV0aF9ncmFjZV9zZWNvbmRzIjoxNSwiaXNzIjoiYXV0aG9yaXplciIs"
                      "InN1YiI6ImVkZ2UtYXBwcyIsImF1ZCI6WyJuZXh1cyJdLCJleHAiOjE3NjcyMjU2MzAsImlhdCI6"
                      "MTc2NzIyNTYwMH0.CpcLD7E7of_2DshLA_rTywt3-Mnkuyhm77GX9Ou7VsE");
    QTest::newRow("B handshake")
        << 0 << int(AttestationStage::Handshake) << QString()
        << QByteArray(
               R"({"hostnames":["app.example.com","*.preview.example.com"],"weight":2,"handshake_max_age_seconds":5,"reauth_interval_seconds":900,"reauth_grace_seconds":15,"iss":"authorizer","sub":"edge-apps","aud":["nexus"],"exp":1767225630,"iat":1767225600})")
        << QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                      "eyJob3N0bmFtZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3LmV4YW1wbGUuY29tIl0s"
                      "IndlaWdodCI6MiwiaGFuZHNoYWtlX21heF9hZ2Vfc2Vjb25kcyI6NSwicmVhdXRoX2ludGVydmFs"
                      "X3NlY29uZHMiOjkwMCwicmVhdXRoX2dyYWNlX3NlY29uZHMiOjE1LCJpc3MiOiJhdXRob3JpemVy"
                      "Iiwic3ViIjoiZWRnZS1hcHBzIiwiYXVkIjpbIm5leHVzIl0sImV4cCI6MTc2NzIyNTYzMCwiaWF0"
                      "IjoxNzY3MjI1NjAwfQ.-H7P6rob09Quk0qy3fC32POH3rBKnmVtiS-YyS6jtN8");
    QTest::newRow("C minimal attest")
        << 1 << int(AttestationStage::Attest) << QStringLiteral("n0nce-123")
        << QByteArray(
               R"({"hostnames":["app.example.com","*.preview.example.com"],"weight":2,"session_nonce":"n0nce-123","iss":"authorizer","sub":"edge-apps","aud":["nexus"],"exp":1767225630,"iat":1767225600})")
        << QByteArray("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                      "eyJob3N0bmFtZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3LmV4YW1wbGUuY29tIl0s"
                      "IndlaWdodCI6Miwic2Vzc2lvbl9ub25jZSI6Im4wbmNlLTEyMyIsImlzcyI6ImF1dGhvcml6ZXIi"
                      "LCJzdWIiOiJlZGdlLWFwcHMiLCJhdWQiOlsibmV4dXMiXSwiZXhwIjoxNzY3MjI1NjMwLCJpYXQi"
                      "OjE3NjcyMjU2MDB9.ojrbwKQ4azyq2sC-MWnTE3ecqfH3SQnOxMrtxS9JpEo");
    QTest::newRow("D every optional claim")
        << 2 << int(AttestationStage::Attest) << QStringLiteral("n0nce-123")
        << QByteArray(
               R"({"hostnames":["app.example.com","*.preview.example.com"],"tcp_ports":[22,443],"udp_routes":[{"port":53,"flow_idle_timeout_seconds":30},{"port":67}],"weight":2,"session_nonce":"n0nce-123","reauth_interval_seconds":900,"reauth_grace_seconds":15,"maintenance_grace_cap_seconds":600,"authorizer_status_uri":"https://auth.example.com/status?a=1\u0026b=\u003c2\u003e","policy_version":"v7","outbound_allowed":true,"allowed_outbound_ports":[25,587],"iss":"authorizer","sub":"edge-apps","aud":["nexus"],"exp":1767225630,"iat":1767225600})")
        << QByteArray(
               "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
               "eyJob3N0bmFtZXMiOlsiYXBwLmV4YW1wbGUuY29tIiwiKi5wcmV2aWV3LmV4YW1wbGUuY29tIl0sInRjcF9"
               "w"
               "b3J0cyI6WzIyLDQ0M10sInVkcF9yb3V0ZXMiOlt7InBvcnQiOjUzLCJmbG93X2lkbGVfdGltZW91dF9zZWN"
               "v"
               "bmRzIjozMH0seyJwb3J0Ijo2N31dLCJ3ZWlnaHQiOjIsInNlc3Npb25fbm9uY2UiOiJuMG5jZS0xMjMiLCJ"
               "y"
               "ZWF1dGhfaW50ZXJ2YWxfc2Vjb25kcyI6OTAwLCJyZWF1dGhfZ3JhY2Vfc2Vjb25kcyI6MTUsIm1haW50ZW5"
               "h"
               "bmNlX2dyYWNlX2NhcF9zZWNvbmRzIjo2MDAsImF1dGhvcml6ZXJfc3RhdHVzX3VyaSI6Imh0dHBzOi8vYXV"
               "0"
               "aC5leGFtcGxlLmNvbS9zdGF0dXM_"
               "YT0xXHUwMDI2Yj1cdTAwM2MyXHUwMDNlIiwicG9saWN5X3ZlcnNpb24i"
               "OiJ2NyIsIm91dGJvdW5kX2FsbG93ZWQiOnRydWUsImFsbG93ZWRfb3V0Ym91bmRfcG9ydHMiOlsyNSw1ODd"
               "d"
               "LCJpc3MiOiJhdXRob3JpemVyIiwic3ViIjoiZWRnZS1hcHBzIiwiYXVkIjpbIm5leHVzIl0sImV4cCI6MTc"
               "2"
               "NzIyNTYzMCwiaWF0IjoxNzY3MjI1NjAwfQ.vulqRb1zZbpajz4cobqNMiPQi4FDvnE3Ok5VanenryA");
}

void TestHmacSigner::workedExamples() {
    QFETCH(int, example);
    QFETCH(int, stage);
    QFETCH(QString, nonce);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, jwt);

    HmacClaimsInput in = baseInput();
    if (example == 1) { // C: no re-auth settings
        in.reauthIntervalSeconds = 0;
        in.reauthGraceSeconds = 0;
    } else if (example == 2) {
        in = exampleD();
    }
    const auto st = static_cast<AttestationStage>(stage);

    QCOMPARE(buildHs256Payload(in, st, nonce, kIat), payload);
    const QByteArray token = signHs256Token(in, st, nonce, kIat);
    QCOMPARE(token, jwt);

    // Independent check of the structure and signature with key "test-secret".
    const QList<QByteArray> parts = token.split('.');
    QCOMPARE(parts.size(), 3);
    QCOMPARE(parts.at(0), kHeaderB64);
    QCOMPARE(decodeSegment(parts.at(1)), payload);
    const QByteArray mac = QMessageAuthenticationCode::hash(
        parts.at(0) + '.' + parts.at(1), "test-secret", QCryptographicHash::Sha256);
    QCOMPARE(decodeSegment(parts.at(2)), mac);
    QVERIFY(!parts.at(2).contains('='));
    QVERIFY(QJsonDocument::fromJson(payload).isObject());
    QCOMPARE(hs256Expiry(in, kIat), kIat + 30);
}

void TestHmacSigner::headerIsFixed() {
    QCOMPARE(base64Url(R"({"alg":"HS256","typ":"JWT"})"), kHeaderB64);
}

void TestHmacSigner::claimRules_data() {
    QTest::addColumn<int>("stage");
    QTest::addColumn<QString>("nonce");
    QTest::addColumn<int>("variant");
    QTest::addColumn<QByteArray>("payload");

    const QByteArray tail = R"("iss":"authorizer","sub":"b","aud":["nexus"],"exp":130,"iat":100})";
    // variant 0: bare identity (weight only), every optional setting zero/empty
    QTest::newRow("handshake minimal")
        << int(AttestationStage::Handshake) << QString() << 0 << (R"({"weight":1,)" + tail);
    QTest::newRow("attest without nonce omits session_nonce")
        << int(AttestationStage::Attest) << QString() << 0 << (R"({"weight":1,)" + tail);
    QTest::newRow("handshake ignores a nonce")
        << int(AttestationStage::Handshake) << QStringLiteral("abc") << 0
        << (R"({"weight":1,)" + tail);
    QTest::newRow("reauth carries the nonce")
        << int(AttestationStage::Reauth) << QStringLiteral("N2") << 0
        << (R"({"weight":1,"session_nonce":"N2",)" + tail);
    // variant 1: max age + re-auth settings: max age only at handshake, re-auth at every stage
    QTest::newRow("max age at handshake")
        << int(AttestationStage::Handshake) << QString() << 1
        << (R"({"weight":1,"handshake_max_age_seconds":7,"reauth_interval_seconds":60,)" + tail);
    QTest::newRow("no max age at reauth")
        << int(AttestationStage::Reauth) << QStringLiteral("x") << 1
        << (R"({"weight":1,"session_nonce":"x","reauth_interval_seconds":60,)" + tail);
    // variant 2: outbound not allowed but ports configured -> neither outbound claim
    QTest::newRow("outbound false never written")
        << int(AttestationStage::Attest) << QString() << 2 << (R"({"weight":1,)" + tail);
    // variant 3: outbound allowed without ports; UDP route with a configured 0 timeout
    QTest::newRow("outbound true without ports, udp timeout 0")
        << int(AttestationStage::Attest) << QString() << 3
        << (R"({"udp_routes":[{"port":5000,"flow_idle_timeout_seconds":0}],"weight":1,"outbound_allowed":true,)" +
            tail);
    // variant 4: non-ASCII stays raw UTF-8, '/' is not escaped
    QTest::newRow("unicode and slash")
        << int(AttestationStage::Attest) << QString() << 4
        << (QStringLiteral(
                R"({"hostnames":["bücher.example/x"],"weight":1,"policy_version":"ü/ø",)")
                .toUtf8() +
            tail);
}

void TestHmacSigner::claimRules() {
    QFETCH(int, stage);
    QFETCH(QString, nonce);
    QFETCH(int, variant);
    QFETCH(QByteArray, payload);

    HmacClaimsInput in;
    in.key = "k";
    in.identity.backendName = QStringLiteral("b");
    in.tokenTTLSeconds = 30;
    switch (variant) {
    case 1:
        in.handshakeMaxAgeSeconds = 7;
        in.reauthIntervalSeconds = 60;
        break;
    case 2:
        in.identity.outboundAllowed = false;
        in.identity.allowedOutboundPorts = {25};
        break;
    case 3:
        in.identity.outboundAllowed = true;
        in.identity.udpRoutes = {UdpRoute{5000, 0}};
        break;
    case 4:
        in.identity.hostnames = {QStringLiteral("bücher.example/x")};
        in.policyVersion = QStringLiteral("ü/ø");
        break;
    default:
        break;
    }
    QCOMPARE(buildHs256Payload(in, static_cast<AttestationStage>(stage), nonce, 100), payload);
}

void TestHmacSigner::defaultTtl() {
    HmacClaimsInput in;
    in.tokenTTLSeconds = 0;
    QCOMPARE(hs256Expiry(in, 1000), qint64(1030));
    in.tokenTTLSeconds = 120;
    QCOMPARE(hs256Expiry(in, 1000), qint64(1120));
}

void TestHmacSigner::goJsonEscaping_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QStringLiteral("abc") << QByteArray(R"("abc")");
    QTest::newRow("html") << QStringLiteral("<a&b>") << QByteArray(R"("\u003ca\u0026b\u003e")");
    QTest::newRow("quote backslash") << QStringLiteral("a\"b\\c") << QByteArray(R"("a\"b\\c")");
    QTest::newRow("short escapes") << QStringLiteral("\n\r\t\b\f") << QByteArray(R"("\n\r\t\b\f")");
    QTest::newRow("other control")
        << QString(QChar(0x01)) + QChar(0x1f) << QByteArray(R"("\u0001\u001f")");
    QTest::newRow("slash raw") << QStringLiteral("a/b") << QByteArray(R"("a/b")");
    QTest::newRow("line separators")
        << QString(QChar(0x2028)) + QChar(0x2029) << QByteArray(R"("\u2028\u2029")");
    QTest::newRow("non-ascii raw") << QStringLiteral("é€😀") << QStringLiteral("\"é€😀\"").toUtf8();
    QTest::newRow("lone surrogate")
        << QString(QChar(0xD800)) << QStringLiteral("\"\uFFFD\"").toUtf8();
    QTest::newRow("del raw") << QString(QChar(0x7f)) << QByteArray("\"\x7f\"");
}

void TestHmacSigner::goJsonEscaping() {
    QFETCH(QString, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(goJsonString(input), expected);
}

void TestHmacSigner::hmacClaimsFromBackend() {
    BackendConfig b;
    b.name = QStringLiteral("edge-apps");
    b.weight = 0; // defaulted to 1
    b.hostnames = {QStringLiteral("a.example"), QStringLiteral("a.example")};
    b.tcpPorts = {22, 22, 80};
    b.attestation.tokenTTLSeconds = 45;
    b.attestation.policyVersion = QStringLiteral("v1");
    b.attestation.outboundAllowed = true;
    b.attestation.allowedOutboundPorts = {25};
    const HmacClaimsInput in = HmacClaimsInput::fromBackend(b, "key");
    QCOMPARE(in.key, QByteArray("key"));
    QCOMPARE(in.identity.backendName, QStringLiteral("edge-apps"));
    QCOMPARE(in.identity.weight, 1);
    QCOMPARE(in.identity.hostnames, QStringList{QStringLiteral("a.example")});
    QCOMPARE(in.identity.tcpPorts, (QList<int>{22, 80}));
    QCOMPARE(in.tokenTTLSeconds, 45);
    QCOMPARE(in.policyVersion, QStringLiteral("v1"));
    QVERIFY(in.identity.outboundAllowed);
    QCOMPARE(in.identity.allowedOutboundPorts, QList<int>{25});
}

void TestHmacSigner::providerDeliversAsynchronously() {
    HmacTokenProvider provider(baseInput(), [] { return kIat; });
    QSignalSpy spy(&provider, &TokenProvider::finished);
    const quint64 id = provider.request({AttestationStage::Attest, QStringLiteral("n0nce-123")});
    QCOMPARE(spy.count(), 0); // never from inside request()
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<quint64>(), id);
    const auto result = spy.at(0).at(1).value<TokenResult>();
    QVERIFY(result.ok);
    QVERIFY(result.error.isEmpty());
    QVERIFY(result.token.endsWith(QStringLiteral(".CpcLD7E7of_2DshLA_rTywt3-Mnkuyhm77GX9Ou7VsE")));
    QVERIFY(result.expiry.has_value());
    QCOMPARE(result.expiry->toSecsSinceEpoch(), kIat + 30);
}

void TestHmacSigner::providerCancelSuppressesFinished() {
    HmacTokenProvider provider(baseInput(), [] { return kIat; });
    QSignalSpy spy(&provider, &TokenProvider::finished);
    const quint64 cancelled = provider.request({AttestationStage::Handshake, QString()});
    const quint64 kept = provider.request({AttestationStage::Handshake, QString()});
    QVERIFY(cancelled != kept);
    provider.cancel(cancelled);
    QVERIFY(spy.wait(5000));
    QCoreApplication::processEvents();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<quint64>(), kept);
}

void TestHmacSigner::secretFromConfig_data() {
    QTest::addColumn<QString>("inlineSecret");
    QTest::addColumn<QByteArray>("fileContent"); // empty QByteArray() = no file configured
    QTest::addColumn<QByteArray>("expectedKey");
    QTest::addColumn<QString>("expectedError");

    QTest::newRow("inline trimmed")
        << QStringLiteral("  secret \t") << QByteArray() << QByteArray("secret") << QString();
    QTest::newRow("inline blank") << QStringLiteral("  ") << QByteArray() << QByteArray()
                                  << QStringLiteral("hmac secret is required");
    QTest::newRow("nothing") << QString() << QByteArray() << QByteArray()
                             << QStringLiteral("hmac secret is required");
    QTest::newRow("file trailing newline")
        << QString() << QByteArray("super-secret\n") << QByteArray("super-secret") << QString();
    QTest::newRow("file crlf and tabs") << QString() << QByteArray("\t super-secret \r\n")
                                        << QByteArray("super-secret") << QString();
    QTest::newRow("file unicode spaces")
        << QString() << QStringLiteral("\u00a0\u2003s3cr\u00e9t\u3000\u0085\n").toUtf8()
        << QStringLiteral("s3cr\u00e9t").toUtf8() << QString();
    QTest::newRow("inner spaces kept")
        << QString() << QByteArray(" a b \n") << QByteArray("a b") << QString();
    QTest::newRow("file wins over inline") << QStringLiteral("inline") << QByteArray("from-file\n")
                                           << QByteArray("from-file") << QString();
    QTest::newRow("blank file does not fall back")
        << QStringLiteral("inline") << QByteArray(" \n\n") << QByteArray()
        << QStringLiteral("hmac secret is required");
    QTest::newRow("not base64 decoded")
        << QStringLiteral("c2VjcmV0") << QByteArray() << QByteArray("c2VjcmV0") << QString();
}

void TestHmacSigner::secretFromConfig() {
    QFETCH(QString, inlineSecret);
    QFETCH(QByteArray, fileContent);
    QFETCH(QByteArray, expectedKey);
    QFETCH(QString, expectedError);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    AttestationConfig config;
    config.hmacSecret = inlineSecret;
    if (!fileContent.isNull()) {
        config.hmacSecretFile = dir.filePath(QStringLiteral("secret"));
        QFile f(config.hmacSecretFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(fileContent);
    }
    QByteArray key;
    QString error;
    const bool ok = loadHmacKey(config, &key, &error);
    QCOMPARE(ok, expectedError.isEmpty());
    QCOMPARE(error, expectedError);
    if (ok)
        QCOMPARE(key, expectedKey);

    BackendConfig backend;
    backend.name = QStringLiteral("b");
    backend.attestation = config;
    QString factoryError;
    const auto provider = createTokenProvider(backend, &factoryError);
    QCOMPARE(provider != nullptr, ok);
    QCOMPARE(factoryError, expectedError);
}

void TestHmacSigner::secretFileErrors() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("missing"));
    const QString unreadable = dir.filePath(QStringLiteral("unreadable"));
    {
        QFile f(unreadable);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("top-secret-value\n");
    }
    QFile::setPermissions(unreadable, QFileDevice::WriteOwner);
    const QString big = dir.filePath(QStringLiteral("big"));
    {
        QFile f(big);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(kMaxHmacSecretFileBytes + 1, 'x'));
    }

    const QStringList paths = {missing, dir.path(), big, unreadable};
    for (const QString& path : paths) {
        if (path == unreadable && QFileInfo(path).isReadable())
            continue; // running as root: permissions do not apply
        AttestationConfig config;
        config.hmacSecret = QStringLiteral("inline-is-ignored");
        config.hmacSecretFile = QStringLiteral("  ") + path + QStringLiteral(" ");
        QByteArray key;
        QString error;
        QVERIFY2(!loadHmacKey(config, &key, &error), qPrintable(path));
        QVERIFY2(error.startsWith(QStringLiteral("read hmac secret file: ")), qPrintable(error));
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY(!error.contains(QStringLiteral("top-secret-value")));
        QVERIFY(!error.contains(QStringLiteral("inline-is-ignored")));
        QVERIFY(key.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestHmacSigner)
#include "tst_hmacsigner.moc"
