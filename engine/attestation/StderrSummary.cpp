#include "attestation/StderrSummary.h"

namespace nexustray::attestation {

namespace {

const QString kRedacted = QStringLiteral("[redacted]");
constexpr int kMinSecretLength = 4;
constexpr int kMinTokenLikeRun = 20;

bool isTokenChar(QChar c) {
    const char16_t u = c.unicode();
    return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '_' ||
           u == '-' || u == '+' || u == '/' || u == '.';
}

// Redacts long runs that look random (JWTs, base64/hex keys, nonces); plain long words stay.
QString redactTokenLike(const QString& text) {
    QString out;
    out.reserve(text.size());
    qsizetype i = 0;
    while (i < text.size()) {
        if (!isTokenChar(text.at(i))) {
            out.append(text.at(i++));
            continue;
        }
        const qsizetype start = i;
        bool digit = false, upper = false, lower = false;
        while (i < text.size() && isTokenChar(text.at(i))) {
            const char16_t u = text.at(i).unicode();
            digit |= u >= '0' && u <= '9';
            upper |= u >= 'A' && u <= 'Z';
            lower |= u >= 'a' && u <= 'z';
            ++i;
        }
        const qsizetype length = i - start;
        if (length >= kMinTokenLikeRun && (digit || (upper && lower)))
            out.append(kRedacted);
        else
            out.append(QStringView(text).mid(start, length));
    }
    return out;
}

} // namespace

QString summariseStderr(const QByteArray& stderrBytes, const QStringList& secrets, int maxChars) {
    QString text = QString::fromUtf8(stderrBytes);
    // Longest first, so a secret containing another one is redacted whole.
    QStringList sorted = secrets;
    std::sort(sorted.begin(), sorted.end(),
              [](const QString& a, const QString& b) { return a.size() > b.size(); });
    for (const QString& secret : sorted) {
        if (secret.size() >= kMinSecretLength)
            text.replace(secret, kRedacted);
    }
    text = redactTokenLike(text).simplified();
    if (maxChars > 3 && text.size() > maxChars)
        text = text.left(maxChars - 3) + QStringLiteral("...");
    return text;
}

} // namespace nexustray::attestation
