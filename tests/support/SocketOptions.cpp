// See SocketOptions.h.
#include "SocketOptions.h"

#include <QDir>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace nexustray::test {

bool hasNoDelay(qintptr descriptor) {
    int value = 0;
    socklen_t size = sizeof value;
    if (getsockopt(int(descriptor), IPPROTO_TCP, TCP_NODELAY, &value, &size) != 0)
        return false;
    return value != 0;
}

bool setSendBufferSize(qintptr descriptor, int bytes) {
    return setsockopt(int(descriptor), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) == 0;
}

qintptr findSocketWithPeerPort(quint16 peerPort) {
    const QStringList fds = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files);
    for (const QString& name : fds) {
        const int fd = name.toInt();
        sockaddr_in peer{};
        socklen_t size = sizeof peer;
        if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) == 0 &&
            peer.sin_family == AF_INET && ntohs(peer.sin_port) == peerPort &&
            ntohl(peer.sin_addr.s_addr) == INADDR_LOOPBACK)
            return fd;
    }
    return -1;
}

} // namespace nexustray::test
