// See StatusNotifierWatcher.h.
#include "StatusNotifierWatcher.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusServiceWatcher>

namespace nexustray::test {

namespace {
const QString kService = QStringLiteral("org.kde.StatusNotifierWatcher");
const QString kPath = QStringLiteral("/StatusNotifierWatcher");
const QString kItemPath = QStringLiteral("/StatusNotifierItem");
} // namespace

StatusNotifierWatcher::StatusNotifierWatcher(QObject* parent)
    : QObject(parent) {
    new StatusNotifierWatcherAdaptor(this);
}

bool StatusNotifierWatcher::registerOnSessionBus(QString* error) {
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        *error = QStringLiteral("no session bus: %1").arg(bus.lastError().message());
        return false;
    }
    if (!bus.registerObject(kPath, this)) {
        *error = QStringLiteral("cannot export %1: %2").arg(kPath, bus.lastError().message());
        return false;
    }
    if (!bus.registerService(kService)) {
        *error = QStringLiteral("cannot own %1: %2").arg(kService, bus.lastError().message());
        return false;
    }
    m_serviceWatcher = new QDBusServiceWatcher(this);
    m_serviceWatcher->setConnection(bus);
    m_serviceWatcher->setWatchMode(QDBusServiceWatcher::WatchForUnregistration);
    connect(m_serviceWatcher, &QDBusServiceWatcher::serviceUnregistered, this,
            &StatusNotifierWatcher::onServiceUnregistered);
    return true;
}

void StatusNotifierWatcher::registerItem(const QString& serviceOrPath) {
    // An object path means "on the caller's connection"; record it as "<sender><path>", the form
    // the real watchers use.
    QString service = serviceOrPath;
    QString path = kItemPath;
    if (serviceOrPath.startsWith(QLatin1Char('/'))) {
        service = calledFromDBus() ? message().service() : QString();
        path = serviceOrPath;
    }
    const QString item = service + path;
    if (service.isEmpty() || m_items.contains(item))
        return;
    m_items.append(item);
    m_serviceWatcher->addWatchedService(service);
    emit itemRegistered(item);
}

void StatusNotifierWatcher::registerHost(const QString&) {
    emit hostRegistered();
}

void StatusNotifierWatcher::onServiceUnregistered(const QString& service) {
    for (qsizetype i = m_items.size() - 1; i >= 0; --i) {
        if (m_items.at(i).startsWith(service + QLatin1Char('/'))) {
            const QString item = m_items.takeAt(i);
            emit itemUnregistered(item);
        }
    }
    m_serviceWatcher->removeWatchedService(service);
}

StatusNotifierWatcherAdaptor::StatusNotifierWatcherAdaptor(StatusNotifierWatcher* watcher)
    : QDBusAbstractAdaptor(watcher)
    , m_watcher(watcher) {
    setAutoRelaySignals(false);
    connect(watcher, &StatusNotifierWatcher::itemRegistered, this,
            &StatusNotifierWatcherAdaptor::StatusNotifierItemRegistered);
    connect(watcher, &StatusNotifierWatcher::itemUnregistered, this,
            &StatusNotifierWatcherAdaptor::StatusNotifierItemUnregistered);
    connect(watcher, &StatusNotifierWatcher::hostRegistered, this,
            &StatusNotifierWatcherAdaptor::StatusNotifierHostRegistered);
}

QStringList StatusNotifierWatcherAdaptor::registeredStatusNotifierItems() const {
    return m_watcher->registeredItems();
}

void StatusNotifierWatcherAdaptor::RegisterStatusNotifierItem(const QString& service) {
    m_watcher->registerItem(service);
}

void StatusNotifierWatcherAdaptor::RegisterStatusNotifierHost(const QString& service) {
    m_watcher->registerHost(service);
}

} // namespace nexustray::test
