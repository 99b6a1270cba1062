// Turns a failed command's stderr into a short, single-line excerpt that is safe to put into an
// error message: known secrets and anything that looks like a token are redacted.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace nexustray::attestation {

constexpr int kStderrSummaryChars = 300;

// `secrets`: exact strings to redact (the nonce, configured env values); ones shorter than 4
// characters are ignored. Token-like text is any run of 20+ characters of [A-Za-z0-9_-+/.] (so
// "key=<value>" keeps its key) that contains a digit or mixes upper and lower case. White space is
// collapsed; the result is cut to maxChars (with "...") after redaction.
QString summariseStderr(const QByteArray& stderrBytes, const QStringList& secrets,
                        int maxChars = kStderrSummaryChars);

} // namespace nexustray::attestation
