#include "GuiMode.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QPixmap>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <memory>

#include <unistd.h>

#include "ClientRunner.h"
#include "ConfigReloader.h"
#include "Demo.h"
#include "LogFormat.h"
#include "Translations.h"
#include "config/ConfigWriter.h"
#include "configedit/ConfigFileEditor.h"
#include "editor/ConfigEditorDialog.h"
#include "metrics/MetricsEndpoint.h"
#include "metrics/MetricsServer.h"
#include "metrics/ServiceMetrics.h"
#include "nexustray/Client.h"
#include "status/LogCapture.h"
#include "status/StatusWindow.h"
#include "status/TrafficPanel.h"
#include "tray/SingleInstance.h"
#include "tray/TrayController.h"

namespace nexustray::app {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitConfig = 1;
constexpr int kExitUsage = 2;

// A desktop session needs a display; say so instead of letting Qt abort.
bool haveDisplay() {
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

// Hidden hook for the documentation: NEXUS_TRAY_SCREENSHOT_DIR=<dir> makes the app grab its own
// windows (status window, its Traffic tab, tray menu, editor form and YAML tabs) as PNGs after
// NEXUS_TRAY_SCREENSHOT_DELAY_MS (default 8000) and quit.
void scheduleScreenshots(ui::TrayController* tray, ClientRunner* runner) {
    const QString dir = qEnvironmentVariable("NEXUS_TRAY_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    const int delay = qEnvironmentVariableIntValue("NEXUS_TRAY_SCREENSHOT_DELAY_MS") > 0
                          ? qEnvironmentVariableIntValue("NEXUS_TRAY_SCREENSHOT_DELAY_MS")
                          : 8000;
    QDir().mkpath(dir);
    tray->showStatusWindow();
    QTimer::singleShot(delay, tray, [tray, runner, dir] {
        auto save = [&dir](const QPixmap& pixmap, const char* name) {
            const QString path = QDir(dir).filePath(QString::fromLatin1(name));
            if (!pixmap.save(path))
                qCWarning(lcApp).noquote() << "screenshot: cannot write" << path;
            else
                qCInfo(lcApp).noquote() << "screenshot:" << path;
        };
        ui::StatusWindow* window = tray->statusWindow();
        window->raiseAndActivate();
        save(window->grab(), "status-window.png");
        if (window->trafficPanel()) {
            const int shown = window->tabs()->currentIndex();
            window->tabs()->setCurrentWidget(window->trafficPanel());
            QApplication::processEvents();
            save(window->grab(), "traffic-graph.png");
            window->tabs()->setCurrentIndex(shown);
        }

        QMenu* menu = tray->menu();
        menu->popup(window->geometry().center());
        QApplication::processEvents();
        save(menu->grab(), "tray-menu.png");
        menu->hide();

        ui::ConfigEditorDialog* editor = tray->openEditor();
        editor->showTab(ui::ConfigEditorDialog::Tab::Form);
        QApplication::processEvents();
        save(editor->grab(), "editor-form.png");
        editor->showTab(ui::ConfigEditorDialog::Tab::Yaml);
        QApplication::processEvents();
        save(editor->grab(), "editor-yaml.png");
        editor->close();
        runner->shutdown(QStringLiteral("screenshots taken"), kExitOk);
    });
}

} // namespace

int runGuiMode(int& argc, char** argv, const GuiModeOptions& options) {
    if (!haveDisplay()) {
        std::fputs("nexus-tray: no display (DISPLAY / WAYLAND_DISPLAY are not set); use --no-gui "
                   "to run headless\n",
                   stderr);
        return kExitUsage;
    }
    QApplication app(argc, argv);
    QApplication::setQuitOnLastWindowClosed(false);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/nexus-tray.svg")));
    QApplication::setDesktopFileName(QStringLiteral("nexus-tray"));
    ui::installTranslations(&app);
    ui::LogCapture::install(); // in front of the one-line stderr handler, which still gets all

    // One instance per config (the demo counts as its own config).
    const QString configPath = QFileInfo(options.configPath).absoluteFilePath();
    ui::SingleInstance instance(options.demo ? QStringLiteral("demo") : configPath);
    QString instanceMessage;
    switch (instance.start(&instanceMessage)) {
    case ui::SingleInstance::Result::First:
        break;
    case ui::SingleInstance::Result::AlreadyRunning:
        qCInfo(lcApp).noquote() << instanceMessage;
        return kExitOk;
    case ui::SingleInstance::Result::Error:
        qCCritical(lcApp).noquote()
            << "cannot make sure only one nexus-tray runs:" << instanceMessage;
        return kExitUsage;
    }

    std::unique_ptr<Demo> demo;
    std::unique_ptr<Client> ownClient;
    QTemporaryDir demoDir;
    Client* client = nullptr;
    QString editPath = configPath;
    QString problem;
    Config startConfig; // for metrics.listen

    if (options.demo) {
        qCInfo(lcApp).noquote() << "nexus-tray" << QCoreApplication::applicationVersion()
                                << "starting the demo (tray)";
        demo = std::make_unique<Demo>();
        QString error;
        if (!demo->start(0, &error)) {
            qCCritical(lcApp).noquote() << "demo:" << error;
            return kExitConfig;
        }
        client = demo->client();
        // The demo's config lives in memory; give the editor and the toggles a real file to work
        // on (private to this run, removed on exit).
        editPath =
            demoDir.isValid() ? demoDir.filePath(QStringLiteral("demo-config.yaml")) : QString();
        if (!editPath.isEmpty()) {
            const configedit::SaveResult saved =
                configedit::saveConfigText(editPath, configyaml::writeConfigYaml(client->config()));
            if (!saved.ok) {
                qCWarning(lcApp).noquote()
                    << "demo: cannot write its config file:" << saved.ioError;
                editPath.clear();
            }
        }
    } else {
        Config config;
        if (!QFileInfo::exists(configPath)) {
            problem = ui::TrayController::tr(
                          "There is no configuration file yet (%1). Use \"Edit configuration…\" "
                          "to create one.")
                          .arg(QDir::toNativeSeparators(configPath));
        } else {
            ConfigLoadResult loaded = loadConfigFile(configPath);
            for (const ConfigIssue& issue : loaded.warnings)
                qCWarning(lcApp).noquote() << "config:" << issue.toString();
            if (loaded.ok()) {
                config = std::move(loaded.config);
                startConfig = config;
            } else {
                QStringList lines;
                for (const ConfigIssue& issue : loaded.errors) {
                    qCCritical(lcApp).noquote() << "config error:" << issue.toString();
                    lines << issue.toString();
                }
                problem = ui::TrayController::tr(
                              "The configuration has errors, so nothing is connected. Fix it "
                              "with \"Edit configuration…\":\n%1")
                              .arg(lines.join(QLatin1Char('\n')));
            }
        }
        ownClient = std::make_unique<Client>(std::move(config));
        client = ownClient.get();
        client->start();
    }

    ui::TrayController::Options trayOptions;
    trayOptions.configPath = editPath;
    trayOptions.useTray = QSystemTrayIcon::isSystemTrayAvailable();
    trayOptions.metricsSwitch = true;
    if (!options.demo && !options.configPath.isEmpty())
        trayOptions.autostartArguments = {QStringLiteral("--config"), configPath};
    if (!trayOptions.useTray)
        qCWarning(lcApp) << "no system tray available; showing the status window instead";

    ClientRunner runner(client);
    QString error;
    if (!runner.installSignalHandlers(&error))
        qCWarning(lcApp).noquote() << "cannot install signal handlers:" << error;
    QObject::connect(&runner, &ClientRunner::finished, &app, &QCoreApplication::exit);

    int code = kExitOk;
    {
        ui::TrayController tray(client, trayOptions);
        QObject::connect(&instance, &ui::SingleInstance::raiseRequested, &tray,
                         &ui::TrayController::showStatusWindow);
        QObject::connect(&tray, &ui::TrayController::quitRequested, &runner,
                         [&runner] { runner.shutdown(QStringLiteral("quit from the tray")); });
        if (demo) {
            QObject::connect(demo.get(), &Demo::tunnelUp, &tray, [&tray](quint16 port) {
                tray.showInfo(ui::TrayController::tr(
                                  "Demo tunnel up. Try it: curl http://demo.localhost:%1/   "
                                  "or a long download: curl -o /dev/null --limit-rate 2M "
                                  "http://demo.localhost:%1/bytes/104857600")
                                  .arg(port));
            });
            QObject::connect(demo.get(), &Demo::failed, &tray, [&tray](const QString& why) {
                tray.showProblem(ui::TrayController::tr("The demo session failed: %1").arg(why));
            });
        }
        // SIGHUP re-reads the file given at start (not the demo's), like the editor's Save.
        std::unique_ptr<ConfigReloader> reloader;
        if (!demo) {
            reloader = std::make_unique<ConfigReloader>(
                configPath, [&tray](const Config& config) { tray.applyConfig(config); });
            QObject::connect(&runner, &ClientRunner::reloadRequested, reloader.get(),
                             &ConfigReloader::requestReload);
            QObject::connect(reloader.get(), &ConfigReloader::reloaded, &tray,
                             [&tray](bool ok, const QStringList& errors) {
                                 if (!ok)
                                     tray.showProblem(
                                         ui::TrayController::tr(
                                             "Reloading the configuration failed; the running "
                                             "configuration stays:\n%1")
                                             .arg(errors.join(QLatin1Char('\n'))));
                             });
        }
        MetricsServer metrics(client);
        if (reloader)
            metrics.metrics()->setReloadCounts(
                [r = reloader.get()] { return qMakePair(r->succeeded(), r->failed()); });
        // The menu's switch: --metrics > metrics.listen > 127.0.0.1:9464. On at start when one
        // of the first two is set, unless the user switched it off (remembered).
        MetricsEndpoint endpoint(&metrics, options.metricsAddr,
                                 QLatin1String(MetricsEndpoint::kDefaultAddress));
        endpoint.setConfig(startConfig);
        QObject::connect(&endpoint, &MetricsEndpoint::stateChanged, &tray,
                         &ui::TrayController::setMetricsState);
        QObject::connect(&tray, &ui::TrayController::metricsSwitchToggled, &endpoint,
                         &MetricsEndpoint::setSwitchedOn);
        QObject::connect(&tray, &ui::TrayController::configApplied, &endpoint,
                         &MetricsEndpoint::applyConfig);
        endpoint.setSwitchedOn(ui::TrayController::metricsOnAtStart(endpoint.addressConfigured()));
        tray.start();
        if (!problem.isEmpty()) {
            tray.showProblem(problem);
            tray.showStatusWindow();
            tray.openEditor();
        }
        scheduleScreenshots(&tray, &runner);
        code = app.exec();
    }
    if (runner.forced()) {
        std::fflush(nullptr);
        ::_exit(code);
    }
    ownClient.reset();
    demo.reset(); // client first, then the hub
    return code;
}

} // namespace nexustray::app
