// Hostile input from the wire: truncated frames, unknown control bytes, unknown or reused client
// ids, oversized and deeply nested JSON, invalid UTF-8, wrong JSON types, data for streams that
// were never connected, connect floods. Each: a clear log line, no crash, the session stays up (or
// reconnects when the WebSocket itself is violated), memory stays bounded, other streams flow.
#include <QtTest>

#include <memory>

#include "ReliabilitySupport.h"
#include "protocol/ControlMessage.h"
#include "protocol/Frame.h"

using namespace nexustray;
using namespace nexustray::reliability;
using nexustray::hub::HubEmulator;

namespace {
QByteArray idText(const QUuid& id) {
    return id.toString(QUuid::WithoutBraces).toLatin1();
}
// JSON written with ' for " (moc cannot parse raw string literals).
QByteArray j(const char* text) {
    return QByteArray(text).replace('\'', '"');
}
QByteArray control(const QByteArray& json) {
    return QByteArray(1, '\x02') + json;
}
} // namespace

class TestHostile : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<LogCapture> m_log;

    quint16 relayPort() const { return m_hub->relayListenPort(443); }

    // A fresh stream still echoes: the session survived and processed everything before it.
    void verifyStillRelays(const char* text = "still alive") {
        CheckedUser user(relayPort(), "app.test", text);
        user.sendAll();
        QTRY_VERIFY_WITH_TIMEOUT(user.complete(), 10000);
        QVERIFY(!user.corrupt);
    }

