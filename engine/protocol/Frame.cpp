// Binary message framing (protocol.md §4).
#include "protocol/Frame.h"

#include <cstring>

namespace nexustray::protocol {

QByteArray dataHeader(const QUuid& clientId) {
    QByteArray header;
    header.reserve(kDataHeaderSize);
    header.append(static_cast<char>(kDataType));
    header.append(clientId.toRfc4122()); // RFC 4122 byte order, never memcpy a QUuid
    return header;
}

QByteArray encodeData(const QUuid& clientId, QByteArrayView payload) {
    return encodeData(dataHeader(clientId), payload);
}

QByteArray encodeData(const QByteArray& header, QByteArrayView payload) {
    Q_ASSERT(header.size() == kDataHeaderSize);
    // Clients send at most kMaxDataPayload; the hub's first message of an HTTP stream may carry
    // up to 64 KiB of sniffed request head (protocol.md §1.3), so that is the hard bound here.
    Q_ASSERT(payload.size() <= 2 * kMaxDataPayload);
    QByteArray out;
    out.reserve(header.size() + payload.size());
    out.append(header);
    out.append(payload);
    return out;
}

char* beginData(QByteArray& buffer, const QByteArray& header, qsizetype payloadCapacity) {
    Q_ASSERT(header.size() == kDataHeaderSize);
    Q_ASSERT(payloadCapacity >= 0 && payloadCapacity <= kMaxDataPayload);
    buffer.resize(kDataHeaderSize + payloadCapacity); // within its capacity: no allocation
    char* out = buffer.data();
    std::memcpy(out, header.constData(), kDataHeaderSize);
    return out + kDataHeaderSize;
}

void finishData(QByteArray& buffer, qsizetype payloadSize) {
    Q_ASSERT(payloadSize >= 0 && kDataHeaderSize + payloadSize <= buffer.size());
    buffer.resize(kDataHeaderSize + payloadSize); // shrinking keeps the capacity
}

QByteArray encodeControl(const ControlMessage& message) {
    QByteArray out(1, static_cast<char>(kControlType));
    out.append(serializeControl(message));
    return out;
}

DecodedMessage decodeMessage(const QByteArray& message) {
    DecodedMessage out;
    if (message.isEmpty()) {
        out.error = QStringLiteral("empty message");
        return out;
    }
    const auto type = static_cast<quint8>(message.at(0));
    if (type == kDataType) {
        if (message.size() < kDataHeaderSize) {
            out.error =
                QStringLiteral("data message shorter than 17 bytes (%1)").arg(message.size());
            return out;
        }
        out.kind = DecodedMessage::Kind::Data;
        out.clientId = QUuid::fromRfc4122(QByteArrayView(message).sliced(1, 16));
        out.payload = QByteArrayView(message).sliced(kDataHeaderSize);
        return out;
    }
    if (type == kControlType) {
        QString why;
        auto control = parseControl(QByteArrayView(message).sliced(1), &why);
        if (!control) {
            out.error = QStringLiteral("malformed control message: %1").arg(why);
            return out;
        }
        out.kind = DecodedMessage::Kind::Control;
        out.control = std::move(*control);
        return out;
    }
    out.error = QStringLiteral("unknown type byte 0x%1").arg(type, 2, 16, QLatin1Char('0'));
    return out;
}

} // namespace nexustray::protocol
