#include "EventDispatcherChoice.h"

#include <QAbstractEventDispatcher>
#include <QMetaObject>
#include <QtGlobal>

namespace nexustray::app {

namespace {
constexpr char kNoGlib[] = "QT_NO_GLIB";
}

bool preferUnixEventDispatcher() {
    if (qEnvironmentVariableIsSet(kNoGlib))
        return false;
    // Inherited by child processes (attestation token commands): for a Qt program it only selects
    // the same dispatcher there; other programs ignore it.
    return qputenv(kNoGlib, "1");
}

const char* eventDispatcherName() {
    const QAbstractEventDispatcher* dispatcher = QAbstractEventDispatcher::instance();
    return dispatcher ? dispatcher->metaObject()->className() : "";
}

} // namespace nexustray::app
