// Allowed: relay code including its own folder, the layers below it and the public headers.
#include "Logging.h"
#include "nexustray/Snapshots.h"
#include "protocol/Frame.h"
#include "relay/Stream.h"
