// A MuxLink for multiplexer tests: records every message the multiplexer sends and its flushes,
// and "unsent" plays a WebSocket full of unsent bytes (congestion). No WebSocket, no session.
#pragma once

#include <QByteArray>
#include <QList>
#include <QUuid>

#include <vector>

#include "protocol/Frame.h"
#include "relay/MuxLink.h"

namespace nexustray::test {

class RecordingLink : public MuxLink {
public:
    bool isOpen() const override { return open; }
    void sendBinary(const QByteArray& message) override { sent.push_back(message); }
    qint64 bytesToWrite() const override { return unsent; }
    void flush() override {
        ++flushes;
        sentAtLastFlush = sent.size();
    }

    std::vector<protocol::ControlMessage> controls(protocol::ControlEvent event,
                                                   const QUuid& id = QUuid()) const {
        std::vector<protocol::ControlMessage> out;
        for (const QByteArray& message : sent) {
            const protocol::DecodedMessage m = protocol::decodeMessage(message);
            if (m.kind == protocol::DecodedMessage::Kind::Control && m.control.event == event &&
                (id.isNull() || m.control.clientId == id))
                out.push_back(m.control);
        }
        return out;
    }
    // Sum of the credits of every resume_stream sent for `id`.
    qint64 creditsReturned(const QUuid& id) const {
        qint64 sum = 0;
        for (const protocol::ControlMessage& m : controls(protocol::ControlEvent::ResumeStream, id))
            sum += m.credits;
        return sum;
    }
    // The ids of the data messages, in the order sent.
    QList<QUuid> dataIds() const {
        QList<QUuid> out;
        for (const QByteArray& message : sent) {
            const protocol::DecodedMessage m = protocol::decodeMessage(message);
            if (m.kind == protocol::DecodedMessage::Kind::Data)
                out.push_back(m.clientId);
        }
        return out;
    }
    // The payloads of the data messages for `id`, one entry per message, in the order sent.
    QList<QByteArray> dataMessagesFor(const QUuid& id) const {
        QList<QByteArray> out;
        for (const QByteArray& message : sent) {
            const protocol::DecodedMessage m = protocol::decodeMessage(message);
            if (m.kind == protocol::DecodedMessage::Kind::Data && m.clientId == id)
                out.push_back(m.payload.toByteArray());
        }
        return out;
    }
    QByteArray dataFor(const QUuid& id) const { return dataMessagesFor(id).join(); }

    bool open = true;
    qint64 unsent = 0;
    std::vector<QByteArray> sent;
    int flushes = 0;                 // flush() calls (the end of each send pass)
    std::size_t sentAtLastFlush = 0; // sent.size() at the last flush()
};

} // namespace nexustray::test
