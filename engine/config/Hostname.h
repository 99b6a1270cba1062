// Hostname normalisation and matching (shared/spec/config.md §4 and §9).
#pragma once

#include <QString>

#include <optional>

namespace nexustray::hostname {

// Steps 1-5 of config.md §4: trim, drop one trailing dot, IDNA to ASCII (UTS #46
// non-transitional; on any IDNA error keep the step-2 string), lowercase. "" when nothing is left.
QString normalize(const QString& raw);

// For portMappings.hosts keys: "*.rest" keeps "*." and normalises "rest"; others as normalize().
// "" when invalid ("*." alone, blank).
QString normalizePattern(const QString& raw);

// Step 3 alone: UTS #46 "lookup" ToASCII (non-transitional, STD3 rules, hyphen checks, no length
// checks). std::nullopt when the conversion reports an error.
std::optional<QString> idnaToAscii(const QString& domain);

// nexus-tray's stricter rule: a valid DNS name (labels 1-63 of [a-z0-9-], not starting/ending
// with '-', total <= 253), or "*." + at least two such labels. Input is already normalised.
bool isValidHostname(const QString& normalized);
bool isWildcard(const QString& pattern);

// Route keys "tcp:N" / "udp:N".
bool isRouteKey(const QString& name);
// The loader's refusal test: any name starting with "tcp:" or "udp:".
bool hasRouteKeyPrefix(const QString& name);

// "localhost", "*.localhost" or a loopback address (127.0.0.0/8, ::1): where an unencrypted
// ws:// relay is acceptable without tls.allowInsecure.
bool isLoopbackHost(const QString& host);

// "*.example.com" matches "foo.example.com" only (exactly one extra label).
bool wildcardMatches(const QString& pattern, const QString& host);

} // namespace nexustray::hostname
