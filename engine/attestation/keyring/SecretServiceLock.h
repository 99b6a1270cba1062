// Whether the Secret Service holds the keyring entry in a locked collection, asked over Qt D-Bus
// without any prompt: QtKeychain (through libsecret) would try to unlock a locked item with a
// password prompt, which without a desktop never answers or ends as "no entry".
#pragma once

#include <QString>

namespace nexustray::attestation {

enum class SecretServiceEntryState { Unknown, Locked, Other };

// The state of QtKeychain's entry `key` of `service` (it stores entries with the attributes
// server = service, user = key). Unknown when no Secret Service answers. Blocks up to 5 s.
SecretServiceEntryState secretServiceEntryState(const QString& service, const QString& key);

} // namespace nexustray::attestation
