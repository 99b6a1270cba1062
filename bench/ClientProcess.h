// The client process of nexus-bench: only nexustray::Client (the real engine) against the hub peer.
// Shared by nexus-bench (its own WebSocket client) and nexus-bench-qws-client (the same engine with
// QWebSocket underneath, see bench/qws/).
#pragma once

class QCoreApplication;

namespace bench {

// Parses the hidden options --hub-url, --ports and --ca-file and runs the client until killed.
int runClientProcess(QCoreApplication& app);

} // namespace bench
