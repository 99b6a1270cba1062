// Typing of plain YAML scalars the way the Go client's YAML library does it, so that a file
// means the same to both clients (config.md §1).
#pragma once

#include <QString>

#include <optional>

namespace nexustray::yamlscalar {

// Integers: optional sign, '_' separators, 0x / 0o / 0b prefixes, a leading 0 means octal;
// decimals and exponents are truncated toward zero (2.7 -> 2). std::nullopt when the text is no
// number or does not fit an int.
std::optional<int> toInt(const QString& plain);

// true/false plus the YAML 1.1 forms y/n, yes/no, on/off (lower, Capitalised or UPPER case).
std::optional<bool> toBool(const QString& plain);

} // namespace nexustray::yamlscalar
