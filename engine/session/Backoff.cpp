#include "session/Backoff.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace nexustray {

namespace {

// Lower-case words of the cause: split at white space and brackets/quotes/commas, then stripped of
// edge punctuation ("(403)" and "403:" give "403"; "edge-403.example.net" stays one word).
QStringList causeWords(const QString& cause) {
    static const QRegularExpression separators(QStringLiteral("[\\s()\\[\\]{}<>\"',;=]+"));
    QStringList words;
    for (QString word : cause.toLower().split(separators, Qt::SkipEmptyParts)) {
        while (!word.isEmpty() && QStringLiteral(".:!?-/").contains(word.back()))
            word.chop(1);
        while (!word.isEmpty() && QStringLiteral(".:!?-/").contains(word.front()))
            word.remove(0, 1);
        if (!word.isEmpty())
            words << word;
    }
    return words;
}

bool onlyLetters(QStringView s) {
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.isLetter(); });
}

// Whether `phrase` (space-separated keywords) occurs as consecutive words. The last keyword may
// carry a letter suffix ("rate limited", "invalid credentials"); numbers must match exactly.
bool hasPhrase(const QStringList& words, const QStringList& phrase) {
    for (qsizetype start = 0; start + phrase.size() <= words.size(); ++start) {
        bool match = true;
        for (qsizetype i = 0; i < phrase.size() && match; ++i) {
            const QString& word = words.at(start + i);
            const QString& key = phrase.at(i);
            const bool last = i == phrase.size() - 1;
            match = word == key || (last && onlyLetters(key) && word.startsWith(key) &&
                                    onlyLetters(QStringView(word).mid(key.size())));
        }
        if (match)
            return true;
    }
    return false;
}

} // namespace

FailureClass classifyFailure(const QString& cause) {
    const QStringList words = causeWords(cause);
    const auto has = [&words](const char* phrase) {
        return hasPhrase(words, QString::fromLatin1(phrase).split(u' '));
    };
    if (has("rate limit"))
        return FailureClass::RateLimited;
    static const char* const permanent[] = {"unauthorized",
                                            "invalid token",
                                            "invalid credential",
                                            "authentication failed",
                                            "forbidden",
                                            "401",
                                            "403"};
    for (const char* phrase : permanent) {
        if (has(phrase))
            return FailureClass::Permanent;
    }
    return FailureClass::Transient;
}

Backoff::Backoff(BackoffPolicy policy, quint32 seed)
    : m_policy(policy)
    , m_random(seed ? seed : QRandomGenerator::system()->generate()) {}

std::optional<int> Backoff::nextDelayMs(FailureClass failure) {
    switch (failure) {
    case FailureClass::RateLimited:
        return m_policy.rateLimitMs;
    case FailureClass::Permanent: {
        ++m_permanent;
        if (m_permanent >= m_policy.maxPermanentFailures)
            return std::nullopt;
        // The first permanent failure already waits one doubling (~10 s), as the Go client does.
        const int exponent = std::min(m_permanent, 16);
        return jittered(std::min<qint64>(qint64(m_policy.baseMs) << exponent, m_policy.maxMs));
    }
    case FailureClass::Transient:
        break;
    }
    ++m_transient;
    const int exponent = std::min(m_transient - 1, 16);
    return jittered(std::min<qint64>(qint64(m_policy.baseMs) << exponent, m_policy.maxMs));
}

void Backoff::reset() {
    m_transient = 0;
    m_permanent = 0;
}

int Backoff::jittered(int baseMs) {
    const double factor = 1.0 + m_policy.jitter * (2.0 * m_random.generateDouble() - 1.0);
    return std::min(int(baseMs * factor), m_policy.maxMs);
}

} // namespace nexustray
