// Sets an environment variable for one scope, then restores what was there (e.g.
// NEXUS_TRAY_PLUGIN_DIR for the plugin search path tests).
#pragma once

#include <QByteArray>
#include <QString>

namespace nexustray::test {

class ScopedEnv {
public:
    ScopedEnv(const char* name, const QString& value)
        : m_name(name)
        , m_wasSet(qEnvironmentVariableIsSet(name))
        , m_saved(qgetenv(name)) {
        qputenv(name, value.toLocal8Bit());
    }
    ~ScopedEnv() {
        if (m_wasSet)
            qputenv(m_name, m_saved);
        else
            qunsetenv(m_name);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
    bool m_wasSet;
    QByteArray m_saved;
};

} // namespace nexustray::test
