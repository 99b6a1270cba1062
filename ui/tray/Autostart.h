// "Start at login": an XDG autostart entry, $XDG_CONFIG_HOME/autostart/nexus-tray.desktop.
#pragma once

#include <QString>
#include <QStringList>

namespace nexustray::ui {

class Autostart {
public:
    // `program` and `arguments` form the Exec line (quoted as the Desktop Entry spec says).
    explicit Autostart(QString program, QStringList arguments = {});

    static QString entryPath(); // ~/.config/autostart/nexus-tray.desktop

    // True when the entry exists and is not hidden or disabled.
    bool isEnabled() const;
    // Writes (atomically) or removes the entry. False and *error on failure.
    bool setEnabled(bool enabled, QString* error = nullptr);

    QByteArray entryText() const;

private:
    QString m_program;
    QStringList m_arguments;
};

} // namespace nexustray::ui
