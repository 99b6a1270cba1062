#include "SlowUser.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nexustray::test {

namespace {
constexpr int kTickMs = 5;
}

SlowUser::SlowUser(int receiveBufferBytes, QObject* parent)
    : QObject(parent)
    , m_receiveBuffer(receiveBufferBytes) {
    // Qt may not read ahead of us either: what we do not take stays in the (small) kernel buffer.
    m_socket.setReadBufferSize(4 * 1024);
    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, &SlowUser::tick);
    connect(&m_socket, &QTcpSocket::disconnected, this, &SlowUser::tick);
}

SlowUser::~SlowUser() {
    m_socket.disconnect(this); // its destructor may still report the close: not to us
}

bool SlowUser::connectTo(quint16 port, const QByteArray& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &m_receiveBuffer, sizeof m_receiveBuffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        m_error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return false;
    }
    if (!m_socket.setSocketDescriptor(fd)) {
        m_error = m_socket.errorString();
        ::close(fd);
        return false;
    }
    m_socket.write(request);
    m_clock.start();
    m_lastTickMs = 0;
    m_timer.start();
    return true;
}

void SlowUser::setRate(qint64 bytesPerSecond) {
    m_rate = bytesPerSecond;
    m_budget = 0;
}

void SlowUser::tick() {
    if (m_finished)
        return;
    const qint64 now = m_clock.elapsed();
    // Budget for the time since the last tick, at most 100 ms worth: a late tick does not turn
    // into a burst.
    m_budget = std::min(m_budget + double(m_rate) * double(now - m_lastTickMs) / 1000.0,
                        double(m_rate) / 10.0 + 1.0);
    m_lastTickMs = now;
    while (m_budget >= 1.0 && m_socket.bytesAvailable() > 0) {
        const QByteArray chunk = m_socket.read(qint64(m_budget));
        if (chunk.isEmpty())
            break;
        m_received += chunk;
        m_budget -= double(chunk.size());
    }
    if (m_socket.state() == QAbstractSocket::UnconnectedState && m_socket.bytesAvailable() == 0) {
        m_finished = true;
        m_timer.stop();
        Q_EMIT finishedReading();
    }
}

} // namespace nexustray::test
