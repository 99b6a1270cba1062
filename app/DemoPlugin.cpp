// nexus-tray-demo.so: the DemoRunner plugin (DemoModule.h). It runs the Demo (hub emulator, web
// service, client) under a ClientRunner, as the headless front end runs a configured client.
#include <QCoreApplication>
#include <QObject>

#include <memory>

#include "ClientRunner.h"
#include "Demo.h"
#include "DemoModule.h"
#include "LogFormat.h"

namespace nexustray::app {

class DemoPlugin : public QObject, public DemoRunner {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID NexusTrayDemo_iid)
    Q_INTERFACES(nexustray::app::DemoRunner)
public:
    int run() override {
        qCInfo(lcApp).noquote() << "nexus-tray" << QCoreApplication::applicationVersion()
                                << "starting the demo";
        auto demo = std::make_unique<Demo>();
        QString error;
        if (!demo->start(0, &error)) {
            qCCritical(lcApp).noquote() << "demo:" << error;
            return 1;
        }
        ClientRunner runner(demo->client());
        QObject::connect(demo.get(), &Demo::failed, &runner, [&runner](const QString& why) {
            runner.shutdown(QStringLiteral("demo session failed: %1").arg(why), 1);
        });
        const int code = runner.exec(*QCoreApplication::instance());
        demo.reset(); // client first, then the hub
        return code;
    }
};

} // namespace nexustray::app

#include "DemoPlugin.moc"
