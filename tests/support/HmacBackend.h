// The simplest backend of the hub emulator for session-level tests: an HMAC-attested backend with
// one hostname, dialling the hub over its scheme (trusting the TestRelayTls CA for wss://), and
// the lookup of a Client's session by backend name.
#pragma once

#include <QByteArray>
#include <QString>

#include "TestRelayTls.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "nexustray/Config.h"

namespace nexustray::test {

BackendConfig hmacBackend(const QString& name, const QString& hostname, const hub::HubEmulator& hub,
                          const QByteArray& secret, const TestRelayTls& tls);

// The session of `backendName` (a default snapshot when the Client has none).
SessionSnapshot sessionOf(const Client& client, const QString& backendName);

} // namespace nexustray::test
