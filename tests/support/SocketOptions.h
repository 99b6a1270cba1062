// Socket options as the kernel has them (not what Qt remembers), for the TCP_NODELAY tests, and a
// small send buffer for the slow-local-service tests.
#pragma once

#include <QtGlobal>

namespace nexustray::test {

// TCP_NODELAY of a socket descriptor; false when it cannot be read.
bool hasNoDelay(qintptr descriptor);

// SO_SNDBUF (which also ends the kernel's send-buffer autotuning); false when it fails.
bool setSendBufferSize(qintptr descriptor, int bytes);

// A TCP socket of this process connected to 127.0.0.1:peerPort (found through its descriptors,
// so sockets a component keeps to itself can be checked too); -1 when there is none.
qintptr findSocketWithPeerPort(quint16 peerPort);

} // namespace nexustray::test
