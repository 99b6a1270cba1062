// nexus-tray: entry point. Parses the command line before any application object exists, so that
// the headless modes (--no-gui, --demo, --check-config, --tpm-status, --set-secret, --help,
// --version) run on a plain QCoreApplication and never need a display.
//
// Exit codes: 0 = success / clean shutdown, 1 = config or start-up error, 2 = usage error or
// tray UI not available.

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QStandardPaths>

#include <cstdio>

#include "ClientRunner.h"
#include "ConfigReloader.h"
#include "DemoModule.h"
#include "LogFormat.h"
#include "PluginLoader.h"
#include "SetSecret.h"
#include "TpmStatus.h"
#include "metrics/MetricsEndpoint.h"
#include "metrics/MetricsServer.h"
#include "metrics/ServiceMetrics.h"
#include "nexustray/Client.h"
#include "nexustray/Config.h"
#ifdef NEXUS_HAVE_TRAY_UI
#include "GuiModuleLoader.h"
#endif

using namespace nexustray;
using namespace nexustray::app;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitConfig = 1;
constexpr int kExitUsage = 2;

void printOut(const QString& text) {
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

void printErr(const QString& text) {
    std::fputs(text.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
}

QString defaultConfigPath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("nexus-tray/config.yaml"));
}

// --check-config: "OK" or one line per problem; warnings never fail the check.
int checkConfig(const QString& path) {
    if (!QFileInfo::exists(path)) {
        printErr(QStringLiteral("%1: file not found\n").arg(path));
        return kExitConfig;
    }
    const ConfigLoadResult result = loadConfigFile(path);
    for (const ConfigIssue& issue : result.errors)
        printErr(issue.toString() + QLatin1Char('\n'));
    for (const ConfigIssue& issue : result.warnings)
        printErr(QStringLiteral("warning: ") + issue.toString() + QLatin1Char('\n'));
    if (!result.ok())
        return kExitConfig;
    printOut(QStringLiteral("OK\n"));
    return kExitOk;
}

int runHeadless(QCoreApplication& app, const QString& configPath, const QString& metricsAddr) {
    if (!QFileInfo::exists(configPath)) {
        qCCritical(lcApp).noquote()
            << QStringLiteral("no config file at %1 (start from config.example.yaml, or pass "
                              "--config PATH)")
                   .arg(configPath);
        return kExitConfig;
    }
    ConfigLoadResult loaded = loadConfigFile(configPath);
    for (const ConfigIssue& issue : loaded.warnings)
        qCWarning(lcApp).noquote() << "config:" << issue.toString();
    if (!loaded.ok()) {
        for (const ConfigIssue& issue : loaded.errors)
            qCCritical(lcApp).noquote() << "config error:" << issue.toString();
        qCCritical(lcApp).noquote() << "not starting: fix" << configPath
                                    << "(nexus-tray --check-config PATH checks a file)";
        return kExitConfig;
    }

    int enabled = 0;
    int sessions = 0;
    for (const BackendConfig& backend : loaded.config.backends) {
        if (backend.enabled) {
            ++enabled;
            sessions += int(backend.nexusAddresses.size());
        }
    }
    qCInfo(lcApp).noquote() << QStringLiteral("nexus-tray %1 starting: %2 of %3 backend(s) "
                                              "enabled, %4 session(s), config %5")
                                   .arg(QCoreApplication::applicationVersion())
                                   .arg(enabled)
                                   .arg(loaded.config.backends.size())
                                   .arg(sessions)
                                   .arg(QDir::toNativeSeparators(configPath));
    if (enabled == 0)
        qCWarning(lcApp) << "no backend is enabled; nothing will connect";

    const Config startConfig = loaded.config;
    Client client(std::move(loaded.config));
    ClientRunner runner(&client);
    MetricsServer metrics(&client);
    // --metrics wins over metrics.listen; without either nothing listens (until a reload names
    // one).
    MetricsEndpoint endpoint(&metrics, metricsAddr, QString());
    endpoint.setConfig(startConfig);
    ConfigReloader reloader(configPath, [&client, &endpoint](const Config& config) {
        client.applyConfig(config);
        endpoint.applyConfig(config);
    });
    QObject::connect(&runner, &ClientRunner::reloadRequested, &reloader,
                     &ConfigReloader::requestReload);
    metrics.metrics()->setReloadCounts(
        [&reloader] { return qMakePair(reloader.succeeded(), reloader.failed()); });
    if (!endpoint.setSwitchedOn(true))
        return kExitConfig;
    client.start();
    return runner.exec(app);
}

