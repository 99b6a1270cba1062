#include "attestation/AttestationOutput.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QTimeZone>

namespace nexustray::attestation {

namespace {

const QString kEmptyToken = QStringLiteral("attestation command returned empty token");
const QString kDecodeFailed = QStringLiteral("failed to decode attestation command JSON");
const QString kMissingToken = QStringLiteral("attestation command JSON missing token");

TokenResult failure(const QString& error) {
    TokenResult r;
    r.error = error;
    return r;
}

// Go's encoding/json matches keys case-insensitively and lets the last occurrence win; QJsonObject
// has lost the original order, so an exact-case key is preferred over other spellings.
QJsonValue lookupKey(const QJsonObject& object, const QString& key) {
    const auto exact = object.constFind(key);
    if (exact != object.constEnd())
        return exact.value();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.key().compare(key, Qt::CaseInsensitive) == 0)
            return it.value();
    }
    return QJsonValue(QJsonValue::Undefined);
}

// Parses exactly `count` ASCII digits at `pos`, advancing it; -1 when they are not there.
int takeDigits(const QString& text, qsizetype& pos, int count) {
    if (pos + count > text.size())
        return -1;
    int value = 0;
    for (int i = 0; i < count; ++i) {
        const QChar c = text.at(pos + i);
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return -1;
        value = value * 10 + (c.unicode() - '0');
    }
    pos += count;
    return value;
}

bool takeChar(const QString& text, qsizetype& pos, char expected) {
    if (pos >= text.size() || text.at(pos) != QLatin1Char(expected))
        return false;
    ++pos;
    return true;
}

} // namespace

std::optional<QDateTime> parseRfc3339(const QString& text) {
    qsizetype pos = 0;
    const int year = takeDigits(text, pos, 4);
    if (year < 0 || !takeChar(text, pos, '-'))
        return std::nullopt;
    const int month = takeDigits(text, pos, 2);
    if (month < 0 || !takeChar(text, pos, '-'))
        return std::nullopt;
    const int day = takeDigits(text, pos, 2);
    if (day < 0 || !takeChar(text, pos, 'T'))
        return std::nullopt;
    const int hour = takeDigits(text, pos, 2);
    if (hour < 0 || !takeChar(text, pos, ':'))
        return std::nullopt;
    const int minute = takeDigits(text, pos, 2);
    if (minute < 0 || !takeChar(text, pos, ':'))
        return std::nullopt;
    const int second = takeDigits(text, pos, 2);
    if (second < 0)
        return std::nullopt;

    int millis = 0;
    if (takeChar(text, pos, '.') || takeChar(text, pos, ',')) {
        // Go accepts '.' or ',' and any number of fraction digits (at least one); keep millis.
        int digits = 0;
        while (pos < text.size() && text.at(pos) >= QLatin1Char('0') &&
               text.at(pos) <= QLatin1Char('9')) {
            if (digits < 3)
                millis = millis * 10 + (text.at(pos).unicode() - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0)
            return std::nullopt;
        for (int i = digits; i < 3; ++i)
            millis *= 10;
    }

    int offsetSeconds = 0;
    if (takeChar(text, pos, 'Z')) {
        // UTC
    } else if (pos < text.size() &&
               (text.at(pos) == QLatin1Char('+') || text.at(pos) == QLatin1Char('-'))) {
        const int sign = text.at(pos) == QLatin1Char('-') ? -1 : 1;
        ++pos;
        const int offHours = takeDigits(text, pos, 2);
        if (offHours < 0 || !takeChar(text, pos, ':'))
            return std::nullopt;
        const int offMinutes = takeDigits(text, pos, 2);
        if (offMinutes < 0 || offHours > 23 || offMinutes > 59)
            return std::nullopt;
        offsetSeconds = sign * (offHours * 3600 + offMinutes * 60);
    } else {
        return std::nullopt;
    }
    if (pos != text.size())
        return std::nullopt;

    // Go refuses out-of-range fields, including a leap second 60.
    if (hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, millis);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    const QDateTime asUtc(date, time, QTimeZone::utc());
    if (!asUtc.isValid())
        return std::nullopt;
    // toUTC(): callers and tests expect Qt::UTC as the time spec.
    return asUtc.addSecs(-offsetSeconds).toUTC();
}

TokenResult parseAttestationOutput(const QByteArray& output) {
    const QString text = QString::fromUtf8(output).trimmed();
    if (text.isEmpty())
        return failure(kEmptyToken);

    if (text.startsWith(QLatin1Char('{'))) {
        QJsonParseError parseError;
        // fromJson refuses trailing garbage, which matches a single json.Unmarshal of the output.
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject())
            return failure(kDecodeFailed);
        const QJsonObject object = doc.object();

        // JSON null leaves a Go string field untouched, so it counts as absent, not as an error.
        const QJsonValue tokenValue = lookupKey(object, QStringLiteral("token"));
        const QJsonValue expiryValue = lookupKey(object, QStringLiteral("expiry"));
        const auto isAbsent = [](const QJsonValue& v) { return v.isUndefined() || v.isNull(); };
        if ((!isAbsent(tokenValue) && !tokenValue.isString()) ||
            (!isAbsent(expiryValue) && !expiryValue.isString()))
            return failure(kDecodeFailed);

        const QString token = tokenValue.toString().trimmed();
        if (token.isEmpty())
            return failure(kMissingToken);

        TokenResult result;
        result.ok = true;
        result.token = token;
        if (expiryValue.isString())
            result.expiry = parseRfc3339(expiryValue.toString());
        return result;
    }

    TokenResult result;
    result.ok = true;
    // Non-empty after trimming, so the first line starts with a non-space character.
    result.token = text.section(QLatin1Char('\n'), 0, 0).trimmed();
    return result;
}

} // namespace nexustray::attestation
