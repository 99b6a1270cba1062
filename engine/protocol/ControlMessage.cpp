// Control message JSON (protocol.md §4, §5). Parsing uses the strict reader of StrictJson.h
// because QJsonDocument cannot tell `64` from `64.0` (the hub refuses `64.0`). The writer
// reproduces Go's encoding/json bytes.
#include "protocol/ControlMessage.h"

#include "protocol/StrictJson.h"

#include <QHash>

#include <limits>

namespace nexustray::protocol {

namespace {

using json::Value;

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

class ObjectWriter {
public:
    void string(const char* key, const QString& value) {
        keyPrefix(key);
        json::appendString(&m_out, value);
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
    auto wantString = [&](const Value& v, const char* key, QString* target) {
        if (v.kind == Value::Kind::Null) {
            return; // null leaves the zero value, as in Go
        }
        if (v.kind != Value::Kind::String) {
            typeError(key, "a string");
            return;
        }
        *target = v.string;
    };
    auto wantBool = [&](const Value& v, const char* key, bool* target) {
        if (v.kind == Value::Kind::Null) {
            return;
        }
        if (v.kind != Value::Kind::Bool) {
            typeError(key, "a boolean");
            return;
        }
        *target = v.boolean;
    };
    auto wantInt = [&](const Value& v, const char* key, qint64 min, qint64 max, qint64* target) {
        if (v.kind == Value::Kind::Null) {
            return;
        }
        const auto n = v.toInteger();
        if (!n || *n < min || *n > max) {
            typeError(key, "an integer");
            return;
        }
        *target = *n;
    };

    QString syntaxError;
    const auto doc = json::parse(json, &syntaxError);
    if (!doc || !doc->isObject()) {
        if (error) {
            *error = doc ? QStringLiteral("not a JSON object") : syntaxError;
        }
        return std::nullopt;
    }
    // Members in document order: a later duplicate overwrites, as in Go.
    for (const auto& [key, v] : doc->members) {
        switch (fieldFor(key)) {
        case Field::Event:
            wantString(v, "event", &msg.rawEvent);
            break;
        case Field::ClientId: {
            if (v.kind == Value::Kind::Null) {
                break;
            }
            if (v.kind != Value::Kind::String) {
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
    const auto doc = json::parse(text);
    if (!doc || !doc->isObject()) {
        return std::nullopt;
    }
    for (const auto& [key, v] : doc->members) {
        const bool isType = key.compare(QLatin1String("type"), Qt::CaseInsensitive) == 0;
        const bool isNonce = key.compare(QLatin1String("nonce"), Qt::CaseInsensitive) == 0;
        if (!isType && !isNonce) {
            continue;
        }
        if (v.kind == Value::Kind::Null) {
            continue;
        }
        if (v.kind != Value::Kind::String) {
            badType = true;
            continue;
        }
        if (isType) {
            type = v.string;
            typeSeen = true;
        } else {
            nonce = v.string;
        }
    }
    if (badType || !typeSeen) {
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
    json::appendString(&out, type);
    out.append(",\"nonce\":");
    json::appendString(&out, challenge.nonce);
    out.append('}');
    return out;
}

} // namespace nexustray::protocol
