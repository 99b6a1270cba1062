#include "TpmStatus.h"

#include <QEventLoop>
#include <QTextStream>

#include <cstdio>

#include "CommandConfig.h"
#include "attestation/TpmTokenProvider.h"
#include "attestation/tpm/TpmAttestor.h"
#include "attestation/tpm/TpmDevice.h"
#include "attestation/tpm/TpmState.h"
#include "nexustray/Config.h"

namespace nexustray::app {

namespace {

using namespace attestation::tpm;

// Opens the TPM behind `tcti` (on the device's worker thread) and waits for the answer.
TpmError probe(const QString& tcti) {
    QObject context;
    const auto rx = std::make_shared<TpmReceiver>(&context);
    QEventLoop loop;
    TpmError result;
    std::shared_ptr<TpmDevice> device = TpmDevice::shared(tcti);
    device->open(rx, [&](TpmError error) {
        result = std::move(error);
        loop.quit();
    });
    loop.exec();
    rx->detach();
    return result;
}

// Asks namek about the enrolled device (nonce + quote + GET /api/v1/devices/me) with the saved AK,
// never enrolling nor replacing the AK.
TpmDeviceStatus askNamek(TpmAttestorOptions options) {
    options.mayEnroll = false;
    TpmAttestor attestor(options);
    QEventLoop loop;
    TpmDeviceStatus result;
    attestor.checkIdentity([&](const TpmDeviceStatus& status) {
        result = status;
        loop.quit();
    });
    loop.exec();
    return result;
}

} // namespace

int runTpmStatus(const QString& configPath) {
    QTextStream out(stdout);
    QTextStream err(stderr);
    const std::optional<Config> config = loadCommandConfig(configPath, err);
    if (!config)
        return 1;

    int tpmBackends = 0;
    bool problem = false;
    for (const BackendConfig& backend : config->backends) {
        if (!backend.attestation.usesTpm())
            continue;
        ++tpmBackends;
        const TpmAttestorOptions options = attestation::TpmTokenProvider::optionsFor(backend);
        out << "backend '" << backend.name << "'" << (backend.enabled ? "" : " (disabled)") << '\n';
        out << "  namek:     " << options.namekUrl.toString() << '\n';
        const TpmError opened = probe(options.tcti);
        out << "  tpm:       " << options.tcti << ": "
            << (opened.ok() ? QStringLiteral("reachable")
                            : QStringLiteral("NOT reachable: ") + opened.message)
            << '\n';
        problem |= !opened.ok();
        out << "  state:     " << options.stateDir << '\n';
        const std::optional<TpmIdentity> identity = TpmState(options.stateDir).loadIdentity();
        if (!identity) {
            out << "  enrolled:  no (enrolls at the next start)\n";
        } else if (identity->namekUrl != options.namekUrl.toString()) {
            out << "  enrolled:  at another namek (" << identity->namekUrl
                << "; enrolls again at the next start)\n";
        } else {
            out << "  enrolled:  yes\n";
            out << "  device id: " << identity->deviceId << '\n';
            out << "  hostname:  " << identity->hostname << '\n';
            if (!identity->identityClass.isEmpty())
                out << "  identity:  " << identity->identityClass << '\n';
            if (opened.ok()) {
                out.flush();
                const TpmDeviceStatus namek = askNamek(options);
                if (!namek.ok) {
                    out << "  namek:     cannot check the device: " << namek.message << '\n';
                    problem = true;
                } else {
                    const bool active = namek.status == QLatin1String("active");
                    out << "  namek:     device " << namek.status
                        << (active ? QString()
                                   : QStringLiteral(" (re-enroll from the tray, or ask "
                                                    "namek's administrator)"))
                        << '\n';
                    if (namek.hostname != identity->hostname)
                        out << "  hostname:  " << namek.hostname << " (now, says namek)\n";
                    problem |= !active;
                }
            }
        }
    }
    out.flush();
    if (tpmBackends == 0) {
        err << configPath << ": no backend uses attestation.tpm\n";
        return 1;
    }
    return problem ? 1 : 0;
}

} // namespace nexustray::app
