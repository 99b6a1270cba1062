// The hub emulator's WebSocket side against a raw client: handshake (protocol.md §2), failures
// and their close codes (§2.3), re-authentication (§3), the message limit (§1.3), keepalive and
// deadlines (§1.4), hostile input, and session teardown hooks.
#include <QtTest>

#include "HubClientDriver.h"
#include "TestTokens.h"
#include "hub/HubEmulator.h"
#include "protocol/Frame.h"

#include <QJsonArray>
#include <QRegularExpression>

using namespace nexustray;
using namespace nexustray::hub;
using namespace nexustray::protocol;
using test::HubClientDriver;
using test::TestTokens;

namespace {
const QByteArray kSecret = "hub-test-secret";

QJsonObject goodClaims(int weight = 1) {
    return TestTokens::claims(
        QStringLiteral("backend-a"),
        {QStringLiteral("App.Example.com"), QStringLiteral("*.preview.example.com")}, weight);
}

QString tokenText(const QJsonObject& claims) {
    return QString::fromLatin1(TestTokens::mint(kSecret, claims));
}
} // namespace

class TestHubAuth : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> m_hub;

    HubEmulator& startHub(HubOptions options = {}) {
        options.jwtSecret = kSecret;
        m_hub = std::make_unique<HubEmulator>(options);
        QString error;
        if (!m_hub->start(&error)) {
            qFatal("hub start failed: %s", qPrintable(error));
        }
        return *m_hub;
    }

    // Opens a client and sends a stage-0 token; returns the challenge nonce ("" if none came).
    QString stage0(HubClientDriver& client, const QJsonObject& claims) {
        if (!client.open(m_hub->backendUrl())) {
            return QString();
        }
        client.socket().sendTextMessage(tokenText(claims));
        const auto text = client.waitForText();
        if (!text) {
            return QString();
        }
        const auto challenge = parseChallenge(text->toUtf8());
        return challenge ? challenge->nonce : QString();
    }

    // Authenticates `client` and waits for the hub to confirm.
    bool authenticate(HubClientDriver& client, const QJsonObject& claims) {
        QSignalSpy spy(m_hub.get(), &HubEmulator::sessionAuthenticated);
        if (!client.open(m_hub->backendUrl()) || client.authenticate(kSecret, claims).isEmpty()) {
            return false;
        }
        return spy.count() > 0 || spy.wait(5000);
    }