private Q_SLOTS:
    void init() {
        m_log = std::make_unique<LogCapture>();
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());
        m_hub = std::make_unique<HubEmulator>(defaultHubOptions());
        QVERIFY(m_hub->start());
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_session = std::make_unique<Session>(
            defaultSettings(m_hub->backendUrl().toString(), m_echo->port(), closedPort()));
        m_session->start();
        QVERIFY(authenticated.wait(5000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
    }

    void cleanup() {
        m_session.reset();
        m_hub.reset();
        m_echo.reset();
        m_log.reset();
    }

    void truncatedAndUnknownFrames() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        const QByteArray id = QUuid::createUuid().toRfc4122();
        m_hub->sendRawBinary(QByteArray());
        m_hub->sendRawBinary(QByteArray(1, '\x01'));
        m_hub->sendRawBinary(QByteArray(1, '\x01') + id.left(15)); // 16 bytes: one short
        m_hub->sendRawBinary(QByteArray(1, '\x02'));               // control without JSON
        for (char type : {'\x00', '\x03', '\x7f', '\xff'})
            m_hub->sendRawBinary(QByteArray(1, type) + "payload");
        verifyStillRelays();
        QCOMPARE(closed.size(), 0);
        QVERIFY(m_log->contains(QStringLiteral("empty message")));
        QVERIFY(m_log->contains(QStringLiteral("data message shorter than 17 bytes")));
        QVERIFY(m_log->contains(QStringLiteral("unknown type byte 0xff")));
    }

    void wrongJsonTypesAndInvalidUtf8() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy disconnects(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        const QByteArray id = idText(QUuid::createUuid());
        const QList<QByteArray> bad = {
            j("{'event':'connect','client_id':'") + id + j("','conn_port':'443'}"),
            j("{'event':'connect','client_id':'") + id + j("','credits':'64'}"),
            j("{'event':'connect','client_id':42}"),
            j("{'event':17}"),
            j("{'event':'connect','client_id':'") + id + j("','is_tls':'yes'}"),
            j("{'event':'resume_stream','client_id':'") + id + j("','credits':1e3}"),
            j("{'event':'connect','client_id':'") + id + j("','credits':99999999999999999999}"),
            "{\"event\":\"connect\",\"client_id\":\"" + id +
                "\",\"hostname\":\"\xff\xfe\xc0\x80\"}",
            "{\"event\":\"connect\",\"client_id\":\"" + id + "\",\"hostname\":\"\\ud800\"}",
            j("['connect']"),
            j("'connect'"),
            j("{'event':'connect','client_id':'") + id + j("',}"),
            "{\"event\":\"connect\"\x00}",
        };
        for (const QByteArray& json : bad)
            m_hub->sendRawBinary(control(json));
        verifyStillRelays();
        QCOMPARE(closed.size(), 0);
        // Every wrongly typed field is refused with a log line; the parser may accept strings
        // with invalid UTF-8 (replacement characters), which then simply do not route.
        QVERIFY(m_log->count(QStringLiteral("malformed control message")) >= 9);
        for (const auto& d : disconnects)
            QCOMPARE(d.at(1).toString(), QStringLiteral("dial_failed"));
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 0);
    }

    void oversizedAndDeeplyNestedJson() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        // Just under the incoming message limit: parsed (a 900 KB hostname), answered with
        // dial_failed (no route), nothing kept.
        const QUuid id = QUuid::createUuid();
        QSignalSpy disconnects(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        m_hub->sendRawBinary(control(j("{'event':'connect','client_id':'") + idText(id) +
                                     j("','conn_port':9999,'hostname':'") +
                                     QByteArray(900 * 1024, 'a') + j("','credits':64}")));
        // Nesting far beyond the parser's depth limit: refused without recursion blow-up.
        m_hub->sendRawBinary(control(QByteArray(200000, '[')));
        m_hub->sendRawBinary(control(j("{'event':") + QByteArray(100000, '{')));
        verifyStillRelays();
        QTRY_VERIFY(std::any_of(disconnects.begin(), disconnects.end(), [&id](const auto& d) {
            return d.at(0).template value<QUuid>() == id && d.at(1).toString() == "dial_failed";
        }));
        QCOMPARE(closed.size(), 0);
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 0);
    }

    void messageAboveTheIncomingLimitEndsOnlyTheSession() {
        // A message above 1 MiB violates our WebSocket limit: the session is closed (1009) and
        // reconnects; it is never buffered.
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        const qint64 rssBefore = rssKb();
        m_hub->sendRawBinary(QByteArray(1, '\x01') + QUuid::createUuid().toRfc4122() +
                             QByteArray(protocol::kIncomingMessageLimit + 1, 'x'));
        QVERIFY(authenticated.wait(10000));
        QTRY_COMPARE(m_session->snapshot().state, SessionState::Connected);
        verifyStillRelays();
        QVERIFY(rssKb() - rssBefore < memoryBoundKb(64 * 1024));
    }

    void unknownIdsAndDataForStreamsNeverConnected() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy disconnects(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        const QUuid stray = QUuid::createUuid();
        for (const char* event : {"disconnect", "pong_client", "pause_stream", "ping_client"})
            m_hub->sendRawBinary(control(j("{'event':'") + QByteArray(event) +
                                         j("','client_id':'") + idText(stray) + j("'}")));
        m_hub->sendRawBinary(control(j("{'event':'resume_stream','client_id':'") + idText(stray) +
                                     j("','credits':1048576}")));
        // Data for 10,000 different streams that were never connected: one disconnect/unknown
        // each, and the memory of answered IDs stays bounded.
        const qint64 rssBefore = rssKb();
        constexpr int kIds = 10000;
        for (int i = 0; i < kIds; ++i)
            m_hub->sendRawBinary(protocol::encodeData(QUuid::createUuid(), "x"));
        QTRY_COMPARE_WITH_TIMEOUT(disconnects.size(), kIds, 20000);
        for (const auto& d : disconnects)
            QCOMPARE(d.at(1).toString(), QStringLiteral("unknown"));
        verifyStillRelays();
        QCOMPARE(closed.size(), 0);
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 0);
        QVERIFY(rssKb() - rssBefore < memoryBoundKb(64 * 1024));
    }

    void reusedClientIdReplacesTheStream() {
        QSignalSpy opened(m_hub.get(), &HubEmulator::streamOpened);
        CheckedUser first(relayPort(), "app.test", "first");
        first.sendAll();
        QTRY_VERIFY(first.complete());
        QCOMPARE(opened.size(), 1);
        const QUuid id = opened.first().at(0).value<QUuid>();
        const int echoConnections = m_echo->connectionCount();
        // The hub (wrongly) announces the same ID again: the old local connection is dropped and
        // a new one dialled; nothing of the old stream leaks into the new one.
        m_hub->sendRawBinary(control(j("{'event':'connect','client_id':'") + idText(id) +
                                     j("','conn_port':443,'hostname':'app.test','credits':64}")));
        QTRY_COMPARE(m_echo->connectionCount(), echoConnections + 1);
        QTRY_COMPARE(liveStreamObjects(m_session.get()), 1);
        QCOMPARE(m_session->snapshot().activeStreams, 1);
        verifyStillRelays();
        QVERIFY(!first.corrupt);
    }

    void connectFlood() {
        // 3,000 connects in one burst: 1,500 without a route, 1,500 to a port that refuses. Each
        // gets its forward credit and one dial_failed; no stream object or socket is left over.
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy disconnects(m_hub.get(), &HubEmulator::clientDisconnectReceived);
        const int tcpBefore = openTcpSocketCount();
        const qint64 rssBefore = rssKb();
        constexpr int kFlood = 3000;
        for (int i = 0; i < kFlood; ++i) {
            // Port 9999 has no mapping; down.test on 443 maps to a closed port.
            const QByteArray port = i % 2 ? "9999" : "443";
            m_hub->sendRawBinary(control(j("{'event':'connect','client_id':'") +
                                         idText(QUuid::createUuid()) + j("','conn_port':") + port +
                                         j(",'hostname':'down.test") + j("','credits':64}")));
        }
        QTRY_COMPARE_WITH_TIMEOUT(disconnects.size(), kFlood, 30000);
        for (const auto& d : disconnects)
            QCOMPARE(d.at(1).toString(), QStringLiteral("dial_failed"));
        QTRY_COMPARE_WITH_TIMEOUT(liveStreamObjects(m_session.get()), 0, 10000);
        QCOMPARE(m_session->snapshot().activeStreams, 0);
        QTRY_VERIFY2_WITH_TIMEOUT(openTcpSocketCount() <= tcpBefore,
                                  qPrintable(openFdTargets().join(QLatin1Char('\n'))), 20000);
        QCOMPARE(closed.size(), 0);
        QVERIFY(rssKb() - rssBefore < memoryBoundKb(64 * 1024));
        verifyStillRelays();
        qInfo("connect flood: %d connects answered, RSS %+lld kB", kFlood,
              static_cast<long long>(rssKb() - rssBefore));
    }

    void unexpectedTextMessages() {
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        m_hub->sendRawText(j("{'type':'handshake_challenge','nonce':'late'}"));
        m_hub->sendRawText("\xff\xfe not utf-8");
        m_hub->sendRawText(QByteArray(200000, '['));
        m_hub->sendRawText(j("{'type':17}"));
        verifyStillRelays();
        QCOMPARE(closed.size(), 0);
        // A reauth challenge without a nonce is a protocol error: the session closes and comes
        // back, with a clear log line.
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_hub->sendRawText(j("{'type':'reauth_challenge','nonce':'  '}"));
        QVERIFY(authenticated.wait(10000));
        QVERIFY(m_log->contains(QStringLiteral("reauth challenge without nonce")));
        verifyStillRelays();
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
