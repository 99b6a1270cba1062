#include "protocol/StrictJson.h"

namespace nexustray::protocol::json {

namespace {

constexpr int kMaxDepth = 512;

class Reader {
public:
    explicit Reader(QByteArrayView text)
        : m_s(text) {}

    bool document(Value* out) {
        skipWs();
        if (!value(out, 0)) {
            return false;
        }
        skipWs();
        return m_pos == m_s.size();
    }

private:
    bool atEnd() const { return m_pos >= m_s.size(); }
    char peek() const { return atEnd() ? '\0' : m_s[m_pos]; }
    bool isDigit() const { return peek() >= '0' && peek() <= '9'; }
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
    bool literal(QByteArrayView word) {
        if (m_s.sliced(m_pos).startsWith(word)) {
            m_pos += word.size();
            return true;
        }
        return false;
    }

    bool value(Value* out, int depth) {
        if (depth > kMaxDepth) {
            return false;
        }
        switch (peek()) {
        case '{':
            out->kind = Value::Kind::Object;
            return object(out, depth);
        case '[':
            out->kind = Value::Kind::Array;
            return array(out, depth);
        case '"':
            out->kind = Value::Kind::String;
            return string(&out->string);
        case 't':
            out->kind = Value::Kind::Bool;
            out->boolean = true;
            return literal("true");
        case 'f':
            out->kind = Value::Kind::Bool;
            return literal("false");
        case 'n':
            out->kind = Value::Kind::Null;
            return literal("null");
        default:
            out->kind = Value::Kind::Number;
            return number(&out->number);
        }
    }

    bool object(Value* out, int depth) {
        consume('{');
        skipWs();
        if (consume('}')) {
            return true;
        }
        for (;;) {
            skipWs();
            std::pair<QString, Value> member;
            if (!string(&member.first)) {
                return false;
            }
            skipWs();
            if (!consume(':')) {
                return false;
            }
            skipWs();
            if (!value(&member.second, depth + 1)) {
                return false;
            }
            out->members.append(std::move(member));
            skipWs();
            if (consume(',')) {
                continue;
            }
            return consume('}');
        }
    }

    bool array(Value* out, int depth) {
        consume('[');
        skipWs();
        if (consume(']')) {
            return true;
        }
        for (;;) {
            skipWs();
            Value element;
            if (!value(&element, depth + 1)) {
                return false;
            }
            out->array.append(std::move(element));
            skipWs();
            if (consume(',')) {
                continue;
            }
            return consume(']');
        }
    }

    bool number(QByteArray* out) {
        const qsizetype start = m_pos;
        consume('-');
        if (!consume('0')) {
            if (!(peek() >= '1' && peek() <= '9')) {
                return false;
            }
            while (isDigit()) {
                ++m_pos;
            }
        }
        if (consume('.')) {
            if (!isDigit()) {
                return false;
            }
            while (isDigit()) {
                ++m_pos;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-') {
                ++m_pos;
            }
            if (!isDigit()) {
                return false;
            }
            while (isDigit()) {
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

    bool hex4(char16_t* out) {
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

    bool string(QString* out) {
        if (!consume('"')) {
            return false;
        }
        QByteArray utf8; // raw runs; QString::fromUtf8 maps invalid sequences to U+FFFD like Go
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
            switch (m_s[m_pos++]) {
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
                if (!hex4(&unit)) {
                    return false;
                }
                flush();
                if (QChar::isHighSurrogate(unit) && m_s.sliced(m_pos).startsWith("\\u")) {
                    const qsizetype save = m_pos;
                    m_pos += 2;
                    char16_t low = 0;
                    if (hex4(&low) && QChar::isLowSurrogate(low)) {
                        result += QChar(unit);
                        result += QChar(low);
                        break;
                    }
                    m_pos = save;
                }
                // lone surrogates decode to U+FFFD, as in Go
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
};

} // namespace

const Value* Value::find(QLatin1String key) const {
    const Value* folded = nullptr;
    const Value* exact = nullptr;
    for (const auto& [name, v] : members) {
        if (name == key) {
            exact = &v;
        } else if (name.compare(key, Qt::CaseInsensitive) == 0) {
            folded = &v;
        }
    }
    return exact ? exact : folded;
}

std::optional<qint64> Value::toInteger() const {
    if (kind != Kind::Number || number.contains('.') || number.contains('e') ||
        number.contains('E')) {
        return std::nullopt;
    }
    bool ok = false;
    const qlonglong v = number.toLongLong(&ok);
    if (!ok) {
        return std::nullopt;
    }
    return v;
}

std::optional<double> Value::toDouble() const {
    if (kind != Kind::Number) {
        return std::nullopt;
    }
    bool ok = false;
    const double v = number.toDouble(&ok);
    if (!ok) {
        return std::nullopt;
    }
    return v;
}

std::optional<Value> parse(QByteArrayView text, QString* error) {
    Value v;
    Reader reader(text);
    if (!reader.document(&v)) {
        if (error) {
            *error = QStringLiteral("malformed JSON");
        }
        return std::nullopt;
    }
    return v;
}

void appendString(QByteArray* out, const QString& s) {
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
        // U+2028 / U+2029 are E2 80 A8 / E2 80 A9 (Go escapes them for JavaScript safety)
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

} // namespace nexustray::protocol::json
