// Client::attestationFinished (one event per token request, issue 15) through a real Client
// against the hub emulator, over ws:// and wss://: handshake and attest ok on connect, reauth ok
// on a hub challenge, rejected when the hub refuses the token (1008), failed when the
// attestation command (a real child process) fails, lost when the token never reaches a hub.
#include <QTcpServer>
#include <QtTest>

#include "TestRelayTls.h"
#include "TunnelUser.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

using namespace nexustray;

namespace {

const QByteArray kSecret = "attestation-events-secret";

// The events of one backend, by "stage/result".
QStringList eventsOf(const QSignalSpy& spy, const QString& backend) {
    QStringList out;
    for (const QList<QVariant>& args : spy) {
        const auto e = args.first().value<AttestationEvent>();
        if (e.backendName == backend)
            out << stageName(e.stage) + QLatin1Char('/') + attestationResultName(e.result);
    }
    return out;
}

AttestationEvent firstOf(const QSignalSpy& spy, const QString& backend) {
    for (const QList<QVariant>& args : spy) {
        const auto e = args.first().value<AttestationEvent>();
        if (e.backendName == backend)
            return e;
    }
    return {};
}

} // namespace

class TestAttestationEvents : public QObject {
    Q_OBJECT

    test::TestRelayTls m_tls;

    BackendConfig backend(const QString& name, const hub::HubEmulator& hub) {
        BackendConfig b;
        b.name = name;
        b.hostnames = {name + QStringLiteral(".test")};
        b.nexusAddresses = {hub.backendUrl().toString()};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[80].defaultTarget = QStringLiteral("127.0.0.1:9");
        m_tls.trust(b);
        return b;
    }

private Q_SLOTS:
    void initTestCase_data() { test::TestRelayTls::addSchemeRows(); }
    void initTestCase() { QVERIFY2(m_tls.init(), qPrintable(m_tls.error())); }

    void okRejectedFailedAndReauth() {
        QFETCH_GLOBAL(QString, scheme);
        hub::HubOptions options;
        options.jwtSecret = kSecret;
        options.relayPorts = {{80, 0}};
        m_tls.serve(options, scheme);
        hub::HubEmulator hub(options);
        QString error;
        QVERIFY2(hub.start(&error), qPrintable(error));

        const BackendConfig good = backend(QStringLiteral("good"), hub);
        BackendConfig refused = backend(QStringLiteral("refused"), hub);
        refused.attestation.hmacSecret = QStringLiteral("not-the-hub-secret");
        BackendConfig failing = backend(QStringLiteral("failing"), hub);
        failing.attestation.hmacSecret.clear();
        failing.attestation.command = QStringLiteral("/bin/sh");
        failing.attestation.args = {QStringLiteral("-c"),
                                    QStringLiteral("echo no token here >&2; exit 3")};
        BackendConfig unreachable = backend(QStringLiteral("unreachable"), hub);
        QTcpServer closedPort; // a port that was free a moment ago: the dial is refused
        QVERIFY(closedPort.listen(QHostAddress::LocalHost));
        unreachable.nexusAddresses = {
            QStringLiteral("ws://127.0.0.1:%1/connect").arg(closedPort.serverPort())};
        closedPort.close();
        Config config;
        config.backends = {good, refused, failing, unreachable};
        Client client(config);
        QSignalSpy events(&client, &Client::attestationFinished);
        QVERIFY(events.isValid());
        client.start();

        // Connect: stage 0 accepted (the challenge came) and stage 1 not refused (the stable
        // timer or the hub's next message settles it).
        QTRY_VERIFY_WITH_TIMEOUT(eventsOf(events, good.name).size() >= 2, 20000);
        QCOMPARE(eventsOf(events, good.name).mid(0, 2),
                 QStringList({QStringLiteral("handshake/ok"), QStringLiteral("attest/ok")}));
        QCOMPARE(firstOf(events, good.name).sessionId, good.name + QStringLiteral("#1"));

        // The hub refuses the wrong secret's stage-0 token with 1008.
        QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(events, refused.name).isEmpty(), 20000);
        QCOMPARE(eventsOf(events, refused.name).first(), QStringLiteral("handshake/rejected"));
        QVERIFY(!firstOf(events, refused.name).reason.isEmpty());

        // The command exits 3: no token, the reason says so.
        QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(events, failing.name).isEmpty(), 20000);
        QCOMPARE(eventsOf(events, failing.name).first(), QStringLiteral("handshake/failed"));
        QVERIFY2(firstOf(events, failing.name).reason.contains(QLatin1String("exit status 3")),
                 qPrintable(firstOf(events, failing.name).reason));

        // The token was made but no hub ever judged it.
        QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(events, unreachable.name).isEmpty(), 20000);
        QCOMPARE(eventsOf(events, unreachable.name).first(), QStringLiteral("handshake/lost"));

        // A reauth challenge from the hub: one reauth/ok.
        QSignalSpy reauthenticated(&hub, &hub::HubEmulator::sessionReauthenticated);
        hub.sendReauthChallenges();
        QVERIFY(reauthenticated.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(eventsOf(events, good.name).contains(QStringLiteral("reauth/ok")),
                                 10000);
        QCOMPARE(eventsOf(events, good.name).count(QStringLiteral("reauth/ok")), 1);

        QSignalSpy stopped(&client, &Client::stopped);
        client.stop();
        QVERIFY(stopped.wait(10000));
    }
};

QTEST_GUILESS_MAIN(TestAttestationEvents)
#include "tst_attestationevents.moc"
