// Control messages: the JSON carried after the 0x02 byte (shared/spec/protocol.md §4, §5).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUuid>

#include <optional>

namespace nexustray::protocol {

enum class ControlEvent {
    Unknown, // any other event name: ignored by receivers
    Connect,
    Disconnect,
    PingClient,
    PongClient,
    PauseStream,
    ResumeStream,
    OutboundConnect,
    OutboundResult,
};

QString eventName(ControlEvent event);           // "connect", ...; "" for Unknown
ControlEvent eventFromName(const QString& name); // exact, case-sensitive; Unknown otherwise

struct ControlMessage {
    ControlEvent event = ControlEvent::Unknown;
    QString rawEvent; // the event string as received
    QUuid clientId;   // absent -> null UUID
    int connPort = 0;
    QString clientIp;
    QString transport; // "tcp" / "udp" / "" (absent = tcp)
    QString hostname;
    bool isTls = false;
    QString reason;
    QString targetAddr;
    bool success = false;
    qint64 credits = 0;

    bool isUdp() const { return transport == QLatin1String("udp"); }
};

// Parses a control JSON object. Returns nullopt and sets *error (plain words, no payload echo) when
// the JSON does not parse, is not an object, a known field has the wrong type (credits/conn_port
// must be integers: 64.0 is refused), or client_id is present but empty/malformed.
std::optional<ControlMessage> parseControl(QByteArrayView json, QString* error = nullptr);

// Compact JSON with the hub's key order (protocol.md §11); zero values omitted. No 0x02 prefix.
// Key order: event, client_id, conn_port, client_ip, transport, hostname, is_tls, reason,
// target_addr, success, credits. A null client_id is omitted; an Unknown event writes rawEvent.
// Strings are escaped like Go (\u003c \u003e \u0026).
QByteArray serializeControl(const ControlMessage& message);

// Convenience builders for what a client sends.
ControlMessage makeDisconnect(const QUuid& id, const QString& reason);
ControlMessage makeResume(const QUuid& id, qint64 credits); // credits 0 = plain resume
ControlMessage makePause(const QUuid& id, const QString& reason = QStringLiteral("buffer_full"));
ControlMessage makePing(const QUuid& id);

// Text messages during authentication / reauth: {"type":"handshake_challenge","nonce":"..."}.
struct Challenge {
    enum class Type { Handshake, Reauth, Other };
    Type type = Type::Other;
    QString nonce;
    QString rawType; // the "type" string as received; serialized for Type::Other
};
// nullopt when the text is not a JSON object with a string "type".
std::optional<Challenge> parseChallenge(QByteArrayView text);
QByteArray serializeChallenge(const Challenge& challenge);

} // namespace nexustray::protocol
