// nexus-tray --tpm-status: per backend with attestation.tpm, whether its TPM (TCTI) answers and
// what its state directory says about the enrollment (device id, hostname, identity class).
// Local only: namek is not asked. Exit 0 when every tpm backend's TPM answers, 1 otherwise (also
// for a config that does not load or has no tpm backend).
#pragma once

#include <QString>

namespace nexustray::app {

int runTpmStatus(const QString& configPath);

} // namespace nexustray::app
