// Binary messages on the WebSocket (shared/spec/protocol.md §4):
//   data:    0x01 | client_id (16 bytes, RFC 4122 order) | payload (0..32768)
//   control: 0x02 | compact JSON
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUuid>

#include "protocol/ControlMessage.h"

namespace nexustray::protocol {

constexpr quint8 kDataType = 0x01;
constexpr quint8 kControlType = 0x02;
constexpr int kDataHeaderSize = 17;
constexpr int kMaxDataPayload = 32768;                               // per data message
constexpr int kMaxClientMessage = kMaxDataPayload + kDataHeaderSize; // hub read limit: 32785
constexpr qint64 kIncomingMessageLimit = 1 << 20; // what we accept from the hub (>= 65553)

// 17-byte header for a stream; build once per stream and reuse.
QByteArray dataHeader(const QUuid& clientId);
// header + payload in one allocation. Clients send payloads <= kMaxDataPayload; only the hub's
// first message of an HTTP stream may carry up to 64 KiB (asserted bound: 2 * kMaxDataPayload).
QByteArray encodeData(const QUuid& clientId, QByteArrayView payload);
QByteArray encodeData(const QByteArray& header, QByteArrayView payload);
// The hot path's encoder: a data message built in place in `buffer`, which the caller reuses for
// every message (its capacity is kept: no allocation once it holds kMaxClientMessage). Returns
// where up to `payloadCapacity` payload bytes go, so the payload is written once, straight into the
// message (e.g. by QIODevice::read); finishData() then trims it to the bytes actually written.
char* beginData(QByteArray& buffer, const QByteArray& header, qsizetype payloadCapacity);
void finishData(QByteArray& buffer, qsizetype payloadSize);
// Payload bytes of an encoded data message.
inline qsizetype dataPayloadSize(const QByteArray& message) {
    return message.size() - kDataHeaderSize;
}
QByteArray encodeControl(const ControlMessage& message);

struct DecodedMessage {
    enum class Kind { Data, Control, Invalid };
    Kind kind = Kind::Invalid;
    QUuid clientId;         // Data
    QByteArrayView payload; // Data: a view into the message given to decodeMessage (no copy)
    ControlMessage control; // Control
    QString error;          // Invalid: why ("empty message", "unknown type byte 0x07", ...)
};

// The returned payload view is valid while `message` is alive and unmodified.
DecodedMessage decodeMessage(const QByteArray& message);

} // namespace nexustray::protocol
