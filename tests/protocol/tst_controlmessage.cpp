// Control JSON: the §11 examples byte for byte in both directions, and the strict receiving
// rules of §4 (wrong types, 64.0, empty/malformed client_id, unknown events).
#include <QtTest>

#include "protocol/ControlMessage.h"

using namespace nexustray::protocol;

Q_DECLARE_METATYPE(nexustray::protocol::ControlEvent)

namespace {
const QUuid kId(QStringLiteral("6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11"));
const QByteArray kIdJson("\"6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11\"");

QByteArray withId(const char* before, const char* after) {
    return QByteArray(before) + kIdJson + QByteArray(after);
}

ControlMessage base(ControlEvent e) {
    ControlMessage m;
    m.event = e;
    m.rawEvent = eventName(e);
    m.clientId = kId;
    return m;
}
} // namespace

class TestControlMessage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Every §11 control example: parse, check fields, serialize back to the same bytes.
    void wireExamples_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<ControlMessage>("expected");

        auto connect443 = base(ControlEvent::Connect);
        connect443.connPort = 443;
        connect443.clientIp = QStringLiteral("203.0.113.7:51544");
        connect443.transport = QStringLiteral("tcp");
        connect443.hostname = QStringLiteral("app.example.com");
        connect443.isTls = true;
        connect443.credits = 64;
        QTest::newRow("connect tls")
            << withId(R"({"event":"connect","client_id":)",
                      R"(,"conn_port":443,"client_ip":"203.0.113.7:51544","transport":"tcp",)"
                      R"("hostname":"app.example.com","is_tls":true,"credits":64})")
            << connect443;

        auto connect80 = base(ControlEvent::Connect);
        connect80.connPort = 80;
        connect80.clientIp = QStringLiteral("[2001:db8::7]:51544");
        connect80.transport = QStringLiteral("tcp");
        connect80.hostname = QStringLiteral("app.example.com");
        connect80.credits = 64;
        QTest::newRow("connect v6")
            << withId(R"({"event":"connect","client_id":)",
                      R"(,"conn_port":80,"client_ip":"[2001:db8::7]:51544","transport":"tcp",)"
                      R"("hostname":"app.example.com","credits":64})")
            << connect80;

        auto connectUdp = base(ControlEvent::Connect);
        connectUdp.connPort = 53;
        connectUdp.clientIp = QStringLiteral("198.51.100.9:40000");
        connectUdp.transport = QStringLiteral("udp");
        connectUdp.hostname = QStringLiteral("udp:53");
        connectUdp.credits = 64;
        QTest::newRow("connect udp")
            << withId(R"({"event":"connect","client_id":)",
                      R"(,"conn_port":53,"client_ip":"198.51.100.9:40000","transport":"udp",)"
                      R"("hostname":"udp:53","credits":64})")
            << connectUdp;

        QTest::newRow("hub disconnect") << withId(R"({"event":"disconnect","client_id":)", "}")
                                        << base(ControlEvent::Disconnect);
        QTest::newRow("pong_client") << withId(R"({"event":"pong_client","client_id":)", "}")
                                     << base(ControlEvent::PongClient);
        auto resume8 = base(ControlEvent::ResumeStream);
        resume8.credits = 8;
        QTest::newRow("resume 8") << withId(R"({"event":"resume_stream","client_id":)",
                                            R"(,"credits":8})")
                                  << resume8;
        auto okResult = base(ControlEvent::OutboundResult);
        okResult.success = true;
        okResult.credits = 64;
        QTest::newRow("outbound ok") << withId(R"({"event":"outbound_result","client_id":)",
                                               R"(,"success":true,"credits":64})")
                                     << okResult;
        auto badResult = base(ControlEvent::OutboundResult);
        badResult.reason = QStringLiteral("outbound port 25 not allowed by server");
        QTest::newRow("outbound failed")
            << withId(R"({"event":"outbound_result","client_id":)",
                      R"(,"reason":"outbound port 25 not allowed by server"})")
            << badResult;

        auto resume64 = base(ControlEvent::ResumeStream);
        resume64.credits = 64;
        QTest::newRow("client resume 64")
            << withId(R"({"event":"resume_stream","client_id":)", R"(,"credits":64})") << resume64;
        auto dialFailed = base(ControlEvent::Disconnect);
        dialFailed.reason = QStringLiteral("dial_failed");
        QTest::newRow("client disconnect")
            << withId(R"({"event":"disconnect","client_id":)", R"(,"reason":"dial_failed"})")
            << dialFailed;
        QTest::newRow("ping_client") << withId(R"({"event":"ping_client","client_id":)", "}")
                                     << base(ControlEvent::PingClient);
        auto pause = base(ControlEvent::PauseStream);
        pause.reason = QStringLiteral("buffer_full");
        QTest::newRow("pause") << withId(R"({"event":"pause_stream","client_id":)",
                                         R"(,"reason":"buffer_full"})")
                               << pause;
        QTest::newRow("plain resume") << withId(R"({"event":"resume_stream","client_id":)", "}")
                                      << base(ControlEvent::ResumeStream);
        auto outbound = base(ControlEvent::OutboundConnect);
        outbound.targetAddr = QStringLiteral("[::1]:25");
        QTest::newRow("outbound_connect") << withId(R"({"event":"outbound_connect","client_id":)",
                                                    R"(,"target_addr":"[::1]:25"})")
                                          << outbound;
    }
    void wireExamples() {
        QFETCH(QByteArray, json);
        QFETCH(ControlMessage, expected);
        QString error;
        const auto parsed = parseControl(json, &error);
        QVERIFY2(parsed.has_value(), qPrintable(error));
        QCOMPARE(parsed->event, expected.event);
        QCOMPARE(parsed->rawEvent, eventName(expected.event));
        QCOMPARE(parsed->clientId, expected.clientId);
        QCOMPARE(parsed->connPort, expected.connPort);
        QCOMPARE(parsed->clientIp, expected.clientIp);
        QCOMPARE(parsed->transport, expected.transport);
        QCOMPARE(parsed->hostname, expected.hostname);
        QCOMPARE(parsed->isTls, expected.isTls);
        QCOMPARE(parsed->reason, expected.reason);
        QCOMPARE(parsed->targetAddr, expected.targetAddr);
        QCOMPARE(parsed->success, expected.success);
        QCOMPARE(parsed->credits, expected.credits);
        QCOMPARE(serializeControl(expected), json);
        QCOMPARE(serializeControl(*parsed), json);
    }

    void builders() {
        QCOMPARE(serializeControl(makeDisconnect(kId, QStringLiteral("dial_failed"))),
                 withId(R"({"event":"disconnect","client_id":)", R"(,"reason":"dial_failed"})"));
        QCOMPARE(serializeControl(makeResume(kId, 64)),
                 withId(R"({"event":"resume_stream","client_id":)", R"(,"credits":64})"));
        QCOMPARE(serializeControl(makeResume(kId, 0)),
                 withId(R"({"event":"resume_stream","client_id":)", "}"));
        QCOMPARE(serializeControl(makePause(kId)),
                 withId(R"({"event":"pause_stream","client_id":)", R"(,"reason":"buffer_full"})"));
        QCOMPARE(serializeControl(makePing(kId)),
                 withId(R"({"event":"ping_client","client_id":)", "}"));
    }

    void zeroValuesOmitted() {
        ControlMessage m = base(ControlEvent::Connect);
        m.isTls = false;
        m.success = false;
        m.credits = 0;
        m.connPort = 0;
        QCOMPARE(serializeControl(m), withId(R"({"event":"connect","client_id":)", "}"));
        ControlMessage empty;
        QCOMPARE(serializeControl(empty), QByteArray("{}"));
    }

    void goEscapes() {
        ControlMessage m = makeDisconnect(kId, QStringLiteral("a<b>&\"c\\\n\x01\u2028ü"));
        const QByteArray json = serializeControl(m);
        QCOMPARE(json, withId(R"({"event":"disconnect","client_id":)",
                              R"(,"reason":"a\u003cb\u003e\u0026\"c\\\n\u0001\u2028)"
                              "\xc3\xbc\"}"));
        const auto back = parseControl(json);
        QVERIFY(back);
        QCOMPARE(back->reason, m.reason);
    }

    void parsesEscapesAndSurrogates() {
        const auto m = parseControl(
            R"({"event":"disconnect","reason":"\u003cx\u003e \ud83d\ude00 \/ \ud800"})");
        QVERIFY(m);
        QCOMPARE(m->reason, QStringLiteral("<x> \U0001F600 / \uFFFD"));
    }

    // Values that must make the whole message invalid.
    void refused_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("whitespace") << QByteArray("  ");
        QTest::newRow("truncated") << QByteArray(R"({"event":"connect")");
        QTest::newRow("trailing comma") << QByteArray(R"({"event":"connect",})");
        QTest::newRow("trailing garbage") << QByteArray(R"({"event":"connect"} x)");
        QTest::newRow("two objects") << QByteArray(R"({}{})");
        QTest::newRow("array") << QByteArray(R"([1,2])");
        QTest::newRow("string") << QByteArray(R"("connect")");
        QTest::newRow("single quotes") << QByteArray(R"({'event':'connect'})");
        QTest::newRow("raw control char") << QByteArray("{\"reason\":\"a\tb\"}");
        QTest::newRow("bad escape") << QByteArray(R"({"reason":"\x41"})");
        QTest::newRow("leading zero") << QByteArray(R"({"credits":064})");
        QTest::newRow("credits 64.0") << QByteArray(R"({"event":"resume_stream","credits":64.0})");
        QTest::newRow("credits 1e2") << QByteArray(R"({"event":"resume_stream","credits":1e2})");
        QTest::newRow("credits string") << QByteArray(R"({"event":"resume_stream","credits":"8"})");
        QTest::newRow("credits bool") << QByteArray(R"({"event":"resume_stream","credits":true})");
        QTest::newRow("credits overflow")
            << QByteArray(R"({"event":"resume_stream","credits":9223372036854775808})");
        QTest::newRow("conn_port 443.0") << QByteArray(R"({"event":"connect","conn_port":443.0})");
        QTest::newRow("conn_port string") << QByteArray(R"({"event":"connect","conn_port":"443"})");
        QTest::newRow("conn_port too big")
            << QByteArray(R"({"event":"connect","conn_port":4294967296})");
        QTest::newRow("event number") << QByteArray(R"({"event":1})");
        QTest::newRow("event object") << QByteArray(R"({"event":{}})");
        QTest::newRow("is_tls string") << QByteArray(R"({"event":"connect","is_tls":"true"})");
        QTest::newRow("is_tls number") << QByteArray(R"({"event":"connect","is_tls":1})");
        QTest::newRow("success string")
            << QByteArray(R"({"event":"outbound_result","success":"yes"})");
        QTest::newRow("hostname number") << QByteArray(R"({"event":"connect","hostname":5})");
        QTest::newRow("client_ip array") << QByteArray(R"({"event":"connect","client_ip":[]})");
        QTest::newRow("reason bool") << QByteArray(R"({"event":"disconnect","reason":false})");
        QTest::newRow("target_addr number")
            << QByteArray(R"({"event":"outbound_connect","target_addr":25})");
        QTest::newRow("transport number") << QByteArray(R"({"event":"connect","transport":6})");
        QTest::newRow("client_id empty") << QByteArray(R"({"event":"disconnect","client_id":""})");
        QTest::newRow("client_id short")
            << QByteArray(R"({"event":"disconnect","client_id":"6f1c0b2a-9d3e-4c55-8a10"})");
        QTest::newRow("client_id bad hex") << QByteArray(
            R"({"event":"disconnect","client_id":"6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0dzz"})");
        QTest::newRow("client_id bad dashes") << QByteArray(
            R"({"event":"disconnect","client_id":"6f1c0b2a9-d3e-4c55-8a10-2b7e4f9c0d11"})");
        QTest::newRow("client_id number") << QByteArray(R"({"event":"disconnect","client_id":7})");
        QTest::newRow("client_id spaces") << QByteArray(
            R"({"event":"disconnect","client_id":" 6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11"})");
    }
    void refused() {
        QFETCH(QByteArray, json);
        QString error;
        QVERIFY(!parseControl(json, &error).has_value());
        QVERIFY(!error.isEmpty());
    }

    void acceptedForms_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("canonical") << withId(R"({"event":"disconnect","client_id":)", "}");
        QTest::newRow("upper case") << QByteArray(
            R"({"event":"disconnect","client_id":"6F1C0B2A-9D3E-4C55-8A10-2B7E4F9C0D11"})");
        QTest::newRow("braces") << QByteArray(
            R"({"event":"disconnect","client_id":"{6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11}"})");
        QTest::newRow("urn") << QByteArray(
            R"({"event":"disconnect","client_id":"urn:uuid:6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11"})");
        QTest::newRow("plain hex") << QByteArray(
            R"({"event":"disconnect","client_id":"6f1c0b2a9d3e4c558a102b7e4f9c0d11"})");
        QTest::newRow("whitespace and unknown keys") << QByteArray(
            " {\n \"event\" : \"disconnect\" , \"x\":[1,{\"y\":null},2.5e3,true], "
            "\"client_id\":\"6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11\", \"z\":{} } \r\n");
        QTest::newRow("case-insensitive keys") << QByteArray(
            R"({"Event":"disconnect","CLIENT_ID":"6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11"})");
    }
    void acceptedForms() {
        QFETCH(QByteArray, json);
        QString error;
        const auto m = parseControl(json, &error);
        QVERIFY2(m, qPrintable(error));
        QCOMPARE(m->event, ControlEvent::Disconnect);
        QCOMPARE(m->clientId, kId);
    }

    void duplicateKeysLastWins() {
        const auto m = parseControl(R"({"event":"resume_stream","credits":1,"credits":8})");
        QVERIFY(m);
        QCOMPARE(m->credits, qint64(8));
        // a bad duplicate still invalidates the message, as in Go
        QVERIFY(!parseControl(R"({"event":"resume_stream","credits":8.5,"credits":8})"));
    }

    void absentClientIdIsNull() {
        const auto m = parseControl(R"({"event":"disconnect"})");
        QVERIFY(m);
        QVERIFY(m->clientId.isNull());
        const auto n = parseControl(R"({"event":"disconnect","client_id":null})");
        QVERIFY(n);
        QVERIFY(n->clientId.isNull());
    }

    void absentFieldsAreZero() {
        const auto m = parseControl(withId(R"({"event":"connect","client_id":)", "}"));
        QVERIFY(m);
        QCOMPARE(m->connPort, 0);
        QCOMPARE(m->credits, qint64(0));
        QVERIFY(!m->isTls);
        QVERIFY(!m->success);
        QVERIFY(m->transport.isEmpty());
        QVERIFY(!m->isUdp());
    }

    void integerEdges() {
        auto m = parseControl(R"({"event":"resume_stream","credits":-0})");
        QVERIFY(m);
        QCOMPARE(m->credits, qint64(0));
        m = parseControl(R"({"event":"resume_stream","credits":9223372036854775807})");
        QVERIFY(m);
        QCOMPARE(m->credits, std::numeric_limits<qint64>::max());
        m = parseControl(R"({"event":"resume_stream","credits":-8})");
        QVERIFY(m);
        QCOMPARE(m->credits, qint64(-8));
    }

    void unknownEvent() {
        const auto m = parseControl(withId(R"({"event":"teleport","client_id":)", "}"));
        QVERIFY(m);
        QCOMPARE(m->event, ControlEvent::Unknown);
        QCOMPARE(m->rawEvent, QStringLiteral("teleport"));
        // events are case-sensitive
        const auto c = parseControl(R"({"event":"Connect"})");
        QVERIFY(c);
        QCOMPARE(c->event, ControlEvent::Unknown);
        QCOMPARE(c->rawEvent, QStringLiteral("Connect"));
        const auto none = parseControl("{}");
        QVERIFY(none);
        QCOMPARE(none->event, ControlEvent::Unknown);
        QVERIFY(none->rawEvent.isEmpty());
        // an unknown event is written back as received
        QCOMPARE(serializeControl(*m), withId(R"({"event":"teleport","client_id":)", "}"));
    }

    void eventNames() {
        QCOMPARE(eventName(ControlEvent::Unknown), QString());
        for (auto e :
             {ControlEvent::Connect, ControlEvent::Disconnect, ControlEvent::PingClient,
              ControlEvent::PongClient, ControlEvent::PauseStream, ControlEvent::ResumeStream,
              ControlEvent::OutboundConnect, ControlEvent::OutboundResult}) {
            QCOMPARE(eventFromName(eventName(e)), e);
        }
    }

    void challenges() {
        const QByteArray nonce = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_0123";
        QCOMPARE(nonce.size(), 43);
        Challenge c;
        c.type = Challenge::Type::Handshake;
        c.nonce = QString::fromLatin1(nonce);
        const QByteArray text = serializeChallenge(c);
        QCOMPARE(text, "{\"type\":\"handshake_challenge\",\"nonce\":\"" + nonce + "\"}");
        auto back = parseChallenge(text);
        QVERIFY(back);
        QCOMPARE(back->type, Challenge::Type::Handshake);
        QCOMPARE(back->nonce, c.nonce);

        c.type = Challenge::Type::Reauth;
        QCOMPARE(serializeChallenge(c),
                 "{\"type\":\"reauth_challenge\",\"nonce\":\"" + nonce + "\"}");
        back = parseChallenge(serializeChallenge(c));
        QVERIFY(back);
        QCOMPARE(back->type, Challenge::Type::Reauth);

        back = parseChallenge(R"({"type":"something_else","nonce":"x"})");
        QVERIFY(back);
        QCOMPARE(back->type, Challenge::Type::Other);
        QCOMPARE(back->rawType, QStringLiteral("something_else"));

        back = parseChallenge(R"({"type":"handshake_challenge"})");
        QVERIFY(back);
        QVERIFY(back->nonce.isEmpty());

        QVERIFY(!parseChallenge("eyJhbGciOi.x.y"));
        QVERIFY(!parseChallenge(R"({"nonce":"x"})"));
        QVERIFY(!parseChallenge(R"({"type":5,"nonce":"x"})"));
        QVERIFY(!parseChallenge(R"({"type":"reauth_challenge","nonce":5})"));
        QVERIFY(!parseChallenge(R"(["handshake_challenge"])"));
    }
};

QTEST_GUILESS_MAIN(TestControlMessage)
#include "tst_controlmessage.moc"
