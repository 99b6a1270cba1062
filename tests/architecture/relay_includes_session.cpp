// Forbidden: relay code including the layer above it (tests/architecture/CMakeLists.txt).
#include "session/Session.h"
