// RFC 6455 framing: the byte-exact vectors of protocol.md §12, word-wise masking against the
// byte-at-a-time definition, and header parsing of every length form.
#include <QtTest>

#include "websocket/WebSocketFraming.h"

using namespace nexustray;

namespace {
QByteArray hex(const char* text) {
    return QByteArray::fromHex(QByteArray(text).replace(' ', ""));
}

QByteArray naiveMask(const QByteArray& in, const quint8 key[4]) {
    QByteArray out = in;
    for (qsizetype i = 0; i < out.size(); ++i)
        out[i] = char(quint8(out[i]) ^ key[i % 4]);
    return out;
}
} // namespace

class TestWebSocketFraming : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void specVectorMaskedDataMessage() {
        // protocol.md §12: data message "GET /" for 6f1c0b2a-..., key 37 fa 21 3d
        const QByteArray message =
            hex("01 6f 1c 0b 2a 9d 3e 4c 55 8a 10 2b 7e 4f 9c 0d 11 47 45 54 20 2f");
        QByteArray frame;
        ws::appendMaskedFrame(frame, ws::Binary, message.constData(), message.size(), 0x37fa213d);
        QCOMPARE(frame, hex("82 96 37 fa 21 3d 36 95 3d 36 1d 67 1f 71 62 70 31 16 49 b5 bd 30 26 "
                            "bd 64 69 17 d5"));
    }

    void specVectorMaximalMessageHeader() {
        const QByteArray message(32785, 'x');
        QByteArray frame;
        ws::appendMaskedFrame(frame, ws::Binary, message.constData(), message.size(), 0x01020304);
        QCOMPARE(frame.left(8), hex("82 fe 80 11 01 02 03 04"));
        QCOMPARE(frame.size(), 8 + 32785);
    }

    void lengthForms_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<QByteArray>("header"); // without the key
        QTest::newRow("0") << 0 << hex("81 80");
        QTest::newRow("125") << 125 << hex("81 fd");
        QTest::newRow("126") << 126 << hex("81 fe 00 7e");
        QTest::newRow("65535") << 65535 << hex("81 fe ff ff");
        QTest::newRow("65536") << 65536 << hex("81 ff 00 00 00 00 00 01 00 00");
    }
    void lengthForms() {
        QFETCH(int, size);
        QFETCH(QByteArray, header);
        const QByteArray payload(size, 'a');
        QByteArray frame("prefix"); // appends, never overwrites
        ws::appendMaskedFrame(frame, ws::Text, payload.constData(), size, 0xa1b2c3d4);
        QVERIFY(frame.startsWith("prefix"));
        frame.remove(0, 6);
        QCOMPARE(frame.left(header.size()), header);
        QCOMPARE(frame.mid(header.size(), 4), hex("a1 b2 c3 d4"));
        const quint8 key[4] = {0xa1, 0xb2, 0xc3, 0xd4};
        QCOMPARE(frame.mid(header.size() + 4), naiveMask(payload, key));
        // and it parses back
        const auto parsed = ws::parseFrameHeader(frame.constData(), frame.size());
        QVERIFY(parsed);
        QVERIFY(parsed->fin && parsed->masked);
        QCOMPARE(parsed->opcode, ws::Text);
        QCOMPARE(parsed->payloadLength, quint64(size));
        QCOMPARE(parsed->headerLength, header.size() + 4);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(parsed->mask), 4), hex("a1 b2 c3 d4"));
    }

    void wordMaskingEqualsByteMasking() {
        const quint8 key[4] = {0x12, 0x9a, 0xff, 0x00};
        QRandomGenerator rng(7);
        QByteArray source(300, Qt::Uninitialized);
        for (char& c : source)
            c = char(rng.bounded(256));
        // every length and source/destination misalignment up to a few words
        for (int offset = 0; offset < 8; ++offset) {
            for (int size = 0; size < 70; ++size) {
                const QByteArray in = source.mid(offset, size);
                QByteArray out(size + 3, '\0');
                ws::maskBytes(out.data() + 3, source.constData() + offset, size, key);
                QCOMPARE(out.mid(3), naiveMask(in, key));
            }
        }
        // in place
        QByteArray inPlace = source;
        ws::maskBytes(inPlace.data(), inPlace.constData(), inPlace.size(), key);
        QCOMPARE(inPlace, naiveMask(source, key));
        ws::maskBytes(inPlace.data(), inPlace.constData(), inPlace.size(), key);
        QCOMPARE(inPlace, source);
    }

    void headerParsingNeedsEnoughBytes() {
        const QByteArray h16 = hex("82 7e 80 11");
        QVERIFY(!ws::parseFrameHeader(h16.constData(), 0));
        QVERIFY(!ws::parseFrameHeader(h16.constData(), 1));
        QVERIFY(!ws::parseFrameHeader(h16.constData(), 3));
        const auto p = ws::parseFrameHeader(h16.constData(), 4);
        QVERIFY(p);
        QCOMPARE(p->payloadLength, quint64(32785));
        QVERIFY(!p->masked);
        QCOMPARE(p->headerLength, 4);
        const QByteArray h64 = hex("02 7f 80 00 00 00 00 00 00 01"); // not FIN, top bit set
        QVERIFY(!ws::parseFrameHeader(h64.constData(), 9));
        const auto q = ws::parseFrameHeader(h64.constData(), 10);
        QVERIFY(q);
        QVERIFY(!q->fin);
        QCOMPARE(q->payloadLength, quint64(0x8000000000000001ull)); // the caller's limit rejects it
        const QByteArray rsv = hex("f1 00");
        QCOMPARE(ws::parseFrameHeader(rsv.constData(), 2)->rsv, quint8(7));
        const QByteArray masked = hex("81 85 01 02 03");
        QVERIFY(!ws::parseFrameHeader(masked.constData(), 5)); // key incomplete
    }

    void closeCodeValidity() {
        // RFC 6455 §7.4.1/§7.4.2 and the IANA registry (1012-1014)
        for (const int ok : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999})
            QVERIFY2(ws::isValidCloseCode(quint16(ok)), qPrintable(QString::number(ok)));
        for (const int bad : {0, 999, 1004, 1005, 1006, 1015, 1016, 1999, 2000, 2999, 5000, 65535})
            QVERIFY2(!ws::isValidCloseCode(quint16(bad)), qPrintable(QString::number(bad)));
    }

    void closeReasonIsCutAtACodePointBoundary_data() {
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("bytes");
        QTest::newRow("short") << QStringLiteral("bye") << 3;
        QTest::newRow("exactly 123") << QString(123, QLatin1Char('a')) << 123;
        QTest::newRow("2-byte") << QStringLiteral("ab") + QString(80, QChar(0x00e9)) << 122;
        QTest::newRow("3-byte") << QString(50, QChar(0x20ac)) << 123;
        QTest::newRow("3-byte shifted") << QStringLiteral("a") + QString(50, QChar(0x20ac)) << 121;
        QTest::newRow("4-byte") << QStringLiteral("ab") +
                                       QString::fromUtf8("\xf0\x9f\x98\x80").repeated(40)
                                << 122;
    }
    void closeReasonIsCutAtACodePointBoundary() {
        QFETCH(QString, reason);
        QFETCH(int, bytes);
        const QByteArray cut = ws::closeReasonBytes(reason);
        QCOMPARE(cut.size(), bytes);
        QStringDecoder utf8(QStringDecoder::Utf8);
        const QString back = utf8(cut);
        QVERIFY(!utf8.hasError());
        QVERIFY(reason.startsWith(back));
    }
};

QTEST_GUILESS_MAIN(TestWebSocketFraming)
#include "tst_websocketframing.moc"
