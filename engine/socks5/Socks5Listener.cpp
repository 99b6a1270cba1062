// See Socks5Listener.h.
#include "socks5/Socks5Listener.h"

#include "config/ListenAddress.h"

namespace nexustray::socks5 {

Socks5Listener::Socks5Listener(DescriptorHandler handler, QObject* parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler)) {}

bool Socks5Listener::start(const QString& listenAddr) {
    config::ListenAddress address;
    const QString parseError = config::parseListenAddress(listenAddr, &address);
    if (!parseError.isEmpty()) {
        m_problem =
            QStringLiteral("socks5ListenAddr '%1' is not usable: %2").arg(listenAddr, parseError);
        return false;
    }
    if (!listen(address.address, address.port)) {
        m_problem = QStringLiteral("cannot listen on socks5ListenAddr '%1': %2")
                        .arg(listenAddr, errorString());
        return false;
    }
    m_problem.clear();
    return true;
}

void Socks5Listener::incomingConnection(qintptr descriptor) {
    m_handler(descriptor);
}

} // namespace nexustray::socks5
