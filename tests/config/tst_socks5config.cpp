// The SOCKS5 listener's keys (socks5ListenAddr, socks5Username, socks5PasswordFile): loading,
// writing, the round trip, and nexus-tray's rule that a listener on a non-loopback address needs
// credentials (a load error naming the key and its line).
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "ConfigTestSupport.h"
#include "config/ConfigWriter.h"
#include "config/Socks5PasswordFile.h"
#include "nexustray/Config.h"

using namespace nexustray;
using configtest::baseYaml;

namespace {

bool writeFile(const QString& path, const QByteArray& data) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QString quotedYaml(const QString& s) {
    return u'"' + s + u'"';
}

} // namespace

class TestSocks5Config : public QObject {
    Q_OBJECT

private slots:
    void init() {
        QVERIFY(m_dir.isValid());
        m_passwordFile = m_dir.filePath(QStringLiteral("socks5.pw"));
        QVERIFY(writeFile(m_passwordFile, "socks-pw\n"));
    }

    void keysLoadWriteAndRoundTrip() {
        const ConfigLoadResult result = loadConfigText(baseYaml(
            {{"socks5ListenAddr", "socks5ListenAddr: \"0.0.0.0:1080\""},
             {"socks5Username", "socks5Username: alice"},
             {"socks5PasswordFile", "socks5PasswordFile: \"  " + m_passwordFile + "  \""}}));
        QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
        const BackendConfig& b = result.config.backends.first();
        QCOMPARE(b.socks5ListenAddr, QStringLiteral("0.0.0.0:1080"));
        QCOMPARE(b.socks5Username, QStringLiteral("alice"));
        QCOMPARE(b.socks5PasswordFile, m_passwordFile); // trimmed

        const QByteArray yaml = configyaml::writeConfigYaml(result.config);
        QVERIFY2(yaml.contains("socks5Username: \"alice\""), yaml.constData());
        QVERIFY2(yaml.contains("socks5PasswordFile: \"" + m_passwordFile.toUtf8() + '"'),
                 yaml.constData());
        QVERIFY2(!yaml.contains("socks-pw"), yaml.constData()); // the path, never the password
        const ConfigLoadResult again = loadConfigText(yaml);
        QVERIFY2(again.ok(), qPrintable(configtest::describe(again.errors)));
        QVERIFY(again.config == result.config);
    }

