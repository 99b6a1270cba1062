// The external command provider with real child processes: each test writes a small #!/bin/sh
// script into a temporary directory and runs it through CommandTokenProvider.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

#include "attestation/CommandTokenProvider.h"

using namespace nexustray;
using namespace nexustray::attestation;

namespace {

const QString kJwt = QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");

struct Finished {
    quint64 id = 0;
    TokenResult result;
};

} // namespace

class TestCommandTokenProvider : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void outputs_data();
    void outputs();
    void nonZeroExit();
    void killedBySignal();
    void timeoutKillsChild();
    void hugeOutputIsBounded_data();
    void hugeOutputIsBounded();
    void hugeStderrDoesNotBlock();
    void environment();
    void argsVerbatim();
    void commandLookedUpInPath();
    void commandNotFound();
    void notExecutable();
    void cancelKillsChild();
    void concurrentRuns();
    void finishedIsAsynchronous();
    void destroyingProviderKillsChild();
    void factorySelectsCommand();
    void udpRoutesAreClaimed();
    void hugeTimeoutDoesNotOverflow();

private:
    QString writeScript(const QString& name, const QString& body);
    AttestationConfig configFor(const QString& script) const;
    static AttestationIdentity identity();
    // Runs one request and waits for its finished() signal.
    Finished runOnce(TokenProvider& provider, const TokenRequest& request, int timeoutMs = 20000);
    QString readPid(const QString& file) const;
    static bool processExists(const QString& pid) {
        return QFileInfo::exists(QStringLiteral("/proc/") + pid);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestCommandTokenProvider::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCommandTokenProvider::cleanup() {
    m_dir.reset();
}

QString TestCommandTokenProvider::writeScript(const QString& name, const QString& body) {
    const QString path = m_dir->filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return QString();
    f.write("#!/bin/sh\n");
    f.write(body.toUtf8());
    f.write("\n");
    f.close();
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return path;
}

AttestationConfig TestCommandTokenProvider::configFor(const QString& script) const {
    AttestationConfig c;
    c.command = script;
    c.timeoutSeconds = 15;
    return c;
}

AttestationIdentity TestCommandTokenProvider::identity() {
    AttestationIdentity id;
    id.backendName = QStringLiteral("edge-apps");
    id.hostnames = {QStringLiteral("app.example.com"), QStringLiteral("*.preview.example.com")};
    id.tcpPorts = {22, 80, 443};
    id.udpRoutes = {UdpRoute{53, 30}, UdpRoute{67, std::nullopt}};
    id.weight = 2;
    id.outboundAllowed = false;
    id.allowedOutboundPorts = {25, 587};
    return id;
}

Finished TestCommandTokenProvider::runOnce(TokenProvider& provider, const TokenRequest& request,
                                           int timeoutMs) {
    QSignalSpy spy(&provider, &TokenProvider::finished);
    const quint64 id = provider.request(request);
    Finished f;
    if (!spy.wait(timeoutMs) || spy.count() != 1)
        return f;
    f.id = spy.at(0).at(0).value<quint64>();
    f.result = spy.at(0).at(1).value<TokenResult>();
    if (f.id != id)
        f.id = 0;
    return f;
}

QString TestCommandTokenProvider::readPid(const QString& file) const {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromLatin1(f.readAll()).trimmed();
}

void TestCommandTokenProvider::outputs_data() {
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("token"); // expected token, empty = failure expected
    QTest::addColumn<QString>("error");
    QTest::addColumn<bool>("hasExpiry");

    QTest::newRow("plain token") << QStringLiteral("echo '%1'").arg(kJwt) << kJwt << QString()
                                 << false;
    QTest::newRow("token crlf and extra lines")
        << QStringLiteral("printf '%1\\r\\nlog: issued\\nmore\\n'").arg(kJwt) << kJwt << QString()
        << false;
    QTest::newRow("json with expiry")
        << QStringLiteral(R"(printf '{"token":"%1","expiry":"2030-01-01T00:00:00Z"}\n')").arg(kJwt)
        << kJwt << QString() << true;
    QTest::newRow("json missing token")
        << QStringLiteral(R"(echo '{"expiry":"x"}')") << QString()
        << QStringLiteral("attestation command JSON missing token") << false;
    QTest::newRow("json trailing garbage")
        << QStringLiteral(R"(echo '{"token":"%1"} garbage')").arg(kJwt) << QString()
        << QStringLiteral("failed to decode attestation command JSON") << false;
    QTest::newRow("json non-string token")
        << QStringLiteral(R"(echo '{"token":42}')") << QString()
        << QStringLiteral("failed to decode attestation command JSON") << false;
    QTest::newRow("empty output") << QStringLiteral("exit 0") << QString()
                                  << QStringLiteral("attestation command returned empty token")
                                  << false;
    QTest::newRow("blank output") << QStringLiteral("printf '  \\n\\n'") << QString()
                                  << QStringLiteral("attestation command returned empty token")
                                  << false;
    // stderr is not part of the parsed output (Go would have mixed it in).
    QTest::newRow("stderr noise ignored")
        << QStringLiteral("echo 'warning: slow TPM' >&2\necho '%1'\necho 'done' >&2").arg(kJwt)
        << kJwt << QString() << false;
    QTest::newRow("stderr only") << QStringLiteral("echo 'just noise' >&2") << QString()
                                 << QStringLiteral("attestation command returned empty token")
                                 << false;
    QTest::newRow("stdin is empty")
        << QStringLiteral("if read line; then echo got-input; else echo '%1'; fi").arg(kJwt) << kJwt
        << QString() << false;
}

void TestCommandTokenProvider::outputs() {
    QFETCH(QString, body);
    QFETCH(QString, token);
    QFETCH(QString, error);
    QFETCH(bool, hasExpiry);

    CommandTokenProvider provider(configFor(writeScript(QStringLiteral("t.sh"), body)), identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.id != 0);
    QCOMPARE(f.result.ok, token.isEmpty() ? false : true);
    QCOMPARE(f.result.token, token);
    QCOMPARE(f.result.error, error);
    QCOMPARE(f.result.expiry.has_value(), hasExpiry);
    if (hasExpiry)
        QCOMPARE(f.result.expiry->toSecsSinceEpoch(), qint64(1893456000));
    QCOMPARE(provider.runningCount(), 0);
}

void TestCommandTokenProvider::nonZeroExit() {
    const QString script =
        writeScript(QStringLiteral("fail.sh"),
                    QStringLiteral("echo '%1'\n"
                                   "echo \"authorizer said no to nonce $NEXUS_SESSION_NONCE\" >&2\n"
                                   "echo 'leaked eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln and key "
                                   "sk-ABCdef1234567890XYZ' >&2\n"
                                   "exit 3")
                        .arg(kJwt));
    CommandTokenProvider provider(configFor(script), identity());
    const QString nonce = QStringLiteral("NonceValue_abc");
    const Finished f = runOnce(provider, {AttestationStage::Attest, nonce});
    QVERIFY(f.id != 0);
    QVERIFY(!f.result.ok);
    QVERIFY(f.result.token.isEmpty());
    QVERIFY2(f.result.error.startsWith(QStringLiteral("attestation command failed: exit status 3")),
             qPrintable(f.result.error));
    QVERIFY2(f.result.error.contains(QStringLiteral("(stderr: authorizer said no to nonce")),
             qPrintable(f.result.error));
    // Neither the stdout token, nor the nonce, nor token-like stderr text is echoed.
    QVERIFY(!f.result.error.contains(kJwt));
    QVERIFY(!f.result.error.contains(nonce));
    QVERIFY(!f.result.error.contains(QStringLiteral("eyJ")));
    QVERIFY(!f.result.error.contains(QStringLiteral("ABCdef1234567890XYZ")));
    QVERIFY(f.result.error.contains(QStringLiteral("[redacted]")));

    // Without stderr there is no parenthetical.
    CommandTokenProvider quiet(
        configFor(writeScript(QStringLiteral("q.sh"), QStringLiteral("exit 1"))), identity());
    const Finished q = runOnce(quiet, {AttestationStage::Handshake, QString()});
    QCOMPARE(q.result.error, QStringLiteral("attestation command failed: exit status 1"));
}

void TestCommandTokenProvider::killedBySignal() {
    const QString script = writeScript(
        QStringLiteral("crash.sh"), QStringLiteral("echo '%1'\nkill -SEGV $$\nsleep 5").arg(kJwt));
    CommandTokenProvider provider(configFor(script), identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.id != 0);
    QVERIFY(!f.result.ok);
    QCOMPARE(f.result.error, QStringLiteral("attestation command failed: killed by signal 11"));
}

void TestCommandTokenProvider::timeoutKillsChild() {
    const QString pidFile = m_dir->filePath(QStringLiteral("pid"));
    const QString script = writeScript(
        QStringLiteral("slow.sh"), QStringLiteral("echo $$ > '%1'\nexec sleep 30").arg(pidFile));
    AttestationConfig config = configFor(script);
    config.timeoutSeconds = 1;
    CommandTokenProvider provider(config, identity());

    QElapsedTimer timer;
    timer.start();
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.id != 0);
    QVERIFY(!f.result.ok);
    QCOMPARE(f.result.error, QStringLiteral("attestation command timed out after 1 s"));
    QVERIFY2(timer.elapsed() < 10000, "timeout took far longer than the 1 s limit");
    const QString pid = readPid(pidFile);
    QVERIFY(!pid.isEmpty());
    // finished() is only emitted once the child has been reaped.
    QVERIFY2(!processExists(pid), qPrintable(pid));
    QCOMPARE(provider.runningCount(), 0);
}

