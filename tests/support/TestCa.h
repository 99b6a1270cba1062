// A throw-away certificate authority for TLS tests: a CA and a server certificate for
// localhost / 127.0.0.1 / ::1, generated with the `openssl` command-line tool into a temporary
// directory (EC P-256, valid for two days).
#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace nexustray::test {

class TestCa {
public:
    // Generates the CA and one server certificate with these subjectAltNames.
    explicit TestCa(const QStringList& dnsNames = {QStringLiteral("localhost")},
                    const QStringList& ipAddresses = {QStringLiteral("127.0.0.1"),
                                                      QStringLiteral("::1")});
    ~TestCa();

    bool isValid() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    QString caPemPath() const;         // PEM of the CA certificate (a trust file for clients)
    QString serverCertPemPath() const; // server certificate (PEM)
    QString serverKeyPemPath() const;  // its private key (PEM, unencrypted)
    QSslCertificate caCertificate() const { return m_ca; }

    // For a server (e.g. HubOptions::tls): local certificate + key, no peer verification.
    QSslConfiguration serverConfiguration() const;
    // For a client: trusts only this CA, verifies the peer.
    QSslConfiguration clientConfiguration() const;

private:
    bool run(const QStringList& args);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_error;
    QSslCertificate m_ca;
    QSslCertificate m_cert;
    QByteArray m_keyPem;
};

} // namespace nexustray::test
