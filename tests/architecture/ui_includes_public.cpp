// Allowed: what the tray may include (the public engine, configedit and its config writer).
#include "config/ConfigWriter.h"
#include "configedit/ConfigFileEditor.h"
#include "nexustray/Client.h"
