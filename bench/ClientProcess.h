// The client process of nexus-bench: only nexustray::Client (the real engine) against the hub peer.
// Shared by nexus-bench (its own WebSocket client) and nexus-bench-qws-client (the same engine with
// QWebSocket underneath, see bench/qws/).
#pragma once

#include <QString>

#include <functional>

class QCoreApplication;

namespace nexustray {
class Client;
}

namespace bench {

// Called with the client before it starts and the --metrics address (empty when not given):
// nexus-bench-metrics-client attaches the metrics endpoint there.
using ClientAttach = std::function<bool(nexustray::Client& client, const QString& metricsAddr)>;

// Parses the hidden options --hub-url, --ports and --ca-file and runs the client until killed.
int runClientProcess(QCoreApplication& app, const ClientAttach& attach = {});

} // namespace bench
