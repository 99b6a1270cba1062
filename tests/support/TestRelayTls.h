// Runs relay tests over both ws:// and wss://: a "scheme" data column, and a test CA whose
// localhost / 127.0.0.1 / ::1 certificate the hub emulator serves and the session trusts (through
// the backend's tls.caFile, as a user would configure it). Every real relay is wss://, so the
// session, slow-peer and fault suites run each case both ways (docs/RELIABILITY.md).
#pragma once

#include <QString>

#include <memory>

#include "TestCa.h"
#include "hub/HubEmulator.h"
#include "nexustray/Config.h"

namespace nexustray::test {

class TestRelayTls {
public:
    // Adds the column "scheme" (QString) with the rows "ws" and "wss" to the current _data()
    // table; use it in initTestCase_data() so that every case runs both ways, read it with
    // QFETCH_GLOBAL(QString, scheme).
    static void addSchemeRows();
    static bool isWss(const QString& scheme) { return scheme == QLatin1String("wss"); }

    // Generates the CA (call once, e.g. in initTestCase()); false + error() when openssl failed.
    bool init();
    QString error() const { return m_ca ? m_ca->error() : QStringLiteral("not initialised"); }
    const TestCa& ca() const { return *m_ca; }

    // wss: the hub serves TLS with the CA's certificate for localhost / 127.0.0.1 / ::1.
    // ws: no change.
    void serve(hub::HubOptions& options, const QString& scheme) const;
    // The session trusts the CA for this backend's wss:// relays (tls.caFile; harmless for ws://).
    void trust(BackendConfig& backend) const;

private:
    std::unique_ptr<TestCa> m_ca;
};

} // namespace nexustray::test