    void passwordFileContent_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QString>("problem");
        QTest::newRow("newline") << QByteArray("pw\n") << QByteArray("pw") << QString();
        QTest::newRow("CRLF") << QByteArray("pw\r\n") << QByteArray("pw") << QString();
        QTest::newRow("no newline") << QByteArray(" p w ") << QByteArray(" p w ") << QString();
        QTest::newRow("only one newline")
            << QByteArray("pw\n\n") << QByteArray("pw\n") << QString();
        QTest::newRow("255 bytes") << QByteArray(255, 'x') << QByteArray(255, 'x') << QString();
        QTest::newRow("256 bytes")
            << QByteArray(256, 'x') << QByteArray() << "longer than 255 bytes";
        QTest::newRow("empty") << QByteArray() << QByteArray() << "is empty";
        QTest::newRow("just a newline") << QByteArray("\n") << QByteArray() << "is empty";
    }
    void passwordFileContent() {
        QFETCH(QByteArray, content);
        QFETCH(QByteArray, password);
        QFETCH(QString, problem);
        QVERIFY(writeFile(m_passwordFile, content));
        QByteArray read;
        const QString error = config::readSocks5PasswordFile(m_passwordFile, &read);
        QVERIFY2(problem.isEmpty() ? error.isEmpty() : error.contains(problem), qPrintable(error));
        QCOMPARE(read, password);

        const ConfigLoadResult result = loadConfigText(baseYaml(
            {{"socks5Username", "socks5Username: alice"},
             {"socks5PasswordFile", "socks5PasswordFile: " + quotedYaml(m_passwordFile)}}));
        QCOMPARE(result.ok(), problem.isEmpty());
        if (!problem.isEmpty())
            QCOMPARE(result.errors.first().key, QStringLiteral("backends[0].socks5PasswordFile"));
    }

    void passwordFileMissing() {
        const QString missing = m_dir.filePath(QStringLiteral("missing"));
        const ConfigLoadResult result = loadConfigText(
            baseYaml({{"socks5Username", "socks5Username: alice"},
                      {"socks5PasswordFile", "socks5PasswordFile: " + quotedYaml(missing)}}),
            QStringLiteral("c.yaml"));
        QCOMPARE(result.errors.size(), 1);
        const ConfigIssue& issue = result.errors.first();
        QCOMPARE(issue.file, QStringLiteral("c.yaml"));
        QCOMPARE(issue.line, 8);
        QCOMPARE(issue.key, QStringLiteral("backends[0].socks5PasswordFile"));
        QVERIFY2(issue.message.startsWith(QStringLiteral("backend 'edge': socks5PasswordFile '%1': "
                                                         "cannot read")
                                              .arg(missing)),
                 qPrintable(issue.message));

        // A directory is not a password file either.
        const ConfigLoadResult dir = loadConfigText(
            baseYaml({{"socks5Username", "socks5Username: alice"},
                      {"socks5PasswordFile", "socks5PasswordFile: " + quotedYaml(m_dir.path())}}));
        QCOMPARE(dir.errors.size(), 1);
        QVERIFY(dir.errors.first().message.contains(QStringLiteral("is a directory")));
    }

    void bothOrNeither_data() {
        QTest::addColumn<bool>("user");
        QTest::addColumn<bool>("file");
        QTest::addColumn<QString>("errorKey");
        QTest::newRow("neither") << false << false << QString();
        QTest::newRow("both") << true << true << QString();
        QTest::newRow("only username") << true << false << "backends[0].socks5Username";
        QTest::newRow("only password file") << false << true << "backends[0].socks5PasswordFile";
    }
    void bothOrNeither() {
        QFETCH(bool, user);
        QFETCH(bool, file);
        QFETCH(QString, errorKey);
        QList<configtest::Change> changes;
        if (user)
            changes << configtest::Change{"socks5Username", "socks5Username: alice"};
        if (file)
            changes << configtest::Change{"socks5PasswordFile",
                                          "socks5PasswordFile: " + quotedYaml(m_passwordFile)};
        const ConfigLoadResult result = loadConfigText(baseYaml(changes));
        if (errorKey.isEmpty()) {
            QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
            return;
        }
        QCOMPARE(result.errors.size(), 1);
        QCOMPARE(result.errors.first().key, errorKey);
        QCOMPARE(result.errors.first().message,
                 QStringLiteral("backend 'edge': socks5Username and socks5PasswordFile go "
                                "together: set both or neither"));
    }

    void usernameTooLong() {
        const ConfigLoadResult result = loadConfigText(baseYaml(
            {{"socks5Username", "socks5Username: " + QString(256, u'u')},
             {"socks5PasswordFile", "socks5PasswordFile: " + quotedYaml(m_passwordFile)}}));
        QCOMPARE(result.errors.size(), 1);
        QVERIFY(result.errors.first().message.contains(QStringLiteral("longer than 255 bytes")));
    }

    // nexus-tray's rule: off loopback, a listener must authenticate. An unparsable address is
    // not a load error (the listener logs it when it starts).
    void nonLoopbackNeedsCredentials_data() {
        QTest::addColumn<QString>("listenAddr");
        QTest::addColumn<bool>("needsAuth");
        QTest::newRow("127.0.0.1") << "127.0.0.1:1080" << false;
        QTest::newRow("127.8.9.10") << "127.8.9.10:1080" << false;
        QTest::newRow("::1") << "[::1]:1080" << false;
        QTest::newRow("localhost") << "localhost:1080" << false;
        QTest::newRow("LOCALHOST") << "LOCALHOST:1080" << false;
        QTest::newRow("0.0.0.0") << "0.0.0.0:1080" << true;
        QTest::newRow("every interface") << ":1080" << true;
        QTest::newRow("::") << "[::]:1080" << true;
        QTest::newRow("LAN address") << "192.168.1.5:1080" << true;
        QTest::newRow("IPv6 address") << "[2001:db8::5]:1080" << true;
        QTest::newRow("unparsable") << "nonsense" << false;
        QTest::newRow("host name") << "proxy.example:1080" << false;
    }
    void nonLoopbackNeedsCredentials() {
        QFETCH(QString, listenAddr);
        QFETCH(bool, needsAuth);
        const QByteArray yaml = "backends:\n"
                                "  - name: edge\n"
                                "    hostnames: [app.example.com]\n"
                                "    nexusAddresses: [\"wss://hub.example.com/connect\"]\n"
                                "    attestation: {hmacSecret: s3cret}\n"
                                "    portMappings: {80: {default: \"localhost:8080\"}}\n"
                                "    socks5ListenAddr: \"" +
                                listenAddr.toUtf8() + "\"\n";
        const ConfigLoadResult result =
            loadConfigText(yaml, QStringLiteral("/etc/nexus-tray/config.yaml"));
        if (!needsAuth) {
            QVERIFY2(result.ok(), qPrintable(configtest::describe(result.errors)));
            return;
        }
        QCOMPARE(result.errors.size(), 1);
        QCOMPARE(result.errors.first().toString(),
                 QStringLiteral("/etc/nexus-tray/config.yaml:7:23: backends[0].socks5ListenAddr: "
                                "backend 'edge': socks5ListenAddr '%1' is not a loopback "
                                "address: set socks5Username and socks5PasswordFile (a listener "
                                "open to the network needs authentication)")
                     .arg(listenAddr));

        // With credentials the same address loads.
        const ConfigLoadResult withAuth =
            loadConfigText(yaml + "    socks5Username: alice\n    socks5PasswordFile: " +
                           quotedYaml(m_passwordFile).toUtf8() + "\n");
        QVERIFY2(withAuth.ok(), qPrintable(configtest::describe(withAuth.errors)));
    }

private:
    QTemporaryDir m_dir;
    QString m_passwordFile;
};

QTEST_GUILESS_MAIN(TestSocks5Config)
#include "tst_socks5config.moc"
