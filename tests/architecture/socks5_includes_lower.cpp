// Allowed: socks5 code including its own folder, the layers below it and the public headers.
#include "Logging.h"
#include "config/ListenAddress.h"
#include "nexustray/Config.h"
#include "relay/OutboundResult.h"
#include "socks5/Socks5Handshake.h"
