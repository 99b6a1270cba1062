// Control message JSON (protocol.md §4, §5). A small strict JSON reader is used instead of
// QJsonDocument because Qt stores integral doubles as integers, so `64.0` and `64` cannot be told
// apart there, and the hub refuses `64.0`. The writer reproduces Go's encoding/json bytes.
#include "protocol/ControlMessage.h"

#include <QHash>

#include <limits>

namespace nexustray::protocol {

namespace {

constexpr int kMaxDepth = 512;

struct JsonValue {
    enum class Kind { Null, Bool, Number, String, Object, Array };
    Kind kind = Kind::Null;
    bool boolean = false;
    QByteArray number; // literal text for Number
    QString string;
};

// Strict RFC 8259 reader. Only the top-level object's members are materialised; nested values are
// validated and skipped (unknown keys may hold anything).
class JsonReader {
public:
    explicit JsonReader(QByteArrayView text)
        : m_s(text) {}

    // Parses a whole document that must be an object; calls onMember(key, value) in order.
    template <typename F> bool readObjectDocument(F&& onMember) {
        skipWs();
        if (!consume('{')) {
            return fail(QStringLiteral("not a JSON object"));
        }
        skipWs();
        if (!consume('}')) {
            for (;;) {
                skipWs();
                QString key;
                if (!readString(&key)) {
                    return fail(QStringLiteral("malformed JSON"));
                }
                skipWs();
                if (!consume(':')) {
                    return fail(QStringLiteral("malformed JSON"));
                }
                skipWs();
                JsonValue value;
                if (!readValue(&value, 1)) {
                    return fail(QStringLiteral("malformed JSON"));
                }
                onMember(key, value);
                skipWs();
                if (consume(',')) {
                    continue;
                }
                if (consume('}')) {
                    break;
                }
                return fail(QStringLiteral("malformed JSON"));
            }
        }
        skipWs();
        if (m_pos != m_s.size()) {
            return fail(QStringLiteral("malformed JSON"));
        }
        return true;
    }

