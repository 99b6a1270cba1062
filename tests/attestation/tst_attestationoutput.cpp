// The command output parser (attestation spec §1.3) and the pure helpers around the command:
// RFC 3339 parsing, environment formatting, stderr redaction.
#include <QTest>

#include "attestation/AttestationOutput.h"
#include "attestation/CommandEnvironment.h"
#include "attestation/StderrSummary.h"

using namespace nexustray;
using namespace nexustray::attestation;

namespace {
const QString kEmpty = QStringLiteral("attestation command returned empty token");
const QString kDecode = QStringLiteral("failed to decode attestation command JSON");
const QString kMissing = QStringLiteral("attestation command JSON missing token");
const QString kJwt = QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
} // namespace

class TestAttestationOutput : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void errorsNeverContainOutput();
    void rfc3339_data();
    void rfc3339();
    void environment();
    void environmentFormatting();
    void stderrSummary_data();
    void stderrSummary();
};

void TestAttestationOutput::parse_data() {
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QString>("token");  // expected token when ok
    QTest::addColumn<QString>("error");  // expected error when not ok
    QTest::addColumn<QString>("expiry"); // ISO UTC with ms, empty = none

    const QByteArray jwt = kJwt.toUtf8();
    QTest::newRow("plain") << jwt << kJwt << QString() << QString();
    QTest::newRow("plain newline") << jwt + "\n" << kJwt << QString() << QString();
    QTest::newRow("plain crlf") << jwt + "\r\n" << kJwt << QString() << QString();
    QTest::newRow("surrounding space") << "  \n\t" + jwt + " \n\n"
                                       << kJwt << QString() << QString();
    QTest::newRow("extra lines ignored") << jwt + "\nlog: done\n{\"token\":\"x\"}\n"
                                         << kJwt << QString() << QString();
    QTest::newRow("first line trimmed")
        << QByteArray("  abc def  \r\nnext") << QStringLiteral("abc def") << QString() << QString();
    QTest::newRow("empty") << QByteArray() << QString() << kEmpty << QString();
    QTest::newRow("only white space")
        << QByteArray(" \r\n\t\n") << QString() << kEmpty << QString();
    QTest::newRow("json token") << R"({"token":")" + jwt + R"("})" << kJwt << QString()
                                << QString();
    QTest::newRow("json token trimmed")
        << R"({"token":"  )" + jwt + R"(\n "})" << kJwt << QString() << QString();
    QTest::newRow("json with expiry")
        << R"({"token":")" + jwt + R"(","expiry":"2025-10-28T12:00:00Z"})" << kJwt << QString()
        << QStringLiteral("2025-10-28T12:00:00.000Z");
    QTest::newRow("json expiry offset and fraction")
        << R"({"expiry":"2025-10-28T14:00:00.5+02:00","token":")" + jwt + R"("})" << kJwt
        << QString() << QStringLiteral("2025-10-28T12:00:00.500Z");
    QTest::newRow("json bad expiry ignored")
        << R"({"token":")" + jwt + R"(","expiry":"tomorrow"})" << kJwt << QString() << QString();
    QTest::newRow("json null expiry ignored")
        << R"({"token":")" + jwt + R"(","expiry":null})" << kJwt << QString() << QString();
    QTest::newRow("json other keys ignored")
        << R"({"note":1,"token":")" + jwt + R"(","extra":{"a":[1,2]}})" << kJwt << QString()
        << QString();
    QTest::newRow("json keys case-insensitive")
        << R"({"Token":")" + jwt + R"(","EXPIRY":"2030-01-01T00:00:00Z"})" << kJwt << QString()
        << QStringLiteral("2030-01-01T00:00:00.000Z");
    QTest::newRow("json surrounded by white space") << "\n  {\"token\":\"" + jwt + "\"}  \n"
                                                    << kJwt << QString() << QString();
    QTest::newRow("json missing token")
        << QByteArray(R"({"expiry":"2030-01-01T00:00:00Z"})") << QString() << kMissing << QString();
    QTest::newRow("json blank token")
        << QByteArray(R"({"token":"  \n"})") << QString() << kMissing << QString();
    QTest::newRow("json null token")
        << QByteArray(R"({"token":null})") << QString() << kMissing << QString();
    QTest::newRow("json empty object") << QByteArray("{}") << QString() << kMissing << QString();
    QTest::newRow("json numeric token")
        << QByteArray(R"({"token":123})") << QString() << kDecode << QString();
    QTest::newRow("json array token")
        << QByteArray(R"({"token":["a"]})") << QString() << kDecode << QString();
    QTest::newRow("json numeric expiry")
        << R"({"token":")" + jwt + R"(","expiry":1767225600})" << QString() << kDecode << QString();
    QTest::newRow("json trailing garbage")
        << R"({"token":")" + jwt + R"("} trailing)" << QString() << kDecode << QString();
    QTest::newRow("json two objects")
        << QByteArray(R"({"token":"a"}{"token":"b"})") << QString() << kDecode << QString();
    QTest::newRow("json then log line")
        << R"({"token":")" + jwt + "\"}\nlog line" << QString() << kDecode << QString();
    QTest::newRow("json truncated")
        << QByteArray(R"({"token":"abc)") << QString() << kDecode << QString();
    QTest::newRow("json not an object") << QByteArray("{") << QString() << kDecode << QString();
    QTest::newRow("array is a plain token")
        << QByteArray(R"(["x"])") << QStringLiteral(R"(["x"])") << QString() << QString();
}

