#include "ConfigReloader.h"

#include <QDir>
#include <QTimer>

#include "LogFormat.h"

namespace nexustray::app {

ConfigReloader::ConfigReloader(QString path, std::function<void(const Config&)> apply,
                               QObject* parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_apply(std::move(apply)) {}

void ConfigReloader::requestReload() {
    if (m_queued)
        return;
    m_queued = true;
    QTimer::singleShot(0, this, [this] {
        m_queued = false;
        reloadNow();
    });
}

bool ConfigReloader::reloadNow() {
    const QString shown = QDir::toNativeSeparators(m_path);
    qCInfo(lcApp).noquote() << "reloading the configuration from" << shown;
    ConfigLoadResult loaded = loadConfigFile(m_path);
    for (const ConfigIssue& issue : std::as_const(loaded.warnings))
        qCWarning(lcApp).noquote() << "config:" << issue.toString();
    if (!loaded.ok()) {
        QStringList errors;
        for (const ConfigIssue& issue : std::as_const(loaded.errors)) {
            errors << issue.toString();
            qCCritical(lcApp).noquote() << "config error:" << issue.toString();
        }
        ++m_failed;
        qCCritical(lcApp).noquote()
            << QStringLiteral("reload failed: keeping the running "
                              "configuration (fix %1 and send SIGHUP again)")
                   .arg(shown);
        Q_EMIT reloaded(false, errors);
        return false;
    }
    m_apply(loaded.config);
    ++m_succeeded;
    qCInfo(lcApp).noquote() << "configuration reloaded: backends whose settings changed restart, "
                               "the others keep their streams";
    Q_EMIT reloaded(true, {});
    return true;
}

} // namespace nexustray::app
