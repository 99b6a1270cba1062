// Forbidden: tray code including a config header other than the writer configedit exposes.
#include "config/BackendLoader.h"
