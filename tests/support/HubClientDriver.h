// A raw backend client for hub tests: a QWebSocket plus helpers to authenticate with minted
// tokens and to wait for (and consume) what the hub sends. Everything it receives is queued.
#pragma once

#include "protocol/ControlMessage.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>
#include <QUuid>
#include <QWebSocket>

#include <optional>

namespace nexustray::test {

class HubClientDriver : public QObject {
    Q_OBJECT
public:
    explicit HubClientDriver(QObject* parent = nullptr);

    QWebSocket& socket() { return m_socket; }

    // Opens the WebSocket (optionally with a TLS configuration); true once connected.
    bool open(const QUrl& url, int timeoutMs = 5000,
              const std::optional<QSslConfiguration>& tls = std::nullopt);
    // Stage 0 with `claims`, waits for the handshake challenge, stage 1 with the same claims +
    // session_nonce. Returns the nonce ("" on failure). Success is silent, so this only proves
    // the hub accepted stage 0; check the hub's sessionAuthenticated signal where it matters.
    QString authenticate(const QByteArray& secret, const QJsonObject& claims, int timeoutMs = 5000);

    std::optional<QString> waitForText(int timeoutMs = 5000);
    // First queued control message with this event (and ID, unless null); consumed.
    std::optional<protocol::ControlMessage>
    waitForControl(protocol::ControlEvent event, int timeoutMs = 5000, const QUuid& id = QUuid());
    // The same without waiting: only what has already arrived.
    std::optional<protocol::ControlMessage> takeControl(protocol::ControlEvent event,
                                                        const QUuid& id = QUuid());
    // An ordering barrier instead of a sleep: sends an outbound_connect the hub refuses at once
    // (empty target; on an authenticated session) and waits for its outbound_result (consumed).
    // The hub handles messages in order and sends in order, so once it returns, the hub has
    // processed everything sent before it and whatever it sent before answering has arrived.
    bool roundTrip(int timeoutMs = 5000);
    // Waits until at least `bytes` data bytes for `id` were received; returns them all (consumed).
    QByteArray waitForData(const QUuid& id, qsizetype bytes, int timeoutMs = 5000);
    // Waits until at least `count` data messages for `id` were received; returns each message's
    // payload, in order (consumed from `payloads`). For UDP flows: one message = one datagram.
    QList<QByteArray> waitForPayloads(const QUuid& id, qsizetype count, int timeoutMs = 5000);
    bool waitForDisconnected(int timeoutMs = 5000);

    void sendControl(const protocol::ControlMessage& message);
    void sendData(const QUuid& id, QByteArrayView payload);

    // Queues (public so tests can inspect or clear them).
    QList<QString> texts;
    QList<protocol::ControlMessage> controls;
    QHash<QUuid, QByteArray> data;            // concatenated payloads per stream
    QHash<QUuid, int> dataMessages;           // number of data messages per stream
    QList<qsizetype> dataMessageSizes;        // every data message's payload size, in order
    QHash<QUuid, QList<QByteArray>> payloads; // every data message's payload per stream
    QList<QByteArray> invalidMessages;        // binary messages that did not decode
    bool disconnected = false;
    // A close frame arrived (or close() was called locally) before the connection ended.
    // Qt 6.4 reports closeCode() 1000 (not 1006) when the peer dropped without a close frame, so
    // use droppedWithoutCloseFrame() to tell an abrupt drop from an orderly close.
    bool sawCloseFrame = false;
    bool droppedWithoutCloseFrame() const { return disconnected && !sawCloseFrame; }

private:
    QWebSocket m_socket;
};

} // namespace nexustray::test
