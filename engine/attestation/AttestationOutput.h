// Parsing of an attestation command's stdout (attestation spec §1.3). Pure functions, no I/O, so
// they can be unit-tested with tables and fuzzed.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

#include "nexustray/TokenProvider.h"

namespace nexustray::attestation {

// Turns a command's raw stdout into a token result:
// - surrounding white space trimmed; empty -> "attestation command returned empty token";
// - starting with '{' -> exactly one JSON object with a string "token" (non-blank, trimmed) and an
//   optional string "expiry" (RFC 3339; ignored when it does not parse);
// - otherwise the first line, trimmed.
// The error text never contains any part of the output.
TokenResult parseAttestationOutput(const QByteArray& output);

// Strict RFC 3339 date-time as Go's time.RFC3339 layout accepts it:
// "YYYY-MM-DDTHH:MM:SS[(.|,)fraction](Z|+HH:MM|-HH:MM)". Returns a UTC QDateTime (millisecond
// precision, fraction truncated) or nullopt.
std::optional<QDateTime> parseRfc3339(const QString& text);

} // namespace nexustray::attestation
