#include "TestCa.h"

#include <QFile>
#include <QProcess>
#include <QSslKey>

namespace nexustray::test {

TestCa::TestCa(const QStringList& dnsNames, const QStringList& ipAddresses)
    : m_dir(std::make_unique<QTemporaryDir>()) {
    if (!m_dir->isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return;
    }
    QStringList san;
    for (const QString& n : dnsNames) {
        san << QStringLiteral("DNS:") + n;
    }
    for (const QString& ip : ipAddresses) {
        san << QStringLiteral("IP:") + ip;
    }
    QFile ext(m_dir->filePath(QStringLiteral("server.ext")));
    if (!ext.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write server.ext");
        return;
    }
    ext.write("basicConstraints=critical,CA:FALSE\n"
              "keyUsage=critical,digitalSignature,keyEncipherment\n"
              "extendedKeyUsage=serverAuth\n"
              "subjectAltName=" +
              san.join(QLatin1Char(',')).toUtf8() + "\n");
    ext.close();

    const QString ecParams = QStringLiteral("ec_paramgen_curve:prime256v1");
    const bool ok =
        run({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
             QStringLiteral("ec"), QStringLiteral("-pkeyopt"), ecParams, QStringLiteral("-nodes"),
             QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
             QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("2"),
             QStringLiteral("-subj"), QStringLiteral("/CN=nexus-tray test CA"),
             QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
             QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")}) &&
        run({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"),
             QStringLiteral("-pkeyopt"), ecParams, QStringLiteral("-nodes"),
             QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"),
             QStringLiteral("server.csr"), QStringLiteral("-subj"),
             QStringLiteral("/CN=") + dnsNames.value(0, QStringLiteral("localhost"))}) &&
        run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
             QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
             QStringLiteral("-CAkey"), QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"),
             QStringLiteral("-out"), QStringLiteral("server.pem"), QStringLiteral("-days"),
             QStringLiteral("2"), QStringLiteral("-extfile"), QStringLiteral("server.ext")});
    if (!ok) {
        return;
    }
    const auto cas = QSslCertificate::fromPath(caPemPath());
    const auto certs = QSslCertificate::fromPath(serverCertPemPath());
    QFile key(serverKeyPemPath());
    if (cas.isEmpty() || certs.isEmpty() || !key.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot load the generated certificates");
        return;
    }
    m_ca = cas.first();
    m_cert = certs.first();
    m_keyPem = key.readAll();
}

TestCa::~TestCa() = default;

bool TestCa::run(const QStringList& args) {
    QProcess openssl;
    openssl.setWorkingDirectory(m_dir->path());
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"), args);
    if (!openssl.waitForFinished(30000) || openssl.exitStatus() != QProcess::NormalExit ||
        openssl.exitCode() != 0) {
        m_error = QStringLiteral("openssl %1 failed: %2")
                      .arg(args.value(0), QString::fromLocal8Bit(openssl.readAll()).left(500));
        return false;
    }
    return true;
}

QString TestCa::caPemPath() const {
    return m_dir->filePath(QStringLiteral("ca.pem"));
}

QString TestCa::serverCertPemPath() const {
    return m_dir->filePath(QStringLiteral("server.pem"));
}

QString TestCa::serverKeyPemPath() const {
    return m_dir->filePath(QStringLiteral("server.key"));
}

QSslConfiguration TestCa::serverConfiguration() const {
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(m_cert);
    config.setPrivateKey(QSslKey(m_keyPem, QSsl::Ec, QSsl::Pem));
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    return config;
}

QSslConfiguration TestCa::clientConfiguration() const {
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates({m_ca});
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return config;
}

} // namespace nexustray::test
