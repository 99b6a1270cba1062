// A small strict JSON reader (RFC 8259, as strict as Go's encoding/json) that keeps number
// literals as text. QJsonDocument cannot tell `64` from `64.0`, but the hub refuses `64.0` where an
// integer is expected (credits, conn_port, token claims such as weight). Also a writer for strings
// with Go's escapes. Internal to the engine and the hub emulator.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace nexustray::protocol::json {

struct Value {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    QByteArray number; // the literal, for Number
    QString string;
    QList<Value> array;
    QList<std::pair<QString, Value>> members; // in document order, duplicates kept

    bool isNull() const { return kind == Kind::Null; }
    bool isString() const { return kind == Kind::String; }
    bool isObject() const { return kind == Kind::Object; }
    bool isArray() const { return kind == Kind::Array; }
    // Object member like Go's decoder: the last exact key, else the last ASCII case-insensitive
    // match; nullptr when absent.
    const Value* find(QLatin1String key) const;
    // Integer in Go's sense (no fraction, no exponent, fits in qint64).
    std::optional<qint64> toInteger() const;
    // Any JSON number as a double (exp/nbf/iat may carry fractions).
    std::optional<double> toDouble() const;
};

// Parses a complete document (surrounding white space allowed, nothing else). Invalid UTF-8 in
// strings becomes U+FFFD, as in Go. Returns nullopt and sets *error on a syntax error.
std::optional<Value> parse(QByteArrayView text, QString* error = nullptr);

// Appends `s` as a JSON string literal with Go's escaping (\u003c \u003e \u0026, \u2028 \u2029).
void appendString(QByteArray* out, const QString& s);

} // namespace nexustray::protocol::json
