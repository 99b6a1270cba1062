// The session's side of the handshake (protocol.md §2.1) against a scripted hub built on
// QWebSocketServer: what the first message after the stage-0 token may be.
#include <QtTest>

#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>

#include "session/Session.h"

using namespace nexustray;

namespace {
// A hub that accepts the upgrade, waits for the stage-0 token and then answers as scripted.
class ScriptedHub : public QObject {
public:
    std::function<void(QWebSocket*)> onToken;
    QStringList tokens;
    int connections = 0;
    bool peerClosed = false;

    ScriptedHub() {
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket* ws = m_server.nextPendingConnection();
            ws->setParent(this);
            ++connections;
            connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString& t) {
                tokens << t;
                if (tokens.size() == 1 && onToken)
                    onToken(ws);
            });
            connect(ws, &QWebSocket::disconnected, this, [this] { peerClosed = true; });
        });
    }
    QString url() const {
        return QStringLiteral("ws://127.0.0.1:%1/connect").arg(m_server.serverPort());
    }

private:
    QWebSocketServer m_server{QStringLiteral("scripted hub"), QWebSocketServer::NonSecureMode};
};

SessionSettings settings(const QString& url) {
    BackendConfig b;
    b.name = QStringLiteral("edge");
    b.hostnames = {QStringLiteral("app.test")};
    b.nexusAddresses = {url};
    b.attestation.hmacSecret = QStringLiteral("handshake-test-secret");
    b.portMappings[443].defaultTarget = QStringLiteral("127.0.0.1:1");
    SessionSettings s;
    s.sessionId = QStringLiteral("edge#1");
    s.backend = b;
    s.relayUrl = url;
    s.backoff.baseMs = 60000; // one attempt is enough to look at
    s.backoff.maxMs = 60000;
    // Far beyond the test's wait: a failure must come from the message, not from this timeout.
    s.timings.challengeTimeoutMs = 600000;
    return s;
}
} // namespace

class TestHandshake : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void binaryMessageBeforeTheChallengeFailsTheAttempt() {
        ScriptedHub hub;
        hub.onToken = [](QWebSocket* ws) { ws->sendBinaryMessage(QByteArray("\x02{}", 3)); };
        Session session(settings(hub.url()));
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(hub.tokens.size() == 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(session.snapshot().state, SessionState::Backoff, 20000);
        QVERIFY2(session.snapshot().lastError.contains(
                     QStringLiteral("expected text message during handshake")),
                 qPrintable(session.snapshot().lastError));
        QTRY_VERIFY_WITH_TIMEOUT(hub.peerClosed, 10000); // the attempt's connection is gone
        QCOMPARE(hub.tokens.size(), 1);                  // no stage-1 token was sent
    }

    void nonChallengeTextFailsTheAttempt() {
        ScriptedHub hub;
        hub.onToken = [](QWebSocket* ws) {
            ws->sendTextMessage(QStringLiteral("{\"type\":\"x\"}"));
        };
        Session session(settings(hub.url()));
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.snapshot().state, SessionState::Backoff, 20000);
        QVERIFY2(session.snapshot().lastError.contains(QStringLiteral("unexpected message")),
                 qPrintable(session.snapshot().lastError));
        QCOMPARE(hub.tokens.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestHandshake)
#include "tst_handshake.moc"
