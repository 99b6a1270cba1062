#include "CommandConfig.h"

#include <QFileInfo>

namespace nexustray::app {

std::optional<Config> loadCommandConfig(const QString& path, QTextStream& err) {
    if (!QFileInfo::exists(path)) {
        err << path << ": file not found\n";
        return std::nullopt;
    }
    ConfigLoadResult loaded = loadConfigFile(path);
    for (const ConfigIssue& issue : loaded.errors)
        err << issue.toString() << '\n';
    if (!loaded.ok())
        return std::nullopt;
    return std::move(loaded.config);
}

} // namespace nexustray::app
