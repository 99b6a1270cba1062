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

QString eventName(ControlEvent event); // "connect", ...; "" for Unknown

struct ControlMessage {
    ControlEvent event = ControlEvent::Unknown;
    QString rawEvent;    // the event string as received
    QUuid clientId;      // absent -> null UUID
    int connPort = 0;
    QString clientIp;
    QString transport;   // "tcp" / "udp" / "" (absent = tcp)
    QString hostname;
    bool isTls = false;
    QString reason;
    QString targetAddr;
    bool success = false;
    qint64 credits = 0;

    bool isUdp() const { return transport == QLatin1String("udp"); }
};

// Parses a control JSON object. Returns nullopt and sets *error (plain words, no payload echo) when
// the JSON does not parse, is not an object, a known field has the wrong type (credits/conn_port must
// be integers: 64.0 is refused), or client_id is present but empty/malformed.
std::optional<ControlMessage> parseControl(QByteArrayView json, QString* error = nullptr);

// Compact JSON with the hub's key order (protocol.md §11); zero values omitted. No 0x02 prefix.
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
};
// nullopt when the text is not a JSON object with a string "type".
std::optional<Challenge> parseChallenge(QByteArrayView text);
QByteArray serializeChallenge(const Challenge& challenge);

} // namespace nexustray::protocol
