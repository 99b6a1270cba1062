// The config layer's name for the public listen-address parser (nexustray/ListenAddress.h), which
// the loader (a non-loopback host needs credentials) and the SOCKS5 listener (where to bind) use.
#pragma once

#include "nexustray/ListenAddress.h"

namespace nexustray::config {

using nexustray::ListenAddress;
using nexustray::parseListenAddress;

} // namespace nexustray::config