// --demo: the demo module (DemoModule.h) runs it on this process's QCoreApplication.
int runDemo() {
    const PluginLoad load = loadPlugin(QLatin1String(kDemoPluginFileName), NexusTrayDemo_iid);
    auto* demo = qobject_cast<DemoRunner*>(load.instance);
    if (!demo) {
        qCCritical(lcApp).noquote() << "cannot load the demo module:" << load.error;
        return kExitConfig;
    }
    return demo->run();
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication::setApplicationName(QStringLiteral("nexus-tray"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NEXUS_TRAY_VERSION));
    installLogHandler();

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Connects local services to a Nexus Proxy relay mesh."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption noGuiOption(
        QStringLiteral("no-gui"), QStringLiteral("Run headless: no tray icon, no display needed."));
    const QCommandLineOption configOption(
        {QStringLiteral("c"), QStringLiteral("config")},
        QStringLiteral("Config file to use (default: %1).").arg(defaultConfigPath()),
        QStringLiteral("path"), defaultConfigPath());
    const QCommandLineOption checkOption(
        QStringLiteral("check-config"),
        QStringLiteral("Validate a config file, print OK or its problems, exit 0 (valid) or 1."),
        QStringLiteral("path"));
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QStringLiteral("Run a self-contained demo: an in-process hub, a local web service and a "
                       "tunnel between them."));
    const QCommandLineOption tpmStatusOption(
        QStringLiteral("tpm-status"),
        QStringLiteral("Print, per backend with attestation.tpm, whether its TPM answers and its "
                       "enrollment (device id, hostname); exit 0 (all fine) or 1."));
    const QCommandLineOption setSecretOption(
        QStringLiteral("set-secret"),
        QStringLiteral("Store the HMAC secret of a backend (attestation.hmacSecretKeyring of "
                       "--config) in the system keyring, read as one line from standard input "
                       "(not echoed on a terminal); exit 0 (stored) or 1."),
        QStringLiteral("backend"));
    const QCommandLineOption logFormatOption(
        QStringLiteral("log-format"),
        QStringLiteral("Log line format on standard error: text (default: journal style when not "
                       "a terminal) or json (one object per line)."),
        QStringLiteral("text|json"), QStringLiteral("text"));
    const QCommandLineOption metricsOption(
        QStringLiteral("metrics"),
        QStringLiteral("Serve /metrics (Prometheus), /ready and /status over HTTP on this address, "
                       "e.g. 127.0.0.1:9464 (wins over the config's metrics.listen)."),
        QStringLiteral("host:port"));
    parser.addOptions({noGuiOption, configOption, checkOption, demoOption, tpmStatusOption,
                       setSecretOption, logFormatOption, metricsOption});

    const bool parsed = parser.parse(arguments);
    // addHelpOption() also registers --help-all (help including Qt's own options).
    const bool wantsHelp =
        parsed && (parser.isSet(helpOption) || parser.isSet(QStringLiteral("help-all")));
    const bool wantsGui = parsed && !parser.isSet(noGuiOption) && !parser.isSet(checkOption) &&
                          !wantsHelp && !parser.isSet(versionOption) &&
                          !parser.isSet(tpmStatusOption) && !parser.isSet(setSecretOption);

    const QString logFormat = parsed ? parser.value(logFormatOption) : QStringLiteral("text");
    if (logFormat == QLatin1String("json"))
        installLogHandler(LogStyle::Json);
    else if (logFormat != QLatin1String("text")) {
        printErr(QStringLiteral("nexus-tray: --log-format must be text or json, not '%1'\n")
                     .arg(logFormat));
        return kExitUsage;
    }

#ifdef NEXUS_HAVE_TRAY_UI
    if (wantsGui) {
        GuiModeOptions options;
        options.configPath = parser.value(configOption);
        options.demo = parser.isSet(demoOption);
        options.metricsAddr = parser.value(metricsOption);
        const GuiModuleLoad gui = loadGuiModule();
        if (!gui.run) {
            printErr(QStringLiteral("nexus-tray: cannot load the tray UI module: %1; use --no-gui "
                                    "to run headless\n")
                         .arg(gui.error));
            return kExitUsage;
        }
        return gui.run(&argc, argv, &options);
    }
#endif

    QCoreApplication app(argc, argv);
    if (!parsed) {
        printErr(
            QStringLiteral("nexus-tray: %1\nTry 'nexus-tray --help'.\n").arg(parser.errorText()));
        return kExitUsage;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printErr(QStringLiteral("nexus-tray: unexpected argument '%1'\nTry 'nexus-tray --help'.\n")
                     .arg(parser.positionalArguments().constFirst()));
        return kExitUsage;
    }
    if (wantsHelp) {
        printOut(parser.helpText());
        return kExitOk;
    }
    if (parser.isSet(versionOption)) {
        printOut(QStringLiteral("nexus-tray %1 (Qt %2)\n")
                     .arg(QCoreApplication::applicationVersion(), QLatin1String(qVersion())));
        return kExitOk;
    }
    if (parser.isSet(checkOption))
        return checkConfig(parser.value(checkOption));
    if (parser.isSet(tpmStatusOption))
        return runTpmStatus(parser.value(configOption));
    if (parser.isSet(setSecretOption))
        return runSetSecret(parser.value(setSecretOption), parser.value(configOption));
    if (parser.isSet(demoOption)) {
        if (wantsGui)
            qCInfo(lcApp) << "this build has no tray UI; running the demo headless";
        if (parser.isSet(configOption))
            qCWarning(lcApp) << "--config is ignored with --demo (the demo builds its own config)";
        return runDemo();
    }
#ifndef NEXUS_HAVE_TRAY_UI
    if (wantsGui) {
        printErr(QStringLiteral("nexus-tray: built without the tray UI (NEXUS_BUILD_GUI=OFF); "
                                "use --no-gui\n"));
        return kExitUsage;
    }
#endif
    return runHeadless(app, parser.value(configOption), parser.value(metricsOption));
}
