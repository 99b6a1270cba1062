// The tray through the StatusNotifierItem D-Bus protocol — the path Qt takes on KDE, on GNOME with
// the AppIndicator extension and on Wayland panels — instead of XEmbed. Run by tray_sni.sh on a
// private D-Bus session bus (and an Xvfb display for the xcb platform, whose theme picks the
// D-Bus tray); the test starts its own StatusNotifierWatcher (tests/support/sni), a real
// nexustray::Client against the in-process hub emulator, and the real TrayController. It then
// looks at the tray only through D-Bus, as a panel would: the item registers with the watcher, its
// tooltip and icon follow the tunnel state, and the exported menu (com.canonical.dbusmenu) holds
// one checkmark toggle per backend that switches that backend's sessions off and on.
#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusVariant>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include "EchoServer.h"
#include "hub/HubEmulator.h"
#include "nexustray/Client.h"
#include "tray/TrayController.h"

using namespace nexustray;
using namespace nexustray::ui;
using nexustray::hub::HubEmulator;
using nexustray::hub::HubOptions;

namespace {

const QByteArray kSecret = "sni-test-secret";
const QString kItemInterface = QStringLiteral("org.kde.StatusNotifierItem");
const QString kMenuInterface = QStringLiteral("com.canonical.dbusmenu");

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int countOf(const QSignalSpy& spy, const QString& backend) {
    int n = 0;
    for (const QList<QVariant>& args : spy)
        n += args.at(0).toString() == backend;
    return n;
}

// The tray item lives in this process and is served by this thread's event loop (as is the hub
// emulator): a blocking call would deadlock, so every call runs the event loop until its reply.
QDBusMessage callAndWait(const QDBusMessage& message) {
    QDBusPendingCallWatcher watcher(QDBusConnection::sessionBus().asyncCall(message, 10000));
    QSignalSpy finished(&watcher, &QDBusPendingCallWatcher::finished);
    if (!watcher.isFinished())
        finished.wait(15000);
    return watcher.reply();
}

// One node of a com.canonical.dbusmenu layout: (ia{sv}av).
struct MenuNode {
    int id = -1;
    QVariantMap properties;
    QList<MenuNode> children;
};

void readMenuNode(const QDBusArgument& arg, MenuNode* node) {
    arg.beginStructure();
    arg >> node->id >> node->properties;
    arg.beginArray();
    while (!arg.atEnd()) {
        QDBusVariant child;
        arg >> child;
        MenuNode childNode;
        readMenuNode(child.variant().value<QDBusArgument>(), &childNode);
        node->children.append(childNode);
    }
    arg.endArray();
    arg.endStructure();
}

// The first node whose label starts with `prefix`, depth first.
const MenuNode* findByLabel(const MenuNode& node, const QString& prefix) {
    if (node.properties.value(QStringLiteral("label")).toString().startsWith(prefix))
        return &node;
    for (const MenuNode& child : node.children) {
        if (const MenuNode* found = findByLabel(child, prefix))
            return found;
    }
    return nullptr;
}

// The ToolTip property: (sa(iiay)ss) — icon name, icon pixmaps, title, description.
struct ToolTip {
    QString title;
    QString description;
};

// Share of pixels in an a(iiay) pixmap list (largest image; ARGB32 in network byte order) whose
// colour is clearly green (the "connected" disc) or clearly saturated at all (any state but off).
struct IconColours {
    double green = 0;
    double saturated = 0;
    int size = 0;
};

// The largest image of an a(iiay) pixmap list (ARGB32, network byte order); reads the whole list.
QImage readLargestPixmap(const QDBusArgument& arg) {
    QImage best;
    arg.beginArray();
    while (!arg.atEnd()) {
        int width = 0;
        int height = 0;
        QByteArray data;
        arg.beginStructure();
        arg >> width >> height >> data;
        arg.endStructure();
        if (width <= best.width() || data.size() != qsizetype(width) * height * 4)
            continue;
        QImage image(width, height, QImage::Format_ARGB32);
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const uchar* p = reinterpret_cast<const uchar*>(data.constData()) +
                                 (qsizetype(y) * width + x) * 4;
                image.setPixel(x, y, qRgba(p[1], p[2], p[3], p[0]));
            }
        }
        best = image;
    }
    arg.endArray();
    return best;
}

