#include "Demo.h"

#include <QRandomGenerator>

#include <cstdio>

#include "DemoHttpService.h"
#include "LogFormat.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"

namespace nexustray::app {

namespace {

QString randomSecret() {
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    QByteArray bytes(reinterpret_cast<const char*>(words), sizeof words);
    return QString::fromLatin1(bytes.toHex());
}

} // namespace

Demo::Demo(QObject* parent)
    : QObject(parent) {}

Demo::~Demo() {
    delete m_client; // stops the sessions before the hub goes away
    m_client = nullptr;
    if (m_hub)
        m_hub->stop();
}

Config Demo::makeConfig(const QString& hubUrl, const QString& secret, quint16 servicePort) {
    BackendConfig backend;
    backend.name = QStringLiteral("demo");
    backend.hostnames = {QLatin1String(kHostname)};
    backend.nexusAddresses = {hubUrl};
    backend.attestation.hmacSecret = secret;
    PortMapping mapping;
    mapping.defaultTarget = QStringLiteral("127.0.0.1:%1").arg(servicePort);
    backend.portMappings.insert(kAdvertisedPort, mapping);

    Config config;
    config.backends.append(backend);
    return config;
}

bool Demo::start(quint16 relayListenPort, QString* error) {
    auto fail = [error](const QString& what) {
        if (error)
            *error = what;
        return false;
    };
    if (m_client)
        return fail(QStringLiteral("the demo is already running"));

    m_service = new DemoHttpService(this);
    QString why;
    if (!m_service->listen(QHostAddress::LocalHost, 0, &why))
        return fail(QStringLiteral("demo web service: %1").arg(why));

    const QString secret = randomSecret();
    hub::HubOptions options;
    options.jwtSecret = secret.toUtf8();
    options.address = QHostAddress::LocalHost;
    options.relayPorts = {hub::RelayPort{kAdvertisedPort, relayListenPort}};
    m_hub = new hub::HubEmulator(options, this);
    if (!m_hub->start(&why))
        return fail(QStringLiteral("demo hub: %1").arg(why));

    qCInfo(lcApp).noquote() << QStringLiteral("demo: hub %1, relay port %2 (advertised as %3), "
                                              "web service 127.0.0.1:%4")
                                   .arg(m_hub->backendUrl().toString())
                                   .arg(relayPort())
                                   .arg(kAdvertisedPort)
                                   .arg(m_service->port());

    m_client =
        new Client(makeConfig(m_hub->backendUrl().toString(), secret, m_service->port()), this);
    connect(m_client, &Client::sessionChanged, this, &Demo::onSessionChanged);
    m_client->start();
    return true;
}

quint16 Demo::relayPort() const {
    return m_hub ? m_hub->relayListenPort(kAdvertisedPort) : 0;
}

void Demo::onSessionChanged(const SessionSnapshot& snapshot) {
    if (snapshot.state == SessionState::Connected && !m_announced) {
        m_announced = true;
        const QByteArray line = QStringLiteral("Demo tunnel up: curl http://%1:%2/\n")
                                    .arg(QLatin1String(kHostname))
                                    .arg(relayPort())
                                    .toUtf8();
        std::fputs(line.constData(), stdout);
        std::fflush(stdout);
        Q_EMIT tunnelUp(relayPort());
    } else if (snapshot.state == SessionState::Failed) {
        Q_EMIT failed(snapshot.lastError.isEmpty() ? QStringLiteral("the demo session failed")
                                                   : snapshot.lastError);
    }
}

} // namespace nexustray::app