    QString error() const { return m_error; }

private:
    bool fail(const QString& why) {
        if (m_error.isEmpty()) {
            m_error = why;
        }
        return false;
    }
    bool atEnd() const { return m_pos >= m_s.size(); }
    char peek() const { return atEnd() ? '\0' : m_s[m_pos]; }
    bool consume(char c) {
        if (!atEnd() && m_s[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    void skipWs() {
        while (!atEnd()) {
            const char c = m_s[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            ++m_pos;
        }
    }
    bool literal(const char* word) {
        const QByteArrayView w(word);
        if (m_s.sliced(m_pos).startsWith(w)) {
            m_pos += w.size();
            return true;
        }
        return false;
    }

    bool readValue(JsonValue* out, int depth) {
        if (depth > kMaxDepth) {
            return false;
        }
        switch (peek()) {
        case '{':
            out->kind = JsonValue::Kind::Object;
            return skipContainer('{', '}', depth, true);
        case '[':
            out->kind = JsonValue::Kind::Array;
            return skipContainer('[', ']', depth, false);
        case '"':
            out->kind = JsonValue::Kind::String;
            return readString(&out->string);
        case 't':
            out->kind = JsonValue::Kind::Bool;
            out->boolean = true;
            return literal("true");
        case 'f':
            out->kind = JsonValue::Kind::Bool;
            out->boolean = false;
            return literal("false");
        case 'n':
            out->kind = JsonValue::Kind::Null;
            return literal("null");
        default:
            out->kind = JsonValue::Kind::Number;
            return readNumber(&out->number);
        }
    }

    bool skipContainer(char open, char close, int depth, bool isObject) {
        if (!consume(open)) {
            return false;
        }
        skipWs();
        if (consume(close)) {
            return true;
        }
        for (;;) {
            skipWs();
            if (isObject) {
                QString key;
                if (!readString(&key)) {
                    return false;
                }
                skipWs();
                if (!consume(':')) {
                    return false;
                }
                skipWs();
            }
            JsonValue ignored;
            if (!readValue(&ignored, depth + 1)) {
                return false;
            }
            skipWs();
            if (consume(',')) {
                continue;
            }
            return consume(close);
        }
    }

    bool readNumber(QByteArray* out) {
        const qsizetype start = m_pos;
        consume('-');
        if (consume('0')) {
            // no leading zeros
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') {
                ++m_pos;
            }
        } else {
            return false;
        }
        if (consume('.')) {
            if (!(peek() >= '0' && peek() <= '9')) {
                return false;
            }
            while (peek() >= '0' && peek() <= '9') {
                ++m_pos;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-') {
                ++m_pos;
            }
            if (!(peek() >= '0' && peek() <= '9')) {
                return false;
            }
            while (peek() >= '0' && peek() <= '9') {
                ++m_pos;
            }
        }
        *out = m_s.sliced(start, m_pos - start).toByteArray();
        return true;
    }

    static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    bool readHex4(char16_t* out) {
        if (m_pos + 4 > m_s.size()) {
            return false;
        }
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexValue(m_s[m_pos + i]);
            if (h < 0) {
                return false;
            }
            v = v * 16 + h;
        }
        m_pos += 4;
        *out = static_cast<char16_t>(v);
        return true;
    }

    bool readString(QString* out) {
        if (!consume('"')) {
            return false;
        }
        QByteArray utf8; // raw UTF-8 runs (invalid sequences become U+FFFD like Go)
        QString result;
        auto flush = [&] {
            if (!utf8.isEmpty()) {
                result += QString::fromUtf8(utf8);
                utf8.clear();
            }
        };
        for (;;) {
            if (atEnd()) {
                return false;
            }
            const char c = m_s[m_pos++];
            if (c == '"') {
                break;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                return false; // control characters must be escaped
            }
            if (c != '\\') {
                utf8.append(c);
                continue;
            }
            if (atEnd()) {
                return false;
            }
            const char e = m_s[m_pos++];
            switch (e) {
            case '"':
                utf8.append('"');
                break;
            case '\\':
                utf8.append('\\');
                break;
            case '/':
                utf8.append('/');
                break;
            case 'b':
                utf8.append('\b');
                break;
            case 'f':
                utf8.append('\f');
                break;
            case 'n':
                utf8.append('\n');
                break;
            case 'r':
                utf8.append('\r');
                break;
            case 't':
                utf8.append('\t');
                break;
            case 'u': {
                char16_t unit = 0;
                if (!readHex4(&unit)) {
                    return false;
                }
                flush();
                if (QChar::isHighSurrogate(unit) && m_s.sliced(m_pos).startsWith("\\u")) {
                    const qsizetype save = m_pos;
                    m_pos += 2;
                    char16_t low = 0;
                    if (readHex4(&low) && QChar::isLowSurrogate(low)) {
                        result += QChar(unit);
                        result += QChar(low);
                        break;
                    }
                    m_pos = save;
                }
                // lone surrogates decode to U+FFFD (Go does the same)
                result +=
                    QChar::isSurrogate(unit) ? QChar(QChar::ReplacementCharacter) : QChar(unit);
                break;
            }
            default:
                return false;
            }
        }
        flush();
        *out = result;
        return true;
    }

    QByteArrayView m_s;
    qsizetype m_pos = 0;
    QString m_error;
};

// Go's strconv.ParseInt semantics on a JSON number literal: no fraction, no exponent, in range.
bool toInteger(const QByteArray& literal, qint64 min, qint64 max, qint64* out) {
    if (literal.contains('.') || literal.contains('e') || literal.contains('E')) {
        return false;
    }
    bool ok = false;
    const qlonglong v = literal.toLongLong(&ok);
    if (!ok || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

int hexDigit(QChar c) {
    const char16_t u = c.unicode();
    if (u >= '0' && u <= '9') {
        return u - '0';
    }
    if (u >= 'a' && u <= 'f') {
        return u - 'a' + 10;
    }
    if (u >= 'A' && u <= 'F') {
        return u - 'A' + 10;
    }
    return -1;
}

// The forms Go's uuid.Parse accepts: canonical 36, {36}, urn:uuid:36, 32 plain hex digits.
std::optional<QUuid> parseUuid(QString s) {
    if (s.size() == 36 + 9 && s.startsWith(QLatin1String("urn:uuid:"), Qt::CaseInsensitive)) {
        s = s.mid(9);
    } else if (s.size() == 38 && s.startsWith(QLatin1Char('{')) && s.endsWith(QLatin1Char('}'))) {
        s = s.mid(1, 36);
    }
    QString hex;
    if (s.size() == 36) {
        for (int i : {8, 13, 18, 23}) {
            if (s[i] != QLatin1Char('-')) {
                return std::nullopt;
            }
        }
        hex = s;
        hex.remove(QLatin1Char('-'));
        if (hex.size() != 32) {
            return std::nullopt;
        }
    } else if (s.size() == 32) {
        hex = s;
    } else {
        return std::nullopt;
    }
    QByteArray bytes(16, '\0');
    for (int i = 0; i < 16; ++i) {
        const int hi = hexDigit(hex[2 * i]);
        const int lo = hexDigit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        bytes[i] = static_cast<char>(hi * 16 + lo);
    }
    return QUuid::fromRfc4122(bytes);
}

// Go encoding/json string encoding (HTML-safe escapes, \u2028/\u2029, invalid UTF-16 -> U+FFFD).
void appendJsonString(QByteArray* out, const QString& s) {
    static const char kHex[] = "0123456789abcdef";
    out->append('"');
    const QByteArray utf8 = s.toUtf8();
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        switch (c) {
        case '"':
            out->append("\\\"");
            continue;
        case '\\':
            out->append("\\\\");
            continue;
        case '\n':
            out->append("\\n");
            continue;
        case '\r':
            out->append("\\r");
            continue;
        case '\t':
            out->append("\\t");
            continue;
        case '\b':
            out->append("\\b");
            continue;
        case '\f':
            out->append("\\f");
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out->append("\\u00");
            out->append(kHex[c >> 4]);
            out->append(kHex[c & 0xf]);
            continue;
        }
        // U+2028 / U+2029 are E2 80 A8 / E2 80 A9
        if (c == 0xe2 && i + 2 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(utf8[i + 2]) & 0xfe) == 0xa8) {
            out->append(static_cast<unsigned char>(utf8[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029");
            i += 2;
            continue;
        }
        out->append(static_cast<char>(c));
    }
    out->append('"');
}

class ObjectWriter {
public:
    void string(const char* key, const QString& value) {
        keyPrefix(key);
        appendJsonString(&m_out, value);
    }
    void integer(const char* key, qint64 value) {
        keyPrefix(key);
        m_out.append(QByteArray::number(value));
    }
    void boolean(const char* key, bool value) {
        keyPrefix(key);
        m_out.append(value ? "true" : "false");
    }
    QByteArray finish() {
        if (m_out.isEmpty()) {
            m_out.append('{');
        }
        m_out.append('}');
        return m_out;
    }

private:
    void keyPrefix(const char* key) {
        m_out.append(m_out.isEmpty() ? '{' : ',');
        m_out.append('"');
        m_out.append(key);
        m_out.append("\":");
    }
    QByteArray m_out;
};

const QHash<QString, ControlEvent>& eventTable() {
    static const QHash<QString, ControlEvent> table = {
        {QStringLiteral("connect"), ControlEvent::Connect},
        {QStringLiteral("disconnect"), ControlEvent::Disconnect},
        {QStringLiteral("ping_client"), ControlEvent::PingClient},
        {QStringLiteral("pong_client"), ControlEvent::PongClient},
        {QStringLiteral("pause_stream"), ControlEvent::PauseStream},
        {QStringLiteral("resume_stream"), ControlEvent::ResumeStream},
        {QStringLiteral("outbound_connect"), ControlEvent::OutboundConnect},
        {QStringLiteral("outbound_result"), ControlEvent::OutboundResult},
    };
    return table;
}

enum class Field {
    None,
    Event,
    ClientId,
    ConnPort,
    ClientIp,
    Transport,
    Hostname,
    IsTls,
    Reason,
    TargetAddr,
    Success,
    Credits
};

// Exact key first, then ASCII case-insensitive like Go's decoder.
Field fieldFor(const QString& key) {
    static const std::pair<const char*, Field> kFields[] = {
        {"event", Field::Event},
        {"client_id", Field::ClientId},
        {"conn_port", Field::ConnPort},
        {"client_ip", Field::ClientIp},
        {"transport", Field::Transport},
        {"hostname", Field::Hostname},
        {"is_tls", Field::IsTls},
        {"reason", Field::Reason},
        {"target_addr", Field::TargetAddr},
        {"success", Field::Success},
        {"credits", Field::Credits},
    };
    for (const auto& [name, field] : kFields) {
        if (key == QLatin1String(name)) {
            return field;
        }
    }
    for (const auto& [name, field] : kFields) {
        if (key.compare(QLatin1String(name), Qt::CaseInsensitive) == 0) {
            return field;
        }
    }
    return Field::None;
}

} // namespace

QString eventName(ControlEvent event) {
    switch (event) {
    case ControlEvent::Connect:
        return QStringLiteral("connect");
    case ControlEvent::Disconnect:
        return QStringLiteral("disconnect");
    case ControlEvent::PingClient:
        return QStringLiteral("ping_client");
    case ControlEvent::PongClient:
        return QStringLiteral("pong_client");
    case ControlEvent::PauseStream:
        return QStringLiteral("pause_stream");
    case ControlEvent::ResumeStream:
        return QStringLiteral("resume_stream");
    case ControlEvent::OutboundConnect:
        return QStringLiteral("outbound_connect");
    case ControlEvent::OutboundResult:
        return QStringLiteral("outbound_result");
    case ControlEvent::Unknown:
        break;
    }
    return QString();
}

ControlEvent eventFromName(const QString& name) {
    return eventTable().value(name, ControlEvent::Unknown);
}

std::optional<ControlMessage> parseControl(QByteArrayView json, QString* error) {
    ControlMessage msg;
    QString fieldError;
    auto typeError = [&](const char* key, const char* want) {
        if (fieldError.isEmpty()) {
            fieldError =
                QStringLiteral("field %1 must be %2").arg(QLatin1String(key), QLatin1String(want));
        }
    };
    auto wantString = [&](const JsonValue& v, const char* key, QString* target) {
        if (v.kind == JsonValue::Kind::Null) {
            return; // null leaves the zero value, as in Go
        }
        if (v.kind != JsonValue::Kind::String) {
            typeError(key, "a string");
            return;
        }
        *target = v.string;
    };
    auto wantBool = [&](const JsonValue& v, const char* key, bool* target) {
        if (v.kind == JsonValue::Kind::Null) {
            return;
        }
        if (v.kind != JsonValue::Kind::Bool) {
            typeError(key, "a boolean");
            return;
        }
        *target = v.boolean;
    };
    auto wantInt = [&](const JsonValue& v, const char* key, qint64 min, qint64 max,
                       qint64* target) {
        if (v.kind == JsonValue::Kind::Null) {
            return;
        }
        qint64 n = 0;
        if (v.kind != JsonValue::Kind::Number || !toInteger(v.number, min, max, &n)) {
            typeError(key, "an integer");
            return;
        }
        *target = n;
    };

    JsonReader reader(json);
    const bool ok = reader.readObjectDocument([&](const QString& key, const JsonValue& v) {
        switch (fieldFor(key)) {
        case Field::Event:
            wantString(v, "event", &msg.rawEvent);
            break;
        case Field::ClientId: {
            if (v.kind == JsonValue::Kind::Null) {
                break;
            }
            if (v.kind != JsonValue::Kind::String) {
                typeError("client_id", "a string");
                break;
            }
            const auto id = parseUuid(v.string);
            if (!id) {
                if (fieldError.isEmpty()) {
                    fieldError = v.string.isEmpty() ? QStringLiteral("empty client_id")
                                                    : QStringLiteral("malformed client_id");
                }
                break;
            }
            msg.clientId = *id;
            break;
        }
        case Field::ConnPort: {
            qint64 port = msg.connPort;
            wantInt(v, "conn_port", std::numeric_limits<int>::min(),
                    std::numeric_limits<int>::max(), &port);
            msg.connPort = static_cast<int>(port);
            break;
        }
        case Field::ClientIp:
            wantString(v, "client_ip", &msg.clientIp);
            break;
        case Field::Transport:
            wantString(v, "transport", &msg.transport);
            break;
        case Field::Hostname:
            wantString(v, "hostname", &msg.hostname);
            break;
        case Field::IsTls:
            wantBool(v, "is_tls", &msg.isTls);
            break;
        case Field::Reason:
            wantString(v, "reason", &msg.reason);
            break;
        case Field::TargetAddr:
            wantString(v, "target_addr", &msg.targetAddr);
            break;
        case Field::Success:
            wantBool(v, "success", &msg.success);
            break;
        case Field::Credits:
            wantInt(v, "credits", std::numeric_limits<qint64>::min(),
                    std::numeric_limits<qint64>::max(), &msg.credits);
            break;
        case Field::None:
            break; // unknown keys are ignored
        }
    });
    if (!ok) {
        if (error) {
            *error = reader.error();
        }
        return std::nullopt;
    }
    if (!fieldError.isEmpty()) {
        if (error) {
            *error = fieldError;
        }
        return std::nullopt;
    }
    msg.event = eventFromName(msg.rawEvent);
    return msg;
}

QByteArray serializeControl(const ControlMessage& message) {
    ObjectWriter w;
    const QString event =
        message.event == ControlEvent::Unknown ? message.rawEvent : eventName(message.event);
    if (!event.isEmpty()) {
        w.string("event", event);
    }
    if (!message.clientId.isNull()) {
        w.string("client_id", message.clientId.toString(QUuid::WithoutBraces));
    }
    if (message.connPort != 0) {
        w.integer("conn_port", message.connPort);
    }
    if (!message.clientIp.isEmpty()) {
        w.string("client_ip", message.clientIp);
    }
    if (!message.transport.isEmpty()) {
        w.string("transport", message.transport);
    }
    if (!message.hostname.isEmpty()) {
        w.string("hostname", message.hostname);
    }
    if (message.isTls) {
        w.boolean("is_tls", true);
    }
    if (!message.reason.isEmpty()) {
        w.string("reason", message.reason);
    }
    if (!message.targetAddr.isEmpty()) {
        w.string("target_addr", message.targetAddr);
    }
    if (message.success) {
        w.boolean("success", true);
    }
    if (message.credits != 0) {
        w.integer("credits", message.credits);
    }
    return w.finish();
}

ControlMessage makeDisconnect(const QUuid& id, const QString& reason) {
    ControlMessage m;
    m.event = ControlEvent::Disconnect;
    m.rawEvent = eventName(m.event);
    m.clientId = id;
    m.reason = reason;
    return m;
}

ControlMessage makeResume(const QUuid& id, qint64 credits) {
    ControlMessage m;
    m.event = ControlEvent::ResumeStream;
    m.rawEvent = eventName(m.event);
    m.clientId = id;
    m.credits = credits;
    return m;
}

ControlMessage makePause(const QUuid& id, const QString& reason) {
    ControlMessage m;
    m.event = ControlEvent::PauseStream;
    m.rawEvent = eventName(m.event);
    m.clientId = id;
    m.reason = reason;
    return m;
}

ControlMessage makePing(const QUuid& id) {
    ControlMessage m;
    m.event = ControlEvent::PingClient;
    m.rawEvent = eventName(m.event);
    m.clientId = id;
    return m;
}

std::optional<Challenge> parseChallenge(QByteArrayView text) {
    QString type;
    QString nonce;
    bool typeSeen = false;
    bool badType = false;
    JsonReader reader(text);
    const bool ok = reader.readObjectDocument([&](const QString& key, const JsonValue& v) {
        const bool isType = key.compare(QLatin1String("type"), Qt::CaseInsensitive) == 0;
        const bool isNonce = key.compare(QLatin1String("nonce"), Qt::CaseInsensitive) == 0;
        if (!isType && !isNonce) {
            return;
        }
        if (v.kind == JsonValue::Kind::Null) {
            return;
        }
        if (v.kind != JsonValue::Kind::String) {
            badType = true;
            return;
        }
        if (isType) {
            type = v.string;
            typeSeen = true;
        } else {
            nonce = v.string;
        }
    });
    if (!ok || badType || !typeSeen) {
        return std::nullopt;
    }
    Challenge c;
    c.rawType = type;
    c.nonce = nonce;
    if (type == QLatin1String("handshake_challenge")) {
        c.type = Challenge::Type::Handshake;
    } else if (type == QLatin1String("reauth_challenge")) {
        c.type = Challenge::Type::Reauth;
    }
    return c;
}

QByteArray serializeChallenge(const Challenge& challenge) {
    QString type = challenge.rawType;
    if (challenge.type == Challenge::Type::Handshake) {
        type = QStringLiteral("handshake_challenge");
    } else if (challenge.type == Challenge::Type::Reauth) {
        type = QStringLiteral("reauth_challenge");
    }
    // The hub always emits both keys, in this order (protocol.md §2).
    QByteArray out("{\"type\":");
    appendJsonString(&out, type);
    out.append(",\"nonce\":");
    appendJsonString(&out, challenge.nonce);
    out.append('}');
    return out;
}

} // namespace nexustray::protocol