void TestAttestationOutput::parse() {
    QFETCH(QByteArray, output);
    QFETCH(QString, token);
    QFETCH(QString, error);
    QFETCH(QString, expiry);

    const TokenResult r = parseAttestationOutput(output);
    QCOMPARE(r.ok, error.isEmpty());
    QCOMPARE(r.error, error);
    QCOMPARE(r.token, token);
    if (expiry.isEmpty()) {
        QVERIFY(!r.expiry.has_value());
    } else {
        QVERIFY(r.expiry.has_value());
        QCOMPARE(r.expiry->toUTC().toString(Qt::ISODateWithMs), expiry);
    }
}

void TestAttestationOutput::errorsNeverContainOutput() {
    const QByteArray secret = "SECRETsecret123";
    const QList<QByteArray> outputs = {
        R"({"token":")" + secret + R"("} junk)",
        R"({"token":1,"x":")" + secret + R"("})",
        R"({"x":")" + secret + R"("})",
    };
    for (const QByteArray& out : outputs) {
        const TokenResult r = parseAttestationOutput(out);
        QVERIFY(!r.ok);
        QVERIFY(r.token.isEmpty());
        QVERIFY(!r.error.contains(QString::fromLatin1(secret)));
    }
}

void TestAttestationOutput::rfc3339_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("utc"); // empty = must not parse

    QTest::newRow("zulu") << QStringLiteral("2025-10-28T12:00:00Z")
                          << QStringLiteral("2025-10-28T12:00:00.000Z");
    QTest::newRow("positive offset") << QStringLiteral("2025-10-28T12:00:00+05:30")
                                     << QStringLiteral("2025-10-28T06:30:00.000Z");
    QTest::newRow("negative offset crosses day") << QStringLiteral("2025-12-31T23:30:00-01:00")
                                                 << QStringLiteral("2026-01-01T00:30:00.000Z");
    QTest::newRow("fraction 1 digit")
        << QStringLiteral("2025-10-28T12:00:00.1Z") << QStringLiteral("2025-10-28T12:00:00.100Z");
    QTest::newRow("fraction 9 digits") << QStringLiteral("2025-10-28T12:00:00.123456789Z")
                                       << QStringLiteral("2025-10-28T12:00:00.123Z");
    QTest::newRow("fraction comma")
        << QStringLiteral("2025-10-28T12:00:00,25Z") << QStringLiteral("2025-10-28T12:00:00.250Z");
    QTest::newRow("leap day") << QStringLiteral("2024-02-29T00:00:00Z")
                              << QStringLiteral("2024-02-29T00:00:00.000Z");
    QTest::newRow("no zone") << QStringLiteral("2025-10-28T12:00:00") << QString();
    QTest::newRow("date only") << QStringLiteral("2025-10-28") << QString();
    QTest::newRow("space separator") << QStringLiteral("2025-10-28 12:00:00Z") << QString();
    QTest::newRow("lowercase z") << QStringLiteral("2025-10-28T12:00:00z") << QString();
    QTest::newRow("lowercase t") << QStringLiteral("2025-10-28t12:00:00Z") << QString();
    QTest::newRow("bad day") << QStringLiteral("2025-02-30T12:00:00Z") << QString();
    QTest::newRow("bad month") << QStringLiteral("2025-13-01T12:00:00Z") << QString();
    QTest::newRow("hour 24") << QStringLiteral("2025-10-28T24:00:00Z") << QString();
    QTest::newRow("leap second") << QStringLiteral("2025-12-31T23:59:60Z") << QString();
    QTest::newRow("offset without colon")
        << QStringLiteral("2025-10-28T12:00:00+0200") << QString();
    QTest::newRow("empty fraction") << QStringLiteral("2025-10-28T12:00:00.Z") << QString();
    QTest::newRow("trailing text") << QStringLiteral("2025-10-28T12:00:00Z ") << QString();
    QTest::newRow("unix seconds") << QStringLiteral("1767225600") << QString();
    QTest::newRow("empty") << QString() << QString();
}

void TestAttestationOutput::rfc3339() {
    QFETCH(QString, text);
    QFETCH(QString, utc);
    const auto parsed = parseRfc3339(text);
    if (utc.isEmpty()) {
        QVERIFY2(!parsed.has_value(), qPrintable(parsed ? parsed->toString() : QString()));
    } else {
        QVERIFY(parsed.has_value());
        QCOMPARE(parsed->timeSpec(), Qt::UTC);
        QCOMPARE(parsed->toString(Qt::ISODateWithMs), utc);
    }
}

