// See TestHub.h.
#include "TestHub.h"

namespace nexustray::test {

std::unique_ptr<hub::HubEmulator> startHub(hub::HubOptions options, const QString& scheme,
                                           const TestRelayTls& tls, QString* error) {
    tls.serve(options, scheme);
    auto hub = std::make_unique<hub::HubEmulator>(std::move(options));
    if (!hub->start(error))
        return nullptr;
    return hub;
}

} // namespace nexustray::test
