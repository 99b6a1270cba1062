// Forbidden: relay code including the public library's own folder (the top layer).
#include "client/NetworkWatch.h"