void TestAttestationOutput::environment() {
    QProcessEnvironment base;
    base.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin"));
    base.insert(QStringLiteral("SHARED"), QStringLiteral("from-process"));
    base.insert(QStringLiteral("NEXUS_WEIGHT"), QStringLiteral("99"));

    QMap<QString, QString> configEnv;
    configEnv.insert(QStringLiteral("SHARED"), QStringLiteral("from-config"));
    configEnv.insert(QStringLiteral("NEXUS_BACKEND_NAME"), QStringLiteral("spoofed"));
    configEnv.insert(QStringLiteral("NEXUS_SESSION_NONCE"), QStringLiteral("spoofed"));

    AttestationIdentity id;
    id.backendName = QStringLiteral("edge-apps");
    id.hostnames = {QStringLiteral("app.example.com"), QStringLiteral("*.preview.example.com")};
    id.weight = 2;

    const QProcessEnvironment hs =
        buildCommandEnvironment(base, configEnv, id, AttestationStage::Handshake, QString());
    QCOMPARE(hs.value(QStringLiteral("PATH")), QStringLiteral("/usr/bin"));
    QCOMPARE(hs.value(QStringLiteral("SHARED")), QStringLiteral("from-config"));
    QCOMPARE(hs.value(QStringLiteral("NEXUS_ATTESTATION_STAGE")), QStringLiteral("handshake"));
    QVERIFY(hs.contains(QStringLiteral("NEXUS_SESSION_NONCE")));
    QCOMPARE(hs.value(QStringLiteral("NEXUS_SESSION_NONCE"), QStringLiteral("unset")), QString());
    QCOMPARE(hs.value(QStringLiteral("NEXUS_BACKEND_NAME")), QStringLiteral("edge-apps"));
    QCOMPARE(hs.value(QStringLiteral("NEXUS_HOSTNAMES")),
             QStringLiteral("app.example.com,*.preview.example.com"));
    QCOMPARE(hs.value(QStringLiteral("NEXUS_WEIGHT")), QStringLiteral("2"));
    for (const char* name :
         {"NEXUS_TCP_PORTS", "NEXUS_UDP_ROUTES", "NEXUS_ALLOWED_OUTBOUND_PORTS"}) {
        QVERIFY(hs.contains(QString::fromLatin1(name)));
        QCOMPARE(hs.value(QString::fromLatin1(name), QStringLiteral("unset")), QString());
    }
    QCOMPARE(hs.value(QStringLiteral("NEXUS_OUTBOUND_ALLOWED")), QStringLiteral("false"));

    const QProcessEnvironment re = buildCommandEnvironment(
        base, configEnv, id, AttestationStage::Reauth, QStringLiteral("nonce-2"));
    QCOMPARE(re.value(QStringLiteral("NEXUS_ATTESTATION_STAGE")), QStringLiteral("reauth"));
    QCOMPARE(re.value(QStringLiteral("NEXUS_SESSION_NONCE")), QStringLiteral("nonce-2"));
}

void TestAttestationOutput::environmentFormatting() {
    QCOMPARE(joinPorts({}), QString());
    QCOMPARE(joinPorts({22, 80, 443}), QStringLiteral("22,80,443"));
    QCOMPARE(formatUdpRoutes({}), QString());
    QCOMPARE(formatUdpRoutes({UdpRoute{53, 30}, UdpRoute{67, std::nullopt}, UdpRoute{69, 0}}),
             QStringLiteral("53:30,67,69:0"));
}

void TestAttestationOutput::stderrSummary_data() {
    QTest::addColumn<QByteArray>("stderrText");
    QTest::addColumn<QStringList>("secrets");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain words kept")
        << QByteArray("error: authorizer unreachable\n") << QStringList()
        << QStringLiteral("error: authorizer unreachable");
    QTest::newRow("whitespace collapsed") << QByteArray("line one\n\n  line\ttwo  \n")
                                          << QStringList() << QStringLiteral("line one line two");
    QTest::newRow("jwt redacted")
        << QByteArray("got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl but refused")
        << QStringList() << QStringLiteral("got [redacted] but refused");
    QTest::newRow("nonce redacted") << QByteArray("nonce=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg!")
                                    << QStringList() << QStringLiteral("nonce=[redacted]!");
    QTest::newRow("hex key redacted") << QByteArray("key 0123456789abcdef0123456789abcdef")
                                      << QStringList() << QStringLiteral("key [redacted]");
    QTest::newRow("long lowercase word kept")
        << QByteArray("attestation_helper_configuration missing") << QStringList()
        << QStringLiteral("attestation_helper_configuration missing");
    QTest::newRow("known secret redacted")
        << QByteArray("using api key hunter2!") << QStringList{QStringLiteral("hunter2")}
        << QStringLiteral("using api key [redacted]!");
    QTest::newRow("short secrets ignored")
        << QByteArray("a b c") << QStringList{QStringLiteral("b")} << QStringLiteral("a b c");
    QTest::newRow("empty") << QByteArray() << QStringList() << QString();
}

void TestAttestationOutput::stderrSummary() {
    QFETCH(QByteArray, stderrText);
    QFETCH(QStringList, secrets);
    QFETCH(QString, expected);
    QCOMPARE(summariseStderr(stderrText, secrets), expected);
}

QTEST_GUILESS_MAIN(TestAttestationOutput)
#include "tst_attestationoutput.moc"