IconColours iconColours(const QDBusArgument& arg) {
    IconColours result;
    const QImage best = readLargestPixmap(arg);
    if (best.isNull())
        return result;
    int opaque = 0;
    int green = 0;
    int saturated = 0;
    for (int y = 0; y < best.height(); ++y) {
        for (int x = 0; x < best.width(); ++x) {
            const QRgb c = best.pixel(x, y);
            if (qAlpha(c) < 200)
                continue;
            ++opaque;
            const int r = qRed(c), g = qGreen(c), b = qBlue(c);
            green += g > r + 60 && g > b + 60;
            saturated += qMax(r, qMax(g, b)) - qMin(r, qMin(g, b)) > 60;
        }
    }
    result.size = best.width();
    if (opaque > 0) {
        result.green = double(green) / opaque;
        result.saturated = double(saturated) / opaque;
    }
    return result;
}

} // namespace

class TestTraySni : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QProcess m_watcher;
    QByteArray m_watcherOutput;
    std::unique_ptr<HubEmulator> m_hub;
    std::unique_ptr<test::EchoServer> m_echo;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<TrayController> m_tray;
    QString m_path;
    QString m_itemService; // the item's bus name and object path, as registered with the watcher
    QString m_itemPath;

    QByteArray configText() const {
        const QByteArray url = m_hub->backendUrl().toString().toUtf8();
        const QByteArray target = "127.0.0.1:" + QByteArray::number(m_echo->port());
        QByteArray text = "# two tunnels for the StatusNotifierItem test\nbackends:\n";
        for (const char* name : {"web", "mail"}) {
            text += QByteArray("  - name: ") + name + "\n    hostnames: [\"" + name +
                    ".test\"]\n    nexusAddresses: [\"" + url +
                    "\"]\n    attestation:\n      hmacSecret: \"" + kSecret +
                    "\"\n    portMappings:\n      80: \"" + target + "\"\n";
        }
        return text;
    }

    QVariant itemProperty(const QString& name) const {
        QDBusMessage get = QDBusMessage::createMethodCall(
            m_itemService, m_itemPath, QStringLiteral("org.freedesktop.DBus.Properties"),
            QStringLiteral("Get"));
        get << kItemInterface << name;
        const QDBusMessage reply = callAndWait(get);
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()) {
            qWarning() << "Get" << name << "failed:" << reply.errorMessage();
            return {};
        }
        return reply.arguments().constFirst().value<QDBusVariant>().variant();
    }

    ToolTip toolTip() const {
        ToolTip tip;
        const QDBusArgument arg = itemProperty(QStringLiteral("ToolTip")).value<QDBusArgument>();
        QString iconName;
        arg.beginStructure();
        arg >> iconName;
        readLargestPixmap(arg);
        arg >> tip.title >> tip.description;
        arg.endStructure();
        return tip;
    }

    QString toolTipText() const {
        const ToolTip tip = toolTip();
        return tip.title + QLatin1Char('\n') + tip.description;
    }

    IconColours icon() const {
        return iconColours(itemProperty(QStringLiteral("IconPixmap")).value<QDBusArgument>());
    }

    QString menuPath() const {
        return itemProperty(QStringLiteral("Menu")).value<QDBusObjectPath>().path();
    }

    MenuNode menuLayout() const {
        QDBusMessage call = QDBusMessage::createMethodCall(
            m_itemService, menuPath(), kMenuInterface, QStringLiteral("GetLayout"));
        call << 0 << -1 << QStringList();
        const QDBusMessage reply = callAndWait(call);
        MenuNode root;
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().size() != 2) {
            qWarning() << "GetLayout failed:" << reply.errorMessage();
            return root;
        }
        readMenuNode(reply.arguments().at(1).value<QDBusArgument>(), &root);
        return root;
    }

    // The backend's toggle-state in the exported menu: 1 on, 0 off, -1 no such checkmark entry.
    int toggleState(const QString& backend) const {
        const MenuNode root = menuLayout();
        const MenuNode* node = findByLabel(root, backend + QStringLiteral(" — "));
        if (!node || node->properties.value(QStringLiteral("toggle-type")).toString() !=
                         QLatin1String("checkmark"))
            return -1;
        return node->properties.value(QStringLiteral("toggle-state")).toInt();
    }

    // Clicks the backend's menu entry the way a panel does (com.canonical.dbusmenu.Event).
    bool clickBackend(const QString& backend) const {
        const MenuNode root = menuLayout();
        const MenuNode* node = findByLabel(root, backend + QStringLiteral(" — "));
        if (!node)
            return false;
        QDBusMessage event = QDBusMessage::createMethodCall(
            m_itemService, menuPath(), kMenuInterface, QStringLiteral("Event"));
        event << node->id << QStringLiteral("clicked") << QVariant::fromValue(QDBusVariant(0))
              << 0u;
        const QDBusMessage reply = callAndWait(event);
        if (reply.type() != QDBusMessage::ReplyMessage)
            qWarning() << "Event failed:" << reply.errorMessage();
        return reply.type() == QDBusMessage::ReplyMessage;
    }

    bool watcherSaid(const QByteArray& line) {
        m_watcherOutput += m_watcher.readAllStandardOutput();
        return m_watcherOutput.contains(line);
    }

    QStringList registeredItems() const {
        QDBusMessage get = QDBusMessage::createMethodCall(
            QStringLiteral("org.kde.StatusNotifierWatcher"),
            QStringLiteral("/StatusNotifierWatcher"),
            QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
        get << QStringLiteral("org.kde.StatusNotifierWatcher")
            << QStringLiteral("RegisteredStatusNotifierItems");
        const QDBusMessage reply = callAndWait(get);
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
            return {};
        return reply.arguments().constFirst().value<QDBusVariant>().variant().toStringList();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QDBusConnection::sessionBus().isConnected(),
                 "needs a session bus: run through tray_sni.sh");
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("xdg-config")).toUtf8());

        // The watcher must be on the bus before the first QSystemTrayIcon: Qt decides once per
        // process between StatusNotifierItem and XEmbed.
        m_watcher.setProgram(QStringLiteral(NEXUS_SNI_WATCHER));
        m_watcher.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_watcher.start();
        QVERIFY2(m_watcher.waitForStarted(), qPrintable(m_watcher.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(watcherSaid("ready\n"), 10000);
        QVERIFY(QDBusConnection::sessionBus().interface()->isServiceRegistered(
            QStringLiteral("org.kde.StatusNotifierWatcher")));

        HubOptions o;
        o.jwtSecret = kSecret;
        o.relayPorts = {{80, 0}};
        m_hub = std::make_unique<HubEmulator>(o);
        QVERIFY(m_hub->start());
        m_echo = std::make_unique<test::EchoServer>();
        QVERIFY(m_echo->listen());

        m_path = m_dir.filePath(QStringLiteral("config.yaml"));
        QFile f(m_path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(configText());
        f.close();
        const ConfigLoadResult loaded = loadConfigFile(m_path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));

        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        m_client = std::make_unique<Client>(loaded.config);
        TrayController::Options options;
        options.configPath = m_path;
        options.useTray = true;
        options.autostartProgram = QStringLiteral("/usr/bin/nexus-tray");
        m_tray = std::make_unique<TrayController>(m_client.get(), options);
        m_tray->start();
        m_client->start();
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, 15000);
        QTRY_COMPARE(m_tray->overallState(), OverallState::Connected);
    }

    void cleanupTestCase() {
        m_tray.reset();
        m_client.reset();
        m_hub.reset();
        m_echo.reset();
        if (m_watcher.state() != QProcess::NotRunning) {
            m_watcher.terminate();
            m_watcher.waitForFinished(5000);
        }
    }

    void itemRegistersWithTheWatcher() {
        // Qt chose the D-Bus tray, not XEmbed: the icon is visible and the item is registered.
        QVERIFY(QSystemTrayIcon::isSystemTrayAvailable());
        QVERIFY(m_tray->trayIcon());
        QTRY_VERIFY(m_tray->trayIcon()->isVisible());
        QTRY_VERIFY2_WITH_TIMEOUT(watcherSaid("registered "), m_watcherOutput.constData(), 10000);
        // "<bus name><object path>": Qt registers its connection's object path, which the watcher
        // records with the caller's unique name (KDE's watcher does the same).
        const QStringList items = registeredItems();
        QCOMPARE(items.size(), 1);
        const qsizetype slash = items.constFirst().indexOf(QLatin1Char('/'));
        QVERIFY2(slash > 0, qPrintable(items.constFirst()));
        m_itemService = items.constFirst().left(slash);
        m_itemPath = items.constFirst().mid(slash);
        QVERIFY(QDBusConnection::sessionBus().interface()->isServiceRegistered(m_itemService));

        QCOMPARE(itemProperty(QStringLiteral("Status")).toString(), QStringLiteral("Active"));
        QCOMPARE(itemProperty(QStringLiteral("Category")).toString(),
                 QStringLiteral("ApplicationStatus"));
        QVERIFY(!itemProperty(QStringLiteral("Menu")).value<QDBusObjectPath>().path().isEmpty());
    }

    void tooltipAndIconFollowTheTunnelState() {
        QVERIFY(!m_itemService.isEmpty());
        // All connected: the tooltip says so per backend and the icon is the green disc.
        QTRY_VERIFY2(toolTipText().contains(QLatin1String("web: 1 of 1 connected")),
                     qPrintable(toolTipText()));
        QVERIFY2(toolTipText().contains(QLatin1String("mail: 1 of 1 connected")),
                 qPrintable(toolTipText()));
        QTRY_VERIFY(icon().green > 0.3);

        // Both off: the tooltip follows and the icon turns grey (no saturated pixel left).
        QVERIFY(m_tray->setBackendEnabled(QStringLiteral("web"), false));
        QVERIFY(m_tray->setBackendEnabled(QStringLiteral("mail"), false));
        QTRY_COMPARE(m_tray->overallState(), OverallState::Off);
        QTRY_VERIFY2(toolTipText().contains(QLatin1String("web: off")) &&
                         toolTipText().contains(QLatin1String("mail: off")),
                     qPrintable(toolTipText()));
        QTRY_VERIFY(icon().size > 0 && icon().saturated < 0.02);

        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        QVERIFY(m_tray->setBackendEnabled(QStringLiteral("web"), true));
        QVERIFY(m_tray->setBackendEnabled(QStringLiteral("mail"), true));
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, 15000);
        QTRY_COMPARE(m_tray->overallState(), OverallState::Connected);
        QTRY_VERIFY(icon().green > 0.3);
    }

    void exportedMenuTogglesOneBackend() {
        QVERIFY(!m_itemService.isEmpty());
        QTRY_COMPARE(toggleState(QStringLiteral("web")), 1);
        QTRY_COMPARE(toggleState(QStringLiteral("mail")), 1);

        QSignalSpy closed(m_hub.get(), &HubEmulator::sessionClosed);
        QSignalSpy authenticated(m_hub.get(), &HubEmulator::sessionAuthenticated);
        QVERIFY(clickBackend(QStringLiteral("web")));
        QTRY_COMPARE_WITH_TIMEOUT(countOf(closed, QStringLiteral("web")), 1, 10000);
        QCOMPARE(countOf(closed, QStringLiteral("mail")), 0);
        QTRY_COMPARE(toggleState(QStringLiteral("web")), 0);
        QCOMPARE(toggleState(QStringLiteral("mail")), 1);
        QVERIFY(readAll(m_path).contains("  - name: web\n    enabled: false\n"));
        QTRY_VERIFY2(toolTipText().contains(QLatin1String("web: off")), qPrintable(toolTipText()));

        QVERIFY(clickBackend(QStringLiteral("web")));
        QTRY_COMPARE_WITH_TIMEOUT(countOf(authenticated, QStringLiteral("web")), 1, 10000);
        QCOMPARE(countOf(closed, QStringLiteral("mail")), 0);
        QTRY_COMPARE(toggleState(QStringLiteral("web")), 1);
        QVERIFY(readAll(m_path).contains("  - name: web\n    enabled: true\n"));
    }

    void itemLeavesTheWatcherOnQuit() {
        QVERIFY(!m_itemService.isEmpty());
        m_tray.reset();
        QTRY_VERIFY_WITH_TIMEOUT(watcherSaid("unregistered " + m_itemService.toUtf8()) ||
                                     registeredItems().isEmpty(),
                                 10000);
        QTRY_VERIFY(registeredItems().isEmpty());
    }
};

QTEST_MAIN(TestTraySni)
#include "tst_tray_sni.moc"
