// The config of the one-shot commands (--tpm-status, --set-secret): loaded from --config, with
// "<path>: file not found" or one line per error on `err` when it cannot be used.
#pragma once

#include <QString>
#include <QTextStream>

#include <optional>

#include "nexustray/Config.h"

namespace nexustray::app {

std::optional<Config> loadCommandConfig(const QString& path, QTextStream& err);

} // namespace nexustray::app
