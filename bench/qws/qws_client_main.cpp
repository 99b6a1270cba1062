// nexus-bench-qws-client: the client process of `nexus-bench --client qwebsocket`. The real engine
// (nexustray::Client) with QWebSocket as the hub transport instead of the own WebSocket client; see
// qws/websocket/WebSocketClient.h and docs/PERFORMANCE.md.
#include <QCoreApplication>

#include "ClientProcess.h"

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    return bench::runClientProcess(app);
}
