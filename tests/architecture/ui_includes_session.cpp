// Forbidden: tray code including a session header (tests/architecture/CMakeLists.txt).
#include "session/Session.h"
