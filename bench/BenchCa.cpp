#include "BenchCa.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslKey>

namespace bench {

BenchCa::BenchCa() {
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return;
    }
    QFile ext(m_dir.filePath(QStringLiteral("server.ext")));
    if (!ext.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write server.ext");
        return;
    }
    ext.write("basicConstraints=critical,CA:FALSE\n"
              "keyUsage=critical,digitalSignature,keyEncipherment\n"
              "extendedKeyUsage=serverAuth\n"
              "subjectAltName=IP:127.0.0.1\n");
    ext.close();
    const QString ec = QStringLiteral("ec_paramgen_curve:prime256v1");
    const bool ok =
        openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("ec"), QStringLiteral("-pkeyopt"), ec, QStringLiteral("-nodes"),
                 QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                 QStringLiteral("ca.pem"), QStringLiteral("-days"), QStringLiteral("1"),
                 QStringLiteral("-subj"), QStringLiteral("/CN=nexus-bench CA"),
                 QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
                 QStringLiteral("-addext"),
                 QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")}) &&
        openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                 QStringLiteral("-pkeyopt"), ec, QStringLiteral("-nodes"),
                 QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"),
                 QStringLiteral("server.csr"), QStringLiteral("-subj"),
                 QStringLiteral("/CN=127.0.0.1")}) &&
        openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                 QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                 QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                 QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                 QStringLiteral("server.pem"), QStringLiteral("-days"), QStringLiteral("1"),
                 QStringLiteral("-extfile"), QStringLiteral("server.ext")});
    if (!ok)
        return;
    const QList<QSslCertificate> certs =
        QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("server.pem")));
    QFile keyFile(m_dir.filePath(QStringLiteral("server.key")));
    if (certs.isEmpty() || !keyFile.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot load the generated server certificate");
        return;
    }
    const QSslKey key(keyFile.readAll(), QSsl::Ec);
    if (key.isNull()) {
        m_error = QStringLiteral("cannot load the generated server key");
        return;
    }
    m_server = QSslConfiguration::defaultConfiguration();
    m_server.setLocalCertificate(certs.first());
    m_server.setPrivateKey(key);
    m_server.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_client = QSslConfiguration::defaultConfiguration();
    m_client.setCaCertificates(QSslCertificate::fromPath(caPemPath()));
    m_client.setPeerVerifyMode(QSslSocket::VerifyPeer);
}

bool BenchCa::openssl(const QStringList& args) {
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error = QStringLiteral("openssl %1 failed: %2")
                      .arg(args.value(0), QString::fromLocal8Bit(p.readAll()).left(500));
        return false;
    }
    return true;
}

} // namespace bench
