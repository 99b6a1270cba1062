// Writes a Config as config.yaml text: the counterpart of the loader (ConfigLoader /
// BackendLoader), used by the editor's form tab and by the tray when it saves a config it changed.
#pragma once

#include <QByteArray>

#include "nexustray/Config.h"

namespace nexustray::configyaml {

// Every backend in the order of config.md, then `metrics:` when set, each key only when it
// differs from the default of Config.h. Comments cannot be kept.
// loadConfigText(writeConfigYaml(c)).config == c for every config the loader can produce
// (normalised values).
QByteArray writeConfigYaml(const Config& config);

} // namespace nexustray::configyaml
