// Starts the hub emulator the way the session-level tests need it: with the case's options, over
// the case's scheme (ws://, or wss:// serving the TestRelayTls certificate), listening on
// 127.0.0.1 with free ports.
#pragma once

#include <QString>

#include <memory>

#include "TestRelayTls.h"
#include "hub/HubEmulator.h"

namespace nexustray::test {

// The started hub, or nullptr with the reason in *error (when given) if it could not listen.
std::unique_ptr<hub::HubEmulator> startHub(hub::HubOptions options, const QString& scheme,
                                           const TestRelayTls& tls, QString* error = nullptr);

} // namespace nexustray::test
