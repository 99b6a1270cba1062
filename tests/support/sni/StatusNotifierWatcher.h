// A minimal org.kde.StatusNotifierWatcher for tests: the D-Bus service that KDE Plasma, GNOME's
// AppIndicator extension and Wayland panels run so that tray items (StatusNotifierItem) can
// register. It also claims to be a host, which is what makes Qt show QSystemTrayIcon through
// StatusNotifierItem instead of XEmbed. It keeps the list of registered items and drops an item
// whose D-Bus name goes away, as the real watchers do.
#pragma once

#include <QDBusAbstractAdaptor>
#include <QDBusContext>
#include <QObject>
#include <QStringList>

class QDBusServiceWatcher;

namespace nexustray::test {

class StatusNotifierWatcher : public QObject, protected QDBusContext {
    Q_OBJECT
public:
    explicit StatusNotifierWatcher(QObject* parent = nullptr);

    // Registers the service and object on the session bus; false (with *error) when it cannot.
    bool registerOnSessionBus(QString* error);

    QStringList registeredItems() const { return m_items; }

public Q_SLOTS:
    // `serviceOrPath` is a bus name (the item lives at /StatusNotifierItem) or an object path
    // (the item lives on the caller's connection), per the StatusNotifierItem specification.
    void registerItem(const QString& serviceOrPath);
    void registerHost(const QString& service);

Q_SIGNALS:
    void itemRegistered(const QString& item);
    void itemUnregistered(const QString& item);
    void hostRegistered();

private:
    void onServiceUnregistered(const QString& service);

    QStringList m_items;
    QDBusServiceWatcher* m_serviceWatcher = nullptr;
};

// The D-Bus face of StatusNotifierWatcher (interface org.kde.StatusNotifierWatcher).
class StatusNotifierWatcherAdaptor : public QDBusAbstractAdaptor {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.StatusNotifierWatcher")
    Q_PROPERTY(QStringList RegisteredStatusNotifierItems READ registeredStatusNotifierItems)
    Q_PROPERTY(bool IsStatusNotifierHostRegistered READ isStatusNotifierHostRegistered)
    Q_PROPERTY(int ProtocolVersion READ protocolVersion)
public:
    explicit StatusNotifierWatcherAdaptor(StatusNotifierWatcher* watcher);

    QStringList registeredStatusNotifierItems() const;
    bool isStatusNotifierHostRegistered() const { return true; }
    int protocolVersion() const { return 0; }

public Q_SLOTS:
    void RegisterStatusNotifierItem(const QString& service);
    void RegisterStatusNotifierHost(const QString& service);

Q_SIGNALS:
    void StatusNotifierItemRegistered(const QString& item);
    void StatusNotifierItemUnregistered(const QString& item);
    void StatusNotifierHostRegistered();

private:
    StatusNotifierWatcher* m_watcher;
};

} // namespace nexustray::test
