#include "TestRelayTls.h"

#include <QtTest>

namespace nexustray::test {

void TestRelayTls::addSchemeRows() {
    QTest::addColumn<QString>("scheme");
    QTest::newRow("ws") << QStringLiteral("ws");
    QTest::newRow("wss") << QStringLiteral("wss");
}

bool TestRelayTls::init() {
    if (!m_ca)
        m_ca = std::make_unique<TestCa>();
    return m_ca->isValid();
}

void TestRelayTls::serve(hub::HubOptions& options, const QString& scheme) const {
    if (isWss(scheme))
        options.tls = m_ca->serverConfiguration();
    else
        options.tls.reset();
}

void TestRelayTls::trust(BackendConfig& backend) const {
    backend.tls.caFile = m_ca->caPemPath();
}

} // namespace nexustray::test
