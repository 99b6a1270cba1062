// A real Session honouring backend settings end to end, against the in-repo hub emulator: the
// trust store of wss:// relays (system roots *and* tls.caFile, the latter checked beside Qt's
// on-demand roots), retry classification that ignores
// the relay URL, and udpRoutes claimed at the hub.
#include <QTcpServer>
#include <QtTest>

#include <memory>

#include "TestCa.h"
#include "hub/HubEmulator.h"
#include "session/Session.h"
#include "websocket/TrustStore.h"

using namespace nexustray;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {
const QByteArray kSecret = "session-config-secret";

// Restores an environment variable when the test ends (pass or fail).
class EnvGuard {
public:
    explicit EnvGuard(const char* name)
        : m_name(name)
        , m_had(qEnvironmentVariableIsSet(name))
        , m_value(qgetenv(name)) {}
    ~EnvGuard() {
        if (m_had)
            qputenv(m_name, m_value);
        else
            qunsetenv(m_name);
    }

private:
    const char* m_name;
    bool m_had;
    QByteArray m_value;
};
} // namespace

class TestSessionConfig : public QObject {
    Q_OBJECT

    std::unique_ptr<HubEmulator> startHub(const std::optional<QSslConfiguration>& tls,
                                          std::optional<QList<int>> udpClaims = std::nullopt) {
        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{443, 0}};
        o.tokenTimeoutMs = 5000;
        o.tls = tls;
        o.allowedUdpPortClaims = std::move(udpClaims);
        auto hub = std::make_unique<HubEmulator>(o);
        QString error;
        if (!hub->start(&error)) {
            qWarning() << "hub did not start:" << error;
            return nullptr;
        }
        return hub;
    }

    static SessionSettings settings(const QString& relayUrl, const QString& id) {
        BackendConfig b;
        b.name = QStringLiteral("edge");
        b.hostnames = {QStringLiteral("app.test")};
        b.nexusAddresses = {relayUrl};
        b.attestation.hmacSecret = QString::fromUtf8(kSecret);
        b.portMappings[443].defaultTarget = QStringLiteral("127.0.0.1:9");
        SessionSettings s;
        s.sessionId = id;
        s.backend = b;
        s.relayUrl = relayUrl;
        s.backoff.baseMs = 50;
        s.backoff.maxMs = 100;
        s.timings.challengeTimeoutMs = 5000;
        s.timings.stableAfterMs = 100;
        return s;
    }

