// Binary framing: protocol.md §4 receiving rules and the §11 data example, byte for byte.
#include <QtTest>

#include <cstring>

#include "protocol/Frame.h"

using namespace nexustray::protocol;

namespace {
const QUuid kId(QStringLiteral("6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11"));

QByteArray hex(const char* spaced) {
    return QByteArray::fromHex(QByteArray(spaced).replace(' ', ""));
}
} // namespace

class TestFrame : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dataHeaderIsRfc4122Order() {
        const QByteArray h = dataHeader(kId);
        QCOMPARE(h.size(), kDataHeaderSize);
        QCOMPARE(h, hex("01 6f 1c 0b 2a 9d 3e 4c 55 8a 10 2b 7e 4f 9c 0d 11"));
    }

    void wireExampleEncode() {
        const QByteArray expected =
            hex("01 6f 1c 0b 2a 9d 3e 4c 55 8a 10 2b 7e 4f 9c 0d 11 47 45 54 20 2f");
        QCOMPARE(encodeData(kId, QByteArrayView("GET /")), expected);
        QCOMPARE(encodeData(dataHeader(kId), QByteArrayView("GET /")), expected);
        QCOMPARE(expected.size(), 22);
    }

    void wireExampleDecode() {
        const QByteArray wire =
            hex("01 6f 1c 0b 2a 9d 3e 4c 55 8a 10 2b 7e 4f 9c 0d 11 47 45 54 20 2f");
        const DecodedMessage m = decodeMessage(wire);
        QCOMPARE(m.kind, DecodedMessage::Kind::Data);
        QCOMPARE(m.clientId, kId);
        QCOMPARE(m.payload.toByteArray(), QByteArray("GET /"));
        // the view points into the message, no copy
        QCOMPARE(m.payload.data(), wire.constData() + kDataHeaderSize);
    }

    void emptyPayloadIsLegal() {
        const QByteArray wire = encodeData(kId, QByteArrayView());
        QCOMPARE(wire.size(), 17);
        const DecodedMessage m = decodeMessage(wire);
        QCOMPARE(m.kind, DecodedMessage::Kind::Data);
        QCOMPARE(m.clientId, kId);
        QVERIFY(m.payload.isEmpty());
    }

    void maxPayloadRoundTrip() {
        QByteArray payload(kMaxDataPayload, '\0');
        for (int i = 0; i < payload.size(); ++i) {
            payload[i] = static_cast<char>(i * 7);
        }
        const QByteArray wire = encodeData(kId, payload);
        QCOMPARE(wire.size(), kMaxClientMessage);
        QCOMPARE(wire.size(), 32785);
        const DecodedMessage m = decodeMessage(wire);
        QCOMPARE(m.kind, DecodedMessage::Kind::Data);
        QCOMPARE(m.payload.toByteArray(), payload);
    }

    // The hot path's in-place encoder: the payload is written straight into the reused buffer.
    void inPlaceEncodingMatchesEncodeData() {
        QByteArray buffer;
        buffer.reserve(kMaxClientMessage);
        const char* storage = buffer.constData();
        const QByteArray header = dataHeader(kId);

        char* payload = beginData(buffer, header, kMaxDataPayload);
        QCOMPARE(payload, buffer.constData() + kDataHeaderSize);
        std::memcpy(payload, "GET /", 5);
        finishData(buffer, 5); // fewer bytes than room was made for
        QCOMPARE(buffer, encodeData(kId, QByteArrayView("GET /")));
        QCOMPARE(dataPayloadSize(buffer), qsizetype(5));

        // reused for the next message: same storage, no allocation
        beginData(buffer, header, 0);
        QCOMPARE(buffer, encodeData(kId, QByteArrayView()));
        QCOMPARE(dataPayloadSize(buffer), qsizetype(0));
        QCOMPARE(buffer.constData(), storage);

        // and it decodes back to the same id and payload (round trip)
        std::memcpy(beginData(buffer, header, 3), "abc", 3);
        const DecodedMessage m = decodeMessage(buffer);
        QCOMPARE(m.kind, DecodedMessage::Kind::Data);
        QCOMPARE(m.clientId, kId);
        QCOMPARE(m.payload.toByteArray(), QByteArray("abc"));
        QCOMPARE(buffer.constData(), storage);
    }

    void limits() {
        QCOMPARE(kMaxClientMessage, 32785);
        QVERIFY(kIncomingMessageLimit >= 65553);
    }

    void invalidInputs_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QString>("errorContains");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
        QTest::newRow("type 0x00") << hex("00 01 02") << QStringLiteral("0x00");
        QTest::newRow("type 0x07") << hex("07") << QStringLiteral("0x07");
        QTest::newRow("type 0xff") << hex("ff 7b 7d") << QStringLiteral("0xff");
        QTest::newRow("text-like")
            << QByteArray("{\"event\":\"connect\"}") << QStringLiteral("unknown type byte");
        QTest::newRow("data 1 byte") << hex("01") << QStringLiteral("17");
        QTest::newRow("data 16 bytes")
            << hex("01 6f 1c 0b 2a 9d 3e 4c 55 8a 10 2b 7e 4f 9c 0d") << QStringLiteral("17");
        QTest::newRow("control empty json") << hex("02") << QStringLiteral("malformed");
        QTest::newRow("control bad json")
            << QByteArray("\x02{\"event\":", 11) << QStringLiteral("malformed");
        QTest::newRow("control 64.0")
            << QByteArray("\x02{\"event\":\"resume_stream\",\"client_id\":"
                          "\"6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11\",\"credits\":64.0}")
            << QStringLiteral("credits");
    }
    void invalidInputs() {
        QFETCH(QByteArray, wire);
        QFETCH(QString, errorContains);
        const DecodedMessage m = decodeMessage(wire);
        QCOMPARE(m.kind, DecodedMessage::Kind::Invalid);
        QVERIFY2(m.error.contains(errorContains), qPrintable(m.error));
    }

    void controlRoundTrip() {
        ControlMessage c = makeResume(kId, 8);
        const QByteArray wire = encodeControl(c);
        QCOMPARE(wire.at(0), '\x02');
        QCOMPARE(wire.mid(1),
                 QByteArray(R"({"event":"resume_stream","client_id":"6f1c0b2a-9d3e-4c55-8a10-)"
                            R"(2b7e4f9c0d11","credits":8})"));
        const DecodedMessage m = decodeMessage(wire);
        QCOMPARE(m.kind, DecodedMessage::Kind::Control);
        QCOMPARE(m.control.event, ControlEvent::ResumeStream);
        QCOMPARE(m.control.clientId, kId);
        QCOMPARE(m.control.credits, qint64(8));
    }

    void randomIdsRoundTrip() {
        for (int i = 0; i < 200; ++i) {
            const QUuid id = QUuid::createUuid();
            const QByteArray wire = encodeData(id, QByteArrayView("x"));
            QCOMPARE(QByteArrayView(wire).sliced(1, 16).toByteArray(), id.toRfc4122());
            const DecodedMessage m = decodeMessage(wire);
            QCOMPARE(m.clientId, id);
            const DecodedMessage c = decodeMessage(encodeControl(makePing(id)));
            QCOMPARE(c.control.clientId, id);
        }
    }
};

QTEST_GUILESS_MAIN(TestFrame)
#include "tst_frame.moc"
