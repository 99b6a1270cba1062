#include "Autostart.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace nexustray::ui {

namespace {
// Desktop Entry spec: arguments containing reserved characters are double-quoted, with ", `, $
// and \ escaped by a backslash.
QString quoteExecArgument(const QString& argument) {
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    bool needsQuotes = argument.isEmpty();
    for (QChar c : argument)
        needsQuotes |= reserved.contains(c);
    if (!needsQuotes)
        return QString(argument).replace(QLatin1Char('%'), QLatin1String("%%"));
    QString out;
    for (QChar c : argument) {
        if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$') ||
            c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        if (c == QLatin1Char('%'))
            out += QLatin1Char('%');
        out += c;
    }
    return QLatin1Char('"') + out + QLatin1Char('"');
}
} // namespace

Autostart::Autostart(QString program, QStringList arguments)
    : m_program(std::move(program))
    , m_arguments(std::move(arguments)) {}

QString Autostart::entryPath() {
    const QString config = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    return QDir(config).filePath(QStringLiteral("autostart/nexus-tray.desktop"));
}

bool Autostart::isEnabled() const {
    QFile file(entryPath());
    if (!file.open(QIODevice::ReadOnly))
        return false;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line == "Hidden=true" || line == "X-GNOME-Autostart-enabled=false")
            return false;
    }
    return true;
}

QByteArray Autostart::entryText() const {
    QStringList exec{quoteExecArgument(m_program)};
    for (const QString& a : m_arguments)
        exec << quoteExecArgument(a);
    QString text = QStringLiteral("[Desktop Entry]\n"
                                  "Type=Application\n"
                                  "Name=nexus-tray\n"
                                  "Comment=Connects local services to a Nexus Proxy relay mesh\n"
                                  "Exec=%1\n"
                                  "Icon=nexus-tray\n"
                                  "Terminal=false\n"
                                  "Categories=Network;\n"
                                  "X-GNOME-Autostart-enabled=true\n")
                       .arg(exec.join(QLatin1Char(' ')));
    return text.toUtf8();
}

bool Autostart::setEnabled(bool enabled, QString* error) {
    const QString path = entryPath();
    if (!enabled) {
        if (QFileInfo::exists(path) && !QFile::remove(path)) {
            if (error)
                *error = QStringLiteral("cannot remove %1").arg(path);
            return false;
        }
        return true;
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(QFileInfo(path).absolutePath());
        return false;
    }
    QSaveFile file(path);
    const QByteArray text = entryText();
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace nexustray::ui
