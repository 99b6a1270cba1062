// Forbidden: socks5 code including the layer above it (tests/architecture/CMakeLists.txt); the
// session reaches the listener through OutboundOpener, never the other way.
#include "session/Session.h"
