// A throw-away certificate authority for the wss:// hub peer and the TLS origin: a CA and a server
// certificate for 127.0.0.1, generated at start with the `openssl` command-line tool into a
// temporary directory (EC P-256, valid for one day). The client process trusts the CA through
// tls.caFile, so TLS is verified exactly as in production. (tests/support/TestCa does the same for
// the tests; the bench does not link the test-support library, which pulls in Qt Test and the hub
// emulator.)
#pragma once

#include <QSslConfiguration>
#include <QString>
#include <QTemporaryDir>

namespace bench {

class BenchCa {
public:
    BenchCa();

    bool isValid() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    QString caPemPath() const { return m_dir.filePath(QStringLiteral("ca.pem")); }
    QString serverPemPath() const { return m_dir.filePath(QStringLiteral("server.pem")); }
    QString serverKeyPath() const { return m_dir.filePath(QStringLiteral("server.key")); }
    // Server side: certificate + key, no peer verification.
    QSslConfiguration serverConfiguration() const { return m_server; }
    // Client side: trusts this CA only (the TLS origin's clients in the driver).
    QSslConfiguration clientConfiguration() const { return m_client; }

private:
    bool openssl(const QStringList& args);

    QTemporaryDir m_dir;
    QString m_error;
    QSslConfiguration m_server;
    QSslConfiguration m_client;
};

} // namespace bench
