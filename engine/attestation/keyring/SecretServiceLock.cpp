// See SecretServiceLock.h.
#include "SecretServiceLock.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QMap>

namespace nexustray::attestation {

SecretServiceEntryState secretServiceEntryState(const QString& service, const QString& key) {
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface() ||
        !bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.secrets")))
        return SecretServiceEntryState::Unknown;
    QDBusMessage call = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets"),
        QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("SearchItems"));
    static const QMetaType registered = qDBusRegisterMetaType<QMap<QString, QString>>();
    Q_UNUSED(registered)
    QMap<QString, QString> attributes;
    attributes.insert(QStringLiteral("server"), service);
    attributes.insert(QStringLiteral("user"), key);
    call << QVariant::fromValue(attributes);
    const QDBusMessage reply = bus.call(call, QDBus::Block, 5000);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().size() != 2)
        return SecretServiceEntryState::Unknown;
    const auto paths = [](const QVariant& v) {
        return qdbus_cast<QList<QDBusObjectPath>>(v.value<QDBusArgument>());
    };
    const QList<QDBusObjectPath> unlocked = paths(reply.arguments().at(0));
    const QList<QDBusObjectPath> locked = paths(reply.arguments().at(1));
    return unlocked.isEmpty() && !locked.isEmpty() ? SecretServiceEntryState::Locked
                                                   : SecretServiceEntryState::Other;
}

} // namespace nexustray::attestation