private Q_SLOTS:
    void caFileIsCheckedBesideQtsOnDemandRoots() {
        // Issue 10: listing every system root in each configuration cost ≈ 2 MB (Qt 6.4 drops
        // its on-demand roots once a CA is added). The caFile's CA is kept apart instead, and
        // nothing else: Qt's roots stay on demand.
        test::TestCa extra;
        QVERIFY2(extra.isValid(), qPrintable(extra.error()));
        EnvGuard guardDir("SSL_CERT_DIR");
        EnvGuard guardFile("SSL_CERT_FILE");
        qunsetenv("SSL_CERT_DIR");
        qunsetenv("SSL_CERT_FILE");
        std::shared_ptr<const trust::AddedRoots> added;
        QString error;
        QVERIFY2(trust::addedRoots(extra.caPemPath(), &added, &error), qPrintable(error));
        QVERIFY(added);
        QCOMPARE(added->size(), 1);
        QVERIFY(added->contains(extra.caCertificate()));
        QVERIFY2(trust::addedRoots(QString(), &added, &error), qPrintable(error));
        QVERIFY(!added);
    }

    void caFileCaWithTheWrongHostOrAnotherCaIsRefused() {
        // The caFile only adds a root: the relay's name is still checked, and a chain to another
        // CA is still refused, with Qt's reason in the session's error.
        test::TestCa fileCa;
        test::TestCa wrongName({QStringLiteral("other.test")}, {});
        QVERIFY2(fileCa.isValid() && wrongName.isValid(),
                 qPrintable(fileCa.error() + wrongName.error()));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // One caFile naming both CAs: the second hub's CA is trusted, its certificate's name not.
        const QString bundle = dir.filePath(QStringLiteral("ca.pem"));
        QFile file(bundle);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write(fileCa.caCertificate().toPem() + wrongName.caCertificate().toPem()) > 0);
        file.close();
        test::TestCa unrelated;
        QVERIFY2(unrelated.isValid(), qPrintable(unrelated.error()));
        auto nameHub = startHub(wrongName.serverConfiguration());
        auto unrelatedHub = startHub(unrelated.serverConfiguration());
        QVERIFY(nameHub && unrelatedHub);
        QSignalSpy nameAuth(nameHub.get(), &HubEmulator::sessionAuthenticated);
        QSignalSpy unrelatedAuth(unrelatedHub.get(), &HubEmulator::sessionAuthenticated);
        SessionSettings toName = settings(nameHub->backendUrl().toString(), "edge#1");
        toName.backend.tls.caFile = bundle;
        SessionSettings toUnrelated = settings(unrelatedHub->backendUrl().toString(), "edge#2");
        toUnrelated.backend.tls.caFile = bundle;
        Session a(toName);
        Session b(toUnrelated);
        a.start();
        b.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            a.snapshot().lastError.contains(QStringLiteral("TLS verification")), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(
            b.snapshot().lastError.contains(QStringLiteral("TLS verification")), 20000);
        QVERIFY2(a.snapshot().lastError.contains(QStringLiteral("host name"), Qt::CaseInsensitive),
                 qPrintable(a.snapshot().lastError));
        QVERIFY2(b.snapshot().lastError.contains(QStringLiteral("issuer"), Qt::CaseInsensitive),
                 qPrintable(b.snapshot().lastError));
        QCOMPARE(nameAuth.count(), 0);
        QCOMPARE(unrelatedAuth.count(), 0);
    }

    void sslCertFileAddsToTheSystemRootsAndChangesAreSeen() {
        // SSL_CERT_FILE adds to the distribution's roots (it does not replace them); the bundle
        // is cached, but a changed file is read again.
        test::TestCa first;
        test::TestCa second;
        QVERIFY2(first.isValid() && second.isValid(), qPrintable(first.error() + second.error()));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString bundle = dir.filePath(QStringLiteral("bundle.pem"));
        QVERIFY(QFile::copy(first.caPemPath(), bundle));
        EnvGuard guardDir("SSL_CERT_DIR");
        EnvGuard guardFile("SSL_CERT_FILE");
        qunsetenv("SSL_CERT_DIR");
        qputenv("SSL_CERT_FILE", QFile::encodeName(bundle));

        std::shared_ptr<const trust::AddedRoots> added;
        QString error;
        QVERIFY2(trust::addedRoots(QString(), &added, &error), qPrintable(error));
        QVERIFY(added);
        QVERIFY(added->contains(first.caCertificate()));
        QVERIFY(!added->contains(second.caCertificate()));

        QFile file(bundle);
        QVERIFY(file.open(QIODevice::Append));
        QVERIFY(file.write(second.caCertificate().toPem()) > 0);
        file.close();
        QVERIFY2(trust::addedRoots(QString(), &added, &error), qPrintable(error));
        QVERIFY(added->contains(first.caCertificate()));
        QVERIFY(added->contains(second.caCertificate()));
    }

    void systemRootsAreParsedOncePerProcessAndShared() {
        // Issue 10: the bundle (SSL_CERT_FILE) and the hashed directory (SSL_CERT_DIR) name the
        // same roots; each is parsed once per process and shared by every session and dial, so
        // the store does not cost megabytes per session. Two hubs, one per root, each dialled
        // by its own session; a third configuration is built directly.
        test::TestCa first;
        test::TestCa second;
        test::TestCa fileCa;
        QVERIFY2(first.isValid() && second.isValid() && fileCa.isValid(),
                 qPrintable(first.error() + second.error() + fileCa.error()));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("certs")));
        const QString bundle = dir.filePath(QStringLiteral("bundle.pem"));
        QFile file(bundle);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write(first.caCertificate().toPem() + second.caCertificate().toPem()) > 0);
        file.close();
        QVERIFY(QFile::copy(first.caPemPath(), dir.filePath(QStringLiteral("certs/first.pem"))));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("certs/first.pem")),
                            dir.filePath(QStringLiteral("certs/0badc0de.0"))));
        QVERIFY(QFile::copy(second.caPemPath(), dir.filePath(QStringLiteral("certs/second.pem"))));
        EnvGuard guardDir("SSL_CERT_DIR");
        EnvGuard guardFile("SSL_CERT_FILE");
        qputenv("SSL_CERT_FILE", QFile::encodeName(bundle));
        qputenv("SSL_CERT_DIR", QFile::encodeName(dir.filePath(QStringLiteral("certs"))));
        const int parsedBefore = trust::certificatesParsed();

        auto firstHub = startHub(first.serverConfiguration());
        auto secondHub = startHub(second.serverConfiguration());
        QVERIFY(firstHub && secondHub);
        SessionSettings toFirst = settings(firstHub->backendUrl().toString(), "edge#1");
        toFirst.backend.tls.caFile = fileCa.caPemPath();
        SessionSettings toSecond = settings(secondHub->backendUrl().toString(), "edge#2");
        Session a(toFirst);
        Session b(toSecond);
        a.start();
        b.start();
        QTRY_COMPARE_WITH_TIMEOUT(a.snapshot().state, SessionState::Connected, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(b.snapshot().state, SessionState::Connected, 20000);

        std::shared_ptr<const trust::AddedRoots> one;
        std::shared_ptr<const trust::AddedRoots> two;
        QString error;
        QVERIFY2(trust::addedRoots(fileCa.caPemPath(), &one, &error), qPrintable(error));
        QVERIFY2(trust::addedRoots(QString(), &two, &error), qPrintable(error));
        // Four occurrences in the files, four dials or builds: two parses, one per root.
        QCOMPARE(trust::certificatesParsed() - parsedBefore, 2);
        QVERIFY(one && two);
        QCOMPARE(one->size(), 3);
        QVERIFY(one->contains(first.caCertificate()));
        QVERIFY(one->contains(second.caCertificate()));
        QVERIFY(one->contains(fileCa.caCertificate()));
        QCOMPARE(two->size(), 2);
        QVERIFY(!two->contains(fileCa.caCertificate()));
    }

    void sslCertFilesRepeatingSystemRootsKeepOnDemandLoading() {
        // Issue 10: SSL_CERT_FILE / SSL_CERT_DIR usually name the distribution's store, which Qt
        // already consults (on demand). Without a tls.caFile, listing every root in the
        // configuration would only cost memory: the configuration stays Qt's default.
        const QList<QSslCertificate> system = QSslConfiguration::systemCaCertificates();
        if (system.size() < 2)
            QSKIP("this machine has fewer than two system CA certificates");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString bundle = dir.filePath(QStringLiteral("bundle.pem"));
        QFile file(bundle);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write(system.at(0).toPem() + system.at(1).toPem()) > 0);
        file.close();
        QFile single(dir.filePath(QStringLiteral("root.pem")));
        QVERIFY(single.open(QIODevice::WriteOnly));
        QVERIFY(single.write(system.at(1).toPem()) > 0);
        single.close();
        EnvGuard guardDir("SSL_CERT_DIR");
        EnvGuard guardFile("SSL_CERT_FILE");
        qputenv("SSL_CERT_FILE", QFile::encodeName(bundle));
        qputenv("SSL_CERT_DIR", QFile::encodeName(dir.path()));
        const int parsedBefore = trust::certificatesParsed();

        std::shared_ptr<const trust::AddedRoots> added;
        QString error;
        QStringList problems;
        QVERIFY2(trust::addedRoots(QString(), &added, &error, &problems), qPrintable(error));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QVERIFY(!added);
        QCOMPARE(trust::certificatesParsed(), parsedBefore);

        // With a caFile only its CA is kept apart; the system roots stay Qt's, on demand.
        test::TestCa extra;
        QVERIFY2(extra.isValid(), qPrintable(extra.error()));
        QVERIFY2(trust::addedRoots(extra.caPemPath(), &added, &error), qPrintable(error));
        QVERIFY(added);
        QCOMPARE(added->size(), 1);
        QVERIFY(added->contains(extra.caCertificate()));
        QCOMPARE(trust::certificatesParsed(), parsedBefore);
    }

    void systemRootAndCaFileBothTrusted() {
        // Two relays with certificates from two unrelated CAs: one CA is a system root (placed in
        // SSL_CERT_DIR, honoured as OpenSSL and Go do), the other comes from tls.caFile. One
        // backend configuration (with the caFile) must reach both.
        test::TestCa systemCa;
        test::TestCa fileCa;
        QVERIFY2(systemCa.isValid(), qPrintable(systemCa.error()));
        QVERIFY2(fileCa.isValid(), qPrintable(fileCa.error()));
        QTemporaryDir certDir;
        QVERIFY(certDir.isValid());
        QVERIFY(
            QFile::copy(systemCa.caPemPath(), certDir.filePath(QStringLiteral("test-root.pem"))));
        EnvGuard guardDir("SSL_CERT_DIR");
        EnvGuard guardFile("SSL_CERT_FILE");
        qunsetenv("SSL_CERT_FILE");
        qputenv("SSL_CERT_DIR", QFile::encodeName(certDir.path()));

        auto systemHub = startHub(systemCa.serverConfiguration());
        auto fileHub = startHub(fileCa.serverConfiguration());
        QVERIFY(systemHub && fileHub);
        QSignalSpy systemAuth(systemHub.get(), &HubEmulator::sessionAuthenticated);
        QSignalSpy fileAuth(fileHub.get(), &HubEmulator::sessionAuthenticated);

        SessionSettings toSystem = settings(systemHub->backendUrl().toString(), "edge#1");
        toSystem.backend.tls.caFile = fileCa.caPemPath();
        SessionSettings toFile = settings(fileHub->backendUrl().toString(), "edge#2");
        toFile.backend.tls.caFile = fileCa.caPemPath();
        Session a(toSystem);
        Session b(toFile);
        a.start();
        b.start();
        QTRY_VERIFY_WITH_TIMEOUT(systemAuth.count() > 0 && fileAuth.count() > 0, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(a.snapshot().state, SessionState::Connected, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(b.snapshot().state, SessionState::Connected, 10000);
    }

    void caFileGoneAtDialIsAClearTransientError() {
        // The loader checks the file; if it disappears afterwards the dial says why and retries.
        test::TestCa ca;
        QVERIFY2(ca.isValid(), qPrintable(ca.error()));
        auto hub = startHub(ca.serverConfiguration());
        QVERIFY(hub);
        SessionSettings s = settings(hub->backendUrl().toString(), "edge#1");
        s.backend.tls.caFile = QStringLiteral("/nonexistent/nexus-test-ca.pem");
        Session session(s);
        QSignalSpy changed(&session, &Session::sessionChanged);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.snapshot().state, SessionState::Backoff, 10000);
        QVERIFY2(session.snapshot().lastError.contains(
                     QStringLiteral("tls.caFile /nonexistent/nexus-test-ca.pem: no such file")),
                 qPrintable(session.snapshot().lastError));
        // Transient: more than the 5 permanent failures it would take to give up.
        int backoffs = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                backoffs = 0;
                for (const QList<QVariant>& args : std::as_const(changed))
                    backoffs += args.at(0).value<SessionSnapshot>().state == SessionState::Backoff;
                return backoffs >= 7;
            }(),
            30000);
        QVERIFY(session.snapshot().state != SessionState::Failed);
    }

    void relayUrlWith403KeepsRetrying() {
        // "403" in the relay's port and path is no authentication refusal: a refused dial is
        // transient and must never make the session give up.
        QTcpServer holder;
        quint16 port = 0;
        for (quint16 candidate : {4030, 8403, 14030, 24030, 34030, 44030, 54030, 64030, 40300,
                                  40301, 40302, 40303, 40304, 40305}) {
            if (holder.listen(QHostAddress::LocalHost, candidate)) {
                port = candidate;
                break;
            }
        }
        if (port == 0)
            QSKIP("no free loopback port containing 403");
        holder.close(); // now it refuses connections
        const QString url = QStringLiteral("ws://127.0.0.1:%1/edge403/403").arg(port);
        Session session(settings(url, "edge#1"));
        QSignalSpy changed(&session, &Session::sessionChanged);
        session.start();
        int backoffs = 0;
        bool failed = false;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                backoffs = 0;
                for (const QList<QVariant>& args : std::as_const(changed)) {
                    const SessionSnapshot snap = args.at(0).value<SessionSnapshot>();
                    backoffs += snap.state == SessionState::Backoff;
                    failed |= snap.state == SessionState::Failed;
                }
                return backoffs >= 7 || failed;
            }(),
            30000);
        QVERIFY2(!failed, qPrintable(session.snapshot().lastError));
        QVERIFY2(session.snapshot().lastError.contains(url),
                 qPrintable(session.snapshot().lastError));
    }

    void udpRoutesAreClaimed() {
        // A hub that allows UDP claims for 53 and 67: the session authenticates with them.
        auto hub = startHub(std::nullopt, QList<int>{53, 67});
        QVERIFY(hub);
        QSignalSpy authenticated(hub.get(), &HubEmulator::sessionAuthenticated);
        QSignalSpy closed(hub.get(), &HubEmulator::sessionClosed);
        SessionSettings s = settings(hub->backendUrl().toString(), "edge#1");
        s.backend.udpRoutes = {UdpRoute{53, 30}, UdpRoute{67, std::nullopt}};
        s.backend.portMappings[53].defaultTarget = QStringLiteral("127.0.0.1:53");
        Session session(s);
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(authenticated.count() > 0 || closed.count() > 0, 20000);
        QVERIFY2(closed.isEmpty(), qPrintable(session.snapshot().lastError));
        QTRY_COMPARE_WITH_TIMEOUT(session.snapshot().state, SessionState::Connected, 10000);
    }

    void udpRoutesRefusedByTheHubFailTheHandshake() {
        // A hub with UDP claims disabled refuses the token: proof that udp_routes is claimed.
        auto hub = startHub(std::nullopt, QList<int>{});
        QVERIFY(hub);
        QSignalSpy closed(hub.get(), &HubEmulator::sessionClosed);
        SessionSettings s = settings(hub->backendUrl().toString(), "edge#1");
        s.backend.udpRoutes = {UdpRoute{53, 30}};
        s.backend.portMappings[53].defaultTarget = QStringLiteral("127.0.0.1:53");
        Session session(s);
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(!session.snapshot().lastError.isEmpty(), 20000);
        QVERIFY(session.snapshot().state != SessionState::Connected);
    }
};

QTEST_GUILESS_MAIN(TestSessionConfig)
#include "tst_sessionconfig.moc"