void TestCommandTokenProvider::hugeOutputIsBounded_data() {
    QTest::addColumn<QString>("body");
    QTest::newRow("10 MiB of a") << QStringLiteral(
        "echo $$ > \"$PIDFILE\"\nhead -c 10485760 /dev/zero | tr '\\0' a");
    QTest::newRow("endless output")
        << QStringLiteral("echo $$ > \"$PIDFILE\"\nexec tr '\\0' a < /dev/zero");
    QTest::newRow("long single line then exit 0")
        << QStringLiteral("echo $$ > \"$PIDFILE\"\nhead -c 70000 /dev/zero | tr '\\0' a\nexit 0");
}

void TestCommandTokenProvider::hugeOutputIsBounded() {
    QFETCH(QString, body);
    const QString pidFile = m_dir->filePath(QStringLiteral("pid"));
    AttestationConfig config = configFor(writeScript(QStringLiteral("big.sh"), body));
    config.env.insert(QStringLiteral("PIDFILE"), pidFile);
    config.timeoutSeconds = 10; // a missing bound would show up as a timeout instead
    CommandTokenProvider provider(config, identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.id != 0);
    QVERIFY(!f.result.ok);
    QCOMPARE(f.result.error, QStringLiteral("attestation command output exceeds 65536 bytes"));
    QVERIFY(f.result.token.isEmpty());
    const QString pid = readPid(pidFile);
    QVERIFY(!pid.isEmpty());
    QVERIFY(!processExists(pid));
}

