#include "nexustray/Config.h"

#include <QStringList>

namespace nexustray {

QString ConfigIssue::toString() const {
    QStringList location;
    if (!file.isEmpty())
        location << file;
    if (line > 0) {
        location << QString::number(line);
        if (column > 0)
            location << QString::number(column);
    }
    QString out = location.join(u':');
    if (!key.isEmpty())
        out += (out.isEmpty() ? QString() : QStringLiteral(": ")) + key;
    if (!out.isEmpty())
        out += QStringLiteral(": ");
    return out + message;
}

} // namespace nexustray