private Q_SLOTS:
    void cleanup() { m_hub.reset(); }

    void goodHandshake() {
        startHub();
        HubClientDriver client;
        QVERIFY(client.open(m_hub->backendUrl()));
        QCOMPARE(m_hub->backendUrl().path(), QStringLiteral("/connect"));
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);

        client.socket().sendTextMessage(tokenText(goodClaims(3)));
        const auto text = client.waitForText();
        QVERIFY(text);
        static const QRegularExpression exact(QStringLiteral(
            R"re(^\{"type":"handshake_challenge","nonce":"([A-Za-z0-9_-]{43})"\}$)re"));
        const auto match = exact.match(*text);
        QVERIFY2(match.hasMatch(), qPrintable(*text));
        const QString nonce = match.captured(1);
        QVERIFY(authenticated.isEmpty()); // not before stage 1

        client.socket().sendTextMessage(tokenText(TestTokens::withNonce(goodClaims(3), nonce)));
        QVERIFY(authenticated.wait(5000));
        QCOMPARE(authenticated.at(0).at(0).toString(), QStringLiteral("backend-a"));
        QCOMPARE(authenticated.at(0).at(1).toStringList(),
                 QStringList(
                     {QStringLiteral("app.example.com"), QStringLiteral("*.preview.example.com")}));
        QCOMPARE(authenticated.at(0).at(2).toInt(), 3);
        QCOMPARE(m_hub->stats().authenticatedSessions, 1);
        // Success is silent: nothing arrives after stage 1 (up to the answer to a later message).
        QVERIFY(client.roundTrip());
        QVERIFY(client.texts.isEmpty());
        QVERIFY(client.controls.isEmpty());
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);

        // Two handshakes never share a nonce.
        HubClientDriver other;
        const QString otherNonce = stage0(other, goodClaims());
        QCOMPARE(otherNonce.size(), 43);
        QVERIFY(otherNonce != nonce);
    }

    void defaultsAndVariants() {
        startHub();
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        // weight absent -> 1, aud as a plain string, HS512, hostnames with blanks/trailing dot
        QJsonObject claims = goodClaims();
        claims.remove(QStringLiteral("weight"));
        claims.insert(QStringLiteral("aud"), QStringLiteral("nexus"));
        claims.insert(QStringLiteral("hostnames"),
                      QJsonArray{QStringLiteral(" "), QStringLiteral("Shop.Example.COM.")});
        HubClientDriver client;
        QVERIFY(client.open(m_hub->backendUrl()));
        client.socket().sendTextMessage(
            QString::fromLatin1(TestTokens::mint(kSecret, claims, "HS512")));
        const auto challenge = parseChallenge(client.waitForText().value_or(QString()).toUtf8());
        QVERIFY(challenge);
        client.socket().sendTextMessage(QString::fromLatin1(
            TestTokens::mint(kSecret, TestTokens::withNonce(claims, challenge->nonce), "HS384")));
        QVERIFY(authenticated.wait(5000));
        QCOMPARE(authenticated.at(0).at(1).toStringList(),
                 QStringList({QStringLiteral("shop.example.com")}));
        QCOMPARE(authenticated.at(0).at(2).toInt(), 1);
    }

    // Stage-0 refusals: 1008 with the hub's error text as the reason.
    void stage0Refused_data() {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("reason");
        auto with = [](const char* key, const QJsonValue& v) {
            QJsonObject c = goodClaims();
            c.insert(QLatin1String(key), v);
            return TestTokens::mint(kSecret, c);
        };
        auto without = [](const char* key) {
            QJsonObject c = goodClaims();
            c.remove(QLatin1String(key));
            return TestTokens::mint(kSecret, c);
        };
        QTest::newRow("bad signature")
            << TestTokens::mint("another-secret", goodClaims())
            << QStringLiteral("stage0 token validation failed: jwt validation failed: token "
                              "signature is invalid: signature is invalid");
        QTest::newRow("wrong iss")
            << with("iss", QStringLiteral("someone"))
            << QStringLiteral("stage0 token validation failed: jwt validation failed: token has "
                              "invalid claims: token has invalid issuer");
        QTest::newRow("wrong aud")
            << with("aud", QJsonArray{QStringLiteral("web")})
            << QStringLiteral("stage0 token validation failed: jwt validation failed: token has "
                              "invalid claims: token has invalid audience");
        QTest::newRow("expired")
            << with("exp", QDateTime::currentSecsSinceEpoch() - 1)
            << QStringLiteral("stage0 token validation failed: jwt validation failed: token has "
                              "invalid claims: token is expired");
        QTest::newRow("not yet valid")
            << with("nbf", QDateTime::currentSecsSinceEpoch() + 100)
            << QStringLiteral("stage0 token validation failed: jwt validation failed: token has "
                              "invalid claims: token is not valid yet");
        QTest::newRow("no routes")
            << without("hostnames")
            << QStringLiteral("stage0 token missing hostnames and port claims");
        QTest::newRow("reserved prefix")
            << with("hostnames", QJsonArray{QStringLiteral("TCP:22")})
            << QStringLiteral("stage0 token hostname tcp:22 uses a reserved route prefix");
        QTest::newRow("outbound disabled")
            << with("outbound_allowed", true)
            << QStringLiteral("outbound connections are disabled on this proxy");
        QJsonObject old = goodClaims();
        old.insert(QStringLiteral("handshake_max_age_seconds"), 5);
        old.insert(QStringLiteral("iat"), QDateTime::currentSecsSinceEpoch() - 30);
        QTest::newRow("too old") << TestTokens::mint(kSecret, old)
                                 << QStringLiteral("stage0 token too old: issued 3");
        old.remove(QStringLiteral("iat"));
        QTest::newRow("max age without iat")
            << TestTokens::mint(kSecret, old)
            << QStringLiteral("stage0 token missing iat required by handshake_max_age_seconds");
        QTest::newRow("weight 2.0")
            << TestTokens::mintRaw(kSecret, R"({"iss":"authorizer","aud":["nexus"],)"
                                            R"("hostnames":["a.example.com"],"weight":2.0})")
            << QStringLiteral("stage0 token validation failed: jwt validation failed: token is "
                              "malformed: could not JSON decode claim: json: cannot unmarshal "
                              "into Go struct field weight of type int"); // > 123 bytes: dropped
        QTest::newRow("json wrapped")
            << QByteArray(R"({"token":"x"})")
            << QStringLiteral("stage0 token validation failed: jwt validation failed: token is "
                              "malformed: token contains an invalid number of segments");
    }
    void stage0Refused() {
        QFETCH(QByteArray, token);
        QFETCH(QString, reason); // the full reason, or a prefix of it
        startHub();
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        HubClientDriver client;
        QVERIFY(client.open(m_hub->backendUrl()));
        client.socket().sendTextMessage(QString::fromLatin1(token));
        QVERIFY(client.waitForDisconnected());
        QVERIFY(client.texts.isEmpty()); // no challenge
        QTRY_COMPARE(closed.count(), 1);
        const QString hubReason = closed.at(0).at(2).toString();
        QVERIFY2(hubReason.startsWith(reason), qPrintable(hubReason));
        if (hubReason.toUtf8().size() <= 123) {
            QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
            QCOMPARE(client.socket().closeReason(), hubReason);
            QCOMPARE(closed.at(0).at(1).toInt(), 1008);
        } else {
            QVERIFY(client.droppedWithoutCloseFrame());
            QCOMPARE(closed.at(0).at(1).toInt(), 1006);
        }
        QCOMPARE(m_hub->stats().sessionsRejected, quint64(1));
        QCOMPARE(m_hub->stats().authenticatedSessions, 0);
    }

    // A missing aud gives a 135-byte reason: no close frame at all (client sees 1006).
    void longReasonDropsWithoutCloseFrame() {
        startHub();
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QJsonObject c = goodClaims();
        c.remove(QStringLiteral("aud"));
        HubClientDriver client;
        QVERIFY(client.open(m_hub->backendUrl()));
        client.socket().sendTextMessage(tokenText(c));
        QVERIFY(client.waitForDisconnected());
        QVERIFY(client.droppedWithoutCloseFrame());
        QVERIFY(client.socket().closeReason().isEmpty());
        QTRY_COMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toInt(), 1006);
        const QString reason = closed.at(0).at(2).toString();
        QCOMPARE(reason.toUtf8().size(), 135);
    }

    // A 43-character wrong nonce makes a 124-byte reason (dropped); a short one fits (1008).
    void stage1NonceMismatch() {
        startHub();
        {
            HubClientDriver client;
            const QString nonce = stage0(client, goodClaims());
            QCOMPARE(nonce.size(), 43);
            const QString wrong(43, QLatin1Char('A'));
            client.socket().sendTextMessage(tokenText(TestTokens::withNonce(goodClaims(), wrong)));
            QVERIFY(client.waitForDisconnected());
            QVERIFY(client.droppedWithoutCloseFrame());
            QCOMPARE((QStringLiteral("session nonce mismatch: expected %1 got %2")
                          .arg(nonce, wrong)
                          .toUtf8()
                          .size()),
                     124);
        }
        {
            HubClientDriver client;
            const QString nonce = stage0(client, goodClaims());
            client.socket().sendTextMessage(
                tokenText(TestTokens::withNonce(goodClaims(), QStringLiteral("abc"))));
            QVERIFY(client.waitForDisconnected());
            QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
            QCOMPARE(client.socket().closeReason(),
                     QStringLiteral("session nonce mismatch: expected %1 got abc").arg(nonce));
        }
        {
            // a stage-1 token without any nonce
            HubClientDriver client;
            const QString nonce = stage0(client, goodClaims());
            client.socket().sendTextMessage(tokenText(goodClaims()));
            QVERIFY(client.waitForDisconnected());
            QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
            QCOMPARE(client.socket().closeReason(),
                     QStringLiteral("session nonce mismatch: expected %1 got ").arg(nonce));
        }
    }

    void stage1IdentityMismatch_data() {
        QTest::addColumn<QJsonObject>("stage1");
        QTest::addColumn<QString>("reason");
        QJsonObject hosts = goodClaims(2);
        hosts.insert(QStringLiteral("hostnames"), QJsonArray{QStringLiteral("app.example.com")});
        QTest::newRow("hostnames") << hosts
                                   << QStringLiteral("attested token hostnames differ from "
                                                     "handshake token");
        QJsonObject ports = goodClaims(2);
        ports.insert(QStringLiteral("tcp_ports"), QJsonArray{22});
        QTest::newRow("tcp ports") << ports
                                   << QStringLiteral("attested token tcp ports differ from "
                                                     "handshake token");
        QTest::newRow("weight") << goodClaims(5)
                                << QStringLiteral("attested token weight differs from handshake "
                                                  "token");
        QJsonObject nonceOnly;
        nonceOnly.insert(QStringLiteral("iss"), QStringLiteral("authorizer"));
        nonceOnly.insert(QStringLiteral("aud"), QStringLiteral("nexus"));
        QTest::newRow("nonce only") << nonceOnly
                                    << QStringLiteral("attested token hostnames differ from "
                                                      "handshake token");
        QJsonObject cap = goodClaims(2);
        cap.insert(QStringLiteral("maintenance_grace_cap_seconds"), -1);
        QTest::newRow("negative cap")
            << cap << QStringLiteral("maintenance_grace_cap_seconds must not be negative");
        QJsonObject uri = goodClaims(2);
        uri.insert(QStringLiteral("authorizer_status_uri"), QStringLiteral("http://x/status"));
        QTest::newRow("status uri")
            << uri << QStringLiteral("authorizer_status_uri must be an https URL with a host");
    }
    void stage1IdentityMismatch() {
        QFETCH(QJsonObject, stage1);
        QFETCH(QString, reason);
        startHub();
        HubClientDriver client;
        const QString nonce = stage0(client, goodClaims(2));
        QVERIFY(!nonce.isEmpty());
        client.socket().sendTextMessage(tokenText(TestTokens::withNonce(stage1, nonce)));
        QVERIFY(client.waitForDisconnected());
        QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QCOMPARE(client.socket().closeReason(), reason);
    }

    void stage1WeightZeroOrEqualAccepted() {
        startHub();
        for (int weight : {0, -3, 2}) {
            QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
            HubClientDriver client;
            const QString nonce = stage0(client, goodClaims(2));
            client.socket().sendTextMessage(
                tokenText(TestTokens::withNonce(goodClaims(weight), nonce)));
            QVERIFY(authenticated.wait(5000));
            QCOMPARE(authenticated.at(0).at(2).toInt(), 2);
        }
    }

    void tokenTimeouts() {
        HubOptions options;
        options.tokenTimeoutMs = 300;
        startHub(options);
        {
            HubClientDriver client;
            QVERIFY(client.open(m_hub->backendUrl()));
            QElapsedTimer timer;
            timer.start();
            QVERIFY(client.waitForDisconnected(5000));
            QVERIFY(timer.elapsed() >= 250);
            QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
            const QString reason = client.socket().closeReason();
            QVERIFY2(reason.startsWith(QStringLiteral("read stage0 token: read tcp 127.0.0.1:")),
                     qPrintable(reason));
            QVERIFY2(reason.endsWith(QStringLiteral(": i/o timeout")), qPrintable(reason));
        }
        {
            HubClientDriver client;
            QVERIFY(!stage0(client, goodClaims()).isEmpty());
            QVERIFY(client.waitForDisconnected(5000));
            QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
            QVERIFY(client.socket().closeReason().startsWith(QStringLiteral("read stage1 token")));
        }
    }

    void binaryBeforeAuth() {
        startHub();
        HubClientDriver client;
        QVERIFY(client.open(m_hub->backendUrl()));
        client.sendControl(makePing(QUuid::createUuid()));
        QVERIFY(client.waitForDisconnected());
        QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QCOMPARE(client.socket().closeReason(),
                 QStringLiteral("expected text frame for stage0 token, got type 2"));

        HubClientDriver second;
        QVERIFY(!stage0(second, goodClaims()).isEmpty());
        second.sendData(QUuid::createUuid(), "x");
        QVERIFY(second.waitForDisconnected());
        QCOMPARE(second.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QCOMPARE(second.socket().closeReason(),
                 QStringLiteral("expected text frame for stage1 token, got type 2"));
    }

    void wrongPathRefused() {
        startHub();
        QUrl url = m_hub->backendUrl();
        url.setPath(QStringLiteral("/other"));
        HubClientDriver client;
        QVERIFY(!client.open(url, 3000));
        QCOMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);

        // the query string is ignored
        url.setPath(QStringLiteral("/connect"));
        url.setQuery(QStringLiteral("x=1"));
        HubClientDriver ok;
        QVERIFY(ok.open(url));
    }

    void stage0TokenHasNoSizeLimit() {
        startHub();
        QJsonObject claims = goodClaims();
        claims.insert(QStringLiteral("padding"), QString(60000, QLatin1Char('p')));
        HubClientDriver client;
        QVERIFY(authenticate(client, claims));
    }

    void messageLimit() {
        startHub();
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        // exactly 32 785 bytes is fine
        client.sendData(QUuid::createUuid(), QByteArray(kMaxDataPayload, 'x'));
        client.socket().sendTextMessage(QString(kMaxClientMessage, QLatin1Char('t')));
        QVERIFY(client.roundTrip()); // both were handled, the session goes on
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
        // one byte more: 1009 with an empty reason
        client.socket().sendBinaryMessage(QByteArray(kMaxClientMessage + 1, '\x01'));
        QVERIFY(client.waitForDisconnected());
        QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        QVERIFY(client.socket().closeReason().isEmpty());
        QTRY_COMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toInt(), 1009);
    }

    void oversizeTextAfterAuth() {
        startHub();
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        client.socket().sendTextMessage(QString(kMaxClientMessage + 1, QLatin1Char('t')));
        QVERIFY(client.waitForDisconnected());
        QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    }

    void textWithoutReauthIgnored() {
        startHub();
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        client.socket().sendTextMessage(QStringLiteral("not a token"));
        client.socket().sendTextMessage(tokenText(goodClaims()));
        client.sendControl(makePing(QUuid::createUuid()));
        QVERIFY(client.roundTrip());
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
        QVERIFY(client.controls.isEmpty()); // unknown ID: no pong
    }

    void reauthByInterval() {
        HubOptions options;
        options.secondUnitMs = 100; // 1 "second" = 100 ms
        startHub(options);
        QSignalSpy reauthenticated(m_hub.get(), &HubEmulator::sessionReauthenticated);
        QJsonObject claims = goodClaims();
        claims.insert(QStringLiteral("reauth_interval_seconds"), 2);
        HubClientDriver client;
        QVERIFY(authenticate(client, claims));
        for (int round = 0; round < 2; ++round) {
            QElapsedTimer timer;
            timer.start();
            const auto text = client.waitForText(3000);
            QVERIFY(text);
            QVERIFY2(timer.elapsed() >= 150, qPrintable(QString::number(timer.elapsed())));
            const auto challenge = parseChallenge(text->toUtf8());
            QVERIFY(challenge);
            QCOMPARE(challenge->type, Challenge::Type::Reauth);
            QCOMPARE(challenge->nonce.size(), 43);
            QCOMPARE(*text, QStringLiteral(R"({"type":"reauth_challenge","nonce":"%1"})")
                                .arg(challenge->nonce));
            client.socket().sendTextMessage(
                tokenText(TestTokens::withNonce(claims, challenge->nonce)));
            QVERIFY(reauthenticated.wait(3000));
            QCOMPARE(reauthenticated.last().at(0).toString(), QStringLiteral("backend-a"));
        }
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    }

    void reauthWrongNonceDrops() {
        startHub();
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        m_hub->sendReauthChallenges();
        const auto challenge = parseChallenge(client.waitForText().value_or(QString()).toUtf8());
        QVERIFY(challenge);
        QCOMPARE(challenge->type, Challenge::Type::Reauth);
        client.socket().sendTextMessage(
            tokenText(TestTokens::withNonce(goodClaims(), QStringLiteral("wrong"))));
        QVERIFY(client.waitForDisconnected());
        QVERIFY(client.droppedWithoutCloseFrame());
        QTRY_COMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(1).toInt(), 1006);
    }

    void reauthIdentityChangeDrops() {
        startHub();
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        m_hub->sendReauthChallenges();
        const auto challenge = parseChallenge(client.waitForText().value_or(QString()).toUtf8());
        QVERIFY(challenge);
        QJsonObject other = goodClaims();
        other.insert(QStringLiteral("hostnames"), QJsonArray{QStringLiteral("x.example.com")});
        client.socket().sendTextMessage(tokenText(TestTokens::withNonce(other, challenge->nonce)));
        QVERIFY(client.waitForDisconnected());
        QVERIFY(client.droppedWithoutCloseFrame());
    }

    void reauthGraceExpires() {
        HubOptions options;
        options.secondUnitMs = 100;
        startHub(options);
        QJsonObject claims = goodClaims();
        claims.insert(QStringLiteral("reauth_grace_seconds"), 3); // 300 ms here
        HubClientDriver client;
        QVERIFY(authenticate(client, claims));
        m_hub->sendReauthChallenges();
        QVERIFY(client.waitForText());
        QElapsedTimer timer;
        timer.start();
        QVERIFY(client.waitForDisconnected(5000));
        QVERIFY(timer.elapsed() >= 200);
        QVERIFY(client.droppedWithoutCloseFrame());
    }

    void keepaliveAndReadDeadline() {
        HubOptions options;
        options.pingIntervalMs = 100;
        options.readDeadlineMs = 400;
        startHub(options);
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        // The client answers pings automatically; pongs re-arm the deadline. By the 6th pong
        // (>= 600 ms after authentication) a 400 ms deadline that nothing re-armed would have
        // fired: the hub's timers run in expiry order.
        QSignalSpy closedEarly(m_hub.get(), &HubEmulator::sessionClosed);
        QTRY_VERIFY_WITH_TIMEOUT(m_hub->stats().keepalivePongs >= 6 || !closedEarly.isEmpty(),
                                 10000);
        QVERIFY(closedEarly.isEmpty());
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
        m_hub.reset();

        options.pingIntervalMs = 60000; // no pings: nothing re-arms the deadline
        startHub(options);
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        HubClientDriver silent;
        QVERIFY(authenticate(silent, goodClaims()));
        QVERIFY(silent.waitForDisconnected(3000));
        QVERIFY(silent.droppedWithoutCloseFrame());
        QTRY_COMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(2).toString(), QStringLiteral("read deadline exceeded"));
    }

    void hostileInputIsSurvived() {
        startHub();
        QSignalSpy violations(m_hub.get(), &HubEmulator::protocolViolation);
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        client.socket().sendBinaryMessage(QByteArray());
        client.socket().sendBinaryMessage(QByteArray("\x07zzz"));
        client.socket().sendBinaryMessage(QByteArray("\x01short"));
        client.socket().sendBinaryMessage(QByteArray("\x02{not json"));
        client.socket().sendBinaryMessage(QByteArray("\x02") +
                                          R"({"event":"resume_stream","credits":64.0})");
        client.socket().sendBinaryMessage(QByteArray("\x02{\"event\":\"teleport\"}"));
        QTRY_VERIFY(violations.count() >= 4);
        QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
        QVERIFY(m_hub->stats().protocolViolations >= 4);
    }

    void rawInjection() {
        startHub();
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        m_hub->sendRawText(R"({"type":"something"})");
        m_hub->sendRawBinary(QByteArray("\x05hello"));
        QCOMPARE(client.waitForText().value_or(QString()),
                 QStringLiteral(R"({"type":"something"})"));
        QTRY_COMPARE(client.invalidMessages.size(), 1);
        QCOMPARE(client.invalidMessages.first(), QByteArray("\x05hello"));
    }

    void stopAndDrop() {
        startHub();
        {
            HubClientDriver a;
            QVERIFY(authenticate(a, goodClaims()));
            m_hub->dropSessions(false);
            QVERIFY(a.waitForDisconnected());
            QVERIFY(a.droppedWithoutCloseFrame());
        }
        {
            HubClientDriver b;
            QVERIFY(authenticate(b, goodClaims()));
            m_hub->dropSessions(true);
            QVERIFY(b.waitForDisconnected());
            QCOMPARE(b.socket().closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        }
        {
            HubClientDriver c;
            QVERIFY(authenticate(c, goodClaims()));
            QCOMPARE(m_hub->authenticatedSessionCount(), 1);
            m_hub->stop();
            QVERIFY(c.waitForDisconnected());
            QCOMPARE(c.socket().closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
            QTRY_COMPARE(m_hub->authenticatedSessionCount(), 0);
            HubClientDriver late;
            QVERIFY(!late.open(m_hub->backendUrl(), 1000));
        }
    }

    void clientCloseReported() {
        startHub();
        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        HubClientDriver client;
        QVERIFY(authenticate(client, goodClaims()));
        client.socket().close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("bye"));
        QTRY_COMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(0).toString(), QStringLiteral("backend-a"));
        QCOMPARE(closed.at(0).at(1).toInt(), 1001);
        QCOMPARE(closed.at(0).at(2).toString(), QStringLiteral("bye"));
        QTRY_COMPARE(m_hub->stats().authenticatedSessions, 0);
    }
};

QTEST_GUILESS_MAIN(TestHubAuth)
#include "tst_hub_auth.moc"