void TestCommandTokenProvider::hugeStderrDoesNotBlock() {
    // 1 MiB on stderr would fill the pipe if nobody read it; the token must still arrive.
    const QString script = writeScript(
        QStringLiteral("chatty.sh"),
        QStringLiteral("head -c 1048576 /dev/zero | tr '\\0' e >&2\necho '%1'").arg(kJwt));
    CommandTokenProvider provider(configFor(script), identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.result.ok);
    QCOMPARE(f.result.token, kJwt);
}

void TestCommandTokenProvider::environment() {
    const QString envFile = m_dir->filePath(QStringLiteral("env.txt"));
    const QString script = writeScript(QStringLiteral("env.sh"),
                                       QStringLiteral("env > '%1'\necho '%2'").arg(envFile, kJwt));
    AttestationConfig config = configFor(script);
    config.env.insert(QStringLiteral("EXTRA_VAR"), QStringLiteral("extra value with spaces"));
    config.env.insert(QStringLiteral("HOME"), QStringLiteral("/overridden/home"));
    config.env.insert(QStringLiteral("NEXUS_BACKEND_NAME"), QStringLiteral("spoofed"));
    config.env.insert(QStringLiteral("NEXUS_SESSION_NONCE"), QStringLiteral("spoofed"));
    config.env.insert(QStringLiteral("NEXUS_WEIGHT"), QStringLiteral("100"));
    qputenv("NEXUS_TEST_INHERITED", "inherited-value");
    qputenv("NEXUS_ATTESTATION_STAGE", "from-parent");
    CommandTokenProvider provider(config, identity());

    const auto readEnv = [&]() {
        QMap<QString, QString> vars;
        QFile f(envFile);
        if (!f.open(QIODevice::ReadOnly))
            return vars;
        for (const QByteArray& line : f.readAll().split('\n')) {
            const qsizetype eq = line.indexOf('=');
            if (eq > 0)
                vars.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
        }
        return vars;
    };

    Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    qunsetenv("NEXUS_TEST_INHERITED");
    qunsetenv("NEXUS_ATTESTATION_STAGE");
    QVERIFY(f.result.ok);
    QMap<QString, QString> env = readEnv();
    QCOMPARE(env.value(QStringLiteral("NEXUS_TEST_INHERITED")), QStringLiteral("inherited-value"));
    QCOMPARE(env.value(QStringLiteral("EXTRA_VAR")), QStringLiteral("extra value with spaces"));
    QCOMPARE(env.value(QStringLiteral("HOME")), QStringLiteral("/overridden/home"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_ATTESTATION_STAGE")), QStringLiteral("handshake"));
    QVERIFY(env.contains(QStringLiteral("NEXUS_SESSION_NONCE")));
    QCOMPARE(env.value(QStringLiteral("NEXUS_SESSION_NONCE")), QString());
    QCOMPARE(env.value(QStringLiteral("NEXUS_BACKEND_NAME")), QStringLiteral("edge-apps"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_HOSTNAMES")),
             QStringLiteral("app.example.com,*.preview.example.com"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_WEIGHT")), QStringLiteral("2"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_TCP_PORTS")), QStringLiteral("22,80,443"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_UDP_ROUTES")), QStringLiteral("53:30,67"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_OUTBOUND_ALLOWED")), QStringLiteral("false"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_ALLOWED_OUTBOUND_PORTS")), QStringLiteral("25,587"));

    f = runOnce(provider, {AttestationStage::Attest, QStringLiteral("n0nce-123")});
    QVERIFY(f.result.ok);
    env = readEnv();
    QCOMPARE(env.value(QStringLiteral("NEXUS_ATTESTATION_STAGE")), QStringLiteral("attest"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_SESSION_NONCE")), QStringLiteral("n0nce-123"));

    f = runOnce(provider, {AttestationStage::Reauth, QStringLiteral("second-nonce")});
    QVERIFY(f.result.ok);
    env = readEnv();
    QCOMPARE(env.value(QStringLiteral("NEXUS_ATTESTATION_STAGE")), QStringLiteral("reauth"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_SESSION_NONCE")), QStringLiteral("second-nonce"));

    // Empty lists and outbound allowed.
    AttestationIdentity bare;
    bare.backendName = QStringLiteral("bare");
    bare.weight = 1;
    bare.outboundAllowed = true;
    CommandTokenProvider bareProvider(configFor(script), bare);
    f = runOnce(bareProvider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.result.ok);
    env = readEnv();
    for (const char* name : {"NEXUS_HOSTNAMES", "NEXUS_TCP_PORTS", "NEXUS_UDP_ROUTES",
                             "NEXUS_ALLOWED_OUTBOUND_PORTS"}) {
        QVERIFY2(env.contains(QString::fromLatin1(name)), name);
        QCOMPARE(env.value(QString::fromLatin1(name)), QString());
    }
    QCOMPARE(env.value(QStringLiteral("NEXUS_OUTBOUND_ALLOWED")), QStringLiteral("true"));
    QCOMPARE(env.value(QStringLiteral("NEXUS_WEIGHT")), QStringLiteral("1"));
}

void TestCommandTokenProvider::argsVerbatim() {
    const QString argsFile = m_dir->filePath(QStringLiteral("args.txt"));
    // One argument per line, so spaces inside an argument stay visible.
    const QString script = writeScript(
        QStringLiteral("args.sh"),
        QStringLiteral("for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done > '%1'\necho '%2'")
            .arg(argsFile, kJwt));
    AttestationConfig config = configFor(script);
    config.args = {QStringLiteral("--flag"),   QStringLiteral("two words"),
                   QStringLiteral("$HOME"),    QStringLiteral("~"),
                   QStringLiteral("*"),        QStringLiteral("a;b|c"),
                   QStringLiteral("'quoted'"), QString()};
    CommandTokenProvider provider(config, identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.result.ok);
    QFile out(argsFile);
    QVERIFY(out.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(out.readAll()),
             QStringLiteral("[--flag]\n[two words]\n[$HOME]\n[~]\n[*]\n[a;b|c]\n['quoted']\n[]\n"));
}

void TestCommandTokenProvider::commandLookedUpInPath() {
    writeScript(QStringLiteral("nexus-test-token-cmd"), QStringLiteral("echo '%1'").arg(kJwt));
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", m_dir->path().toLocal8Bit() + ':' + oldPath);
    AttestationConfig config = configFor(QStringLiteral("nexus-test-token-cmd"));
    CommandTokenProvider provider(config, identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    qputenv("PATH", oldPath);
    QVERIFY2(f.result.ok, qPrintable(f.result.error));
    QCOMPARE(f.result.token, kJwt);
}

void TestCommandTokenProvider::commandNotFound() {
    CommandTokenProvider bare(configFor(QStringLiteral("nexus-no-such-command-xyz")), identity());
    const Finished a = runOnce(bare, {AttestationStage::Handshake, QString()});
    QVERIFY(a.id != 0);
    QVERIFY(!a.result.ok);
    QCOMPARE(a.result.error,
             QStringLiteral("attestation command \"nexus-no-such-command-xyz\" not found in PATH"));

    const QString missing = m_dir->filePath(QStringLiteral("missing.sh"));
    CommandTokenProvider path(configFor(missing), identity());
    const Finished b = runOnce(path, {AttestationStage::Handshake, QString()});
    QVERIFY(b.id != 0);
    QVERIFY(!b.result.ok);
    QVERIFY2(b.result.error.startsWith(
                 QStringLiteral("attestation command \"%1\" could not be started: ").arg(missing)),
             qPrintable(b.result.error));
    QCOMPARE(path.runningCount(), 0);
}

void TestCommandTokenProvider::notExecutable() {
    const QString script = writeScript(QStringLiteral("noexec.sh"), QStringLiteral("echo x"));
    QFile::setPermissions(script, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    CommandTokenProvider provider(configFor(script), identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.id != 0);
    QVERIFY(!f.result.ok);
    QVERIFY2(f.result.error.startsWith(
                 QStringLiteral("attestation command \"%1\" could not be started: ").arg(script)),
             qPrintable(f.result.error));
}

void TestCommandTokenProvider::cancelKillsChild() {
    const QString pidFile = m_dir->filePath(QStringLiteral("pid"));
    const QString script = writeScript(
        QStringLiteral("slow.sh"), QStringLiteral("echo $$ > '%1'\nexec sleep 30").arg(pidFile));
    CommandTokenProvider provider(configFor(script), identity());
    QSignalSpy spy(&provider, &TokenProvider::finished);
    const quint64 id = provider.request({AttestationStage::Reauth, QStringLiteral("n")});
    QTRY_VERIFY_WITH_TIMEOUT(!readPid(pidFile).isEmpty(), 10000);
    const QString pid = readPid(pidFile);
    QVERIFY(processExists(pid));
    QCOMPARE(provider.runningCount(), 1);

    provider.cancel(id);
    // The child is killed and reaped; no finished() ever arrives for the cancelled request.
    QTRY_VERIFY_WITH_TIMEOUT(!processExists(pid), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(provider.runningCount(), 0, 10000);
    QVERIFY(!spy.wait(300));
    QCOMPARE(spy.count(), 0);
    provider.cancel(id); // cancelling twice or an unknown id is harmless
    provider.cancel(9999);
}

void TestCommandTokenProvider::concurrentRuns() {
    // Each run waits for its own go-file, so the three children really overlap.
    const QString script = writeScript(
        QStringLiteral("overlap.sh"),
        QStringLiteral("while [ ! -e \"$GO_DIR/go-$NEXUS_SESSION_NONCE\" ]; do sleep 0.05; done\n"
                       "echo \"token-$NEXUS_SESSION_NONCE\""));
    AttestationConfig config = configFor(script);
    config.env.insert(QStringLiteral("GO_DIR"), m_dir->path());
    CommandTokenProvider provider(config, identity());
    QSignalSpy spy(&provider, &TokenProvider::finished);

    QMap<quint64, QString> expected;
    for (const QString& nonce : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")})
        expected.insert(provider.request({AttestationStage::Attest, nonce}),
                        QStringLiteral("token-") + nonce);
    QCOMPARE(expected.size(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(provider.runningCount(), 3, 10000);
    // Release in reverse order.
    for (const QString& nonce : {QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("a")}) {
        QFile go(m_dir->filePath(QStringLiteral("go-") + nonce));
        QVERIFY(go.open(QIODevice::WriteOnly));
    }
    QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 3, 15000);
    for (const QList<QVariant>& args : spy) {
        const quint64 id = args.at(0).value<quint64>();
        const auto result = args.at(1).value<TokenResult>();
        QVERIFY(result.ok);
        QCOMPARE(result.token, expected.value(id));
    }
}

void TestCommandTokenProvider::finishedIsAsynchronous() {
    // Even failures detected inside request() (command not in PATH) are reported later.
    CommandTokenProvider provider(configFor(QStringLiteral("nexus-no-such-command-xyz")),
                                  identity());
    QSignalSpy spy(&provider, &TokenProvider::finished);
    const quint64 first = provider.request({AttestationStage::Handshake, QString()});
    const quint64 second = provider.request({AttestationStage::Handshake, QString()});
    QCOMPARE(spy.count(), 0);
    provider.cancel(first);
    QVERIFY(spy.wait(5000));
    QCoreApplication::processEvents();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<quint64>(), second);
}

void TestCommandTokenProvider::destroyingProviderKillsChild() {
    const QString pidFile = m_dir->filePath(QStringLiteral("pid"));
    const QString script = writeScript(
        QStringLiteral("slow.sh"), QStringLiteral("echo $$ > '%1'\nexec sleep 30").arg(pidFile));
    auto provider = std::make_unique<CommandTokenProvider>(configFor(script), identity());
    provider->request({AttestationStage::Handshake, QString()});
    QTRY_VERIFY_WITH_TIMEOUT(!readPid(pidFile).isEmpty(), 10000);
    const QString pid = readPid(pidFile);
    provider.reset();
    QVERIFY(!processExists(pid));
}

void TestCommandTokenProvider::factorySelectsCommand() {
    BackendConfig backend;
    backend.name = QStringLiteral("edge-apps");
    backend.weight = 2;
    backend.attestation.command =
        writeScript(QStringLiteral("t.sh"), QStringLiteral("echo \"cmd-$NEXUS_BACKEND_NAME\""));
    backend.attestation.hmacSecret = QStringLiteral("ignored-secret"); // the command wins
    QString error;
    auto provider = createTokenProvider(backend, &error);
    QVERIFY(provider);
    QVERIFY(error.isEmpty());
    QVERIFY(qobject_cast<CommandTokenProvider*>(provider.get()));
    const Finished f = runOnce(*provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.result.ok);
    QCOMPARE(f.result.token, QStringLiteral("cmd-edge-apps"));

    // A blank command falls back to the signer.
    backend.attestation.command = QStringLiteral("   ");
    provider = createTokenProvider(backend, &error);
    QVERIFY(provider);
    QVERIFY(!qobject_cast<CommandTokenProvider*>(provider.get()));
}

void TestCommandTokenProvider::udpRoutesAreClaimed() {
    // A backend's udpRoutes reach the command's claims input (attestation.md §1: port or
    // port:flowIdleTimeoutSeconds, joined with ',').
    const QString envFile = m_dir->filePath(QStringLiteral("env.txt"));
    BackendConfig backend;
    backend.name = QStringLiteral("edge-apps");
    backend.tcpPorts = {443};
    backend.udpRoutes = {UdpRoute{53, 30}, UdpRoute{67, std::nullopt}};
    backend.attestation.command = writeScript(
        QStringLiteral("env.sh"), QStringLiteral("env > '%1'\necho '%2'").arg(envFile, kJwt));
    QString error;
    auto provider = createTokenProvider(backend, &error);
    QVERIFY2(provider, qPrintable(error));
    const Finished f = runOnce(*provider, {AttestationStage::Handshake, QString()});
    QVERIFY(f.result.ok);
    QFile file(envFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY(lines.contains("NEXUS_TCP_PORTS=443"));
    QVERIFY(lines.contains("NEXUS_UDP_ROUTES=53:30,67"));
}

void TestCommandTokenProvider::hugeTimeoutDoesNotOverflow() {
    // Library users bypass the loader's bound: seconds * 1000 must not wrap to a negative timer
    // (Qt warns "Timers cannot have negative timeouts" and the command would never time out).
    QTest::failOnWarning(QRegularExpression(QStringLiteral("[Tt]imer")));
    AttestationConfig config =
        configFor(writeScript(QStringLiteral("ok.sh"), QStringLiteral("echo '%1'").arg(kJwt)));
    config.timeoutSeconds = std::numeric_limits<int>::max();
    CommandTokenProvider provider(config, identity());
    const Finished f = runOnce(provider, {AttestationStage::Handshake, QString()});
    QVERIFY2(f.result.ok, qPrintable(f.result.error));
}

QTEST_GUILESS_MAIN(TestCommandTokenProvider)
#include "tst_commandtokenprovider.moc"
