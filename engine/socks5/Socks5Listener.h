// The listening socket of one backend's socks5ListenAddr (protocol.md §9.3). It only accepts:
// each connection's raw descriptor goes to the handler, which creates the QTcpSocket on the thread
// that will serve it (the chosen session's worker) and runs a Socks5Handshake there. The handler
// runs on the listener's thread; moving the descriptor to another thread is the handler's job.
#pragma once

#include <QTcpServer>

#include <functional>

namespace nexustray::socks5 {

class Socks5Listener : public QTcpServer {
    Q_OBJECT
public:
    using DescriptorHandler = std::function<void(qintptr descriptor)>;

    explicit Socks5Listener(DescriptorHandler handler, QObject* parent = nullptr);

    // Binds `listenAddr` (config/ListenAddress.h). false: problem() says why, naming the address
    // (for the caller's log line: a bad address or a failed bind is logged, not fatal).
    bool start(const QString& listenAddr);
    QString problem() const { return m_problem; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    DescriptorHandler m_handler;
    QString m_problem;
};

} // namespace nexustray::socks5
