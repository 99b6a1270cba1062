#include "HubClientDriver.h"

#include "TestTokens.h"
#include "protocol/Frame.h"

#include <QNetworkRequest>
#include <QTest>

namespace nexustray::test {

using namespace nexustray::protocol;

HubClientDriver::HubClientDriver(QObject* parent)
    : QObject(parent) {
    m_socket.setMaxAllowedIncomingMessageSize(kIncomingMessageLimit);
    connect(&m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString& text) { texts.append(text); });
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray& msg) {
        const DecodedMessage m = decodeMessage(msg);
        switch (m.kind) {
        case DecodedMessage::Kind::Data:
            data[m.clientId].append(m.payload.toByteArray());
            payloads[m.clientId].append(m.payload.toByteArray());
            ++dataMessages[m.clientId];
            dataMessageSizes.append(m.payload.size());
            break;
        case DecodedMessage::Kind::Control:
            controls.append(m.control);
            break;
        case DecodedMessage::Kind::Invalid:
            invalidMessages.append(msg);
            break;
        }
    });
    connect(&m_socket, &QWebSocket::aboutToClose, this, [this] { sawCloseFrame = true; });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { disconnected = true; });
}

bool HubClientDriver::open(const QUrl& url, int timeoutMs,
                           const std::optional<QSslConfiguration>& tls) {
    if (tls) {
        m_socket.setSslConfiguration(*tls);
    }
    m_socket.open(QNetworkRequest(url));
    return QTest::qWaitFor(
               [this] {
                   return m_socket.state() == QAbstractSocket::ConnectedState || disconnected;
               },
               timeoutMs) &&
           m_socket.state() == QAbstractSocket::ConnectedState;
}

QString HubClientDriver::authenticate(const QByteArray& secret, const QJsonObject& claims,
                                      int timeoutMs) {
    m_socket.sendTextMessage(QString::fromLatin1(TestTokens::mint(secret, claims)));
    const auto text = waitForText(timeoutMs);
    if (!text) {
        return QString();
    }
    const auto challenge = parseChallenge(text->toUtf8());
    if (!challenge || challenge->type != Challenge::Type::Handshake) {
        return QString();
    }
    m_socket.sendTextMessage(QString::fromLatin1(
        TestTokens::mint(secret, TestTokens::withNonce(claims, challenge->nonce))));
    return challenge->nonce;
}

std::optional<QString> HubClientDriver::waitForText(int timeoutMs) {
    if (!QTest::qWaitFor([this] { return !texts.isEmpty() || disconnected; }, timeoutMs) ||
        texts.isEmpty()) {
        return std::nullopt;
    }
    return texts.takeFirst();
}

std::optional<ControlMessage> HubClientDriver::takeControl(ControlEvent event, const QUuid& id) {
    for (qsizetype i = 0; i < controls.size(); ++i) {
        if (controls[i].event == event && (id.isNull() || controls[i].clientId == id)) {
            return controls.takeAt(i);
        }
    }
    return std::nullopt;
}

std::optional<ControlMessage> HubClientDriver::waitForControl(ControlEvent event, int timeoutMs,
                                                              const QUuid& id) {
    std::optional<ControlMessage> found;
    (void)QTest::qWaitFor(
        [&] {
            found = takeControl(event, id);
            return found || disconnected;
        },
        timeoutMs);
    return found;
}

bool HubClientDriver::roundTrip(int timeoutMs) {
    ControlMessage probe;
    probe.event = ControlEvent::OutboundConnect;
    probe.clientId = QUuid::createUuid();
    sendControl(probe); // no target_addr: refused before any dial, whatever the hub allows
    return waitForControl(ControlEvent::OutboundResult, timeoutMs, probe.clientId).has_value();
}

QByteArray HubClientDriver::waitForData(const QUuid& id, qsizetype bytes, int timeoutMs) {
    (void)QTest::qWaitFor([&] { return data.value(id).size() >= bytes || disconnected; },
                          timeoutMs);
    return data.take(id);
}

QList<QByteArray> HubClientDriver::waitForPayloads(const QUuid& id, qsizetype count,
                                                   int timeoutMs) {
    (void)QTest::qWaitFor([&] { return payloads.value(id).size() >= count || disconnected; },
                          timeoutMs);
    return payloads.take(id);
}

bool HubClientDriver::waitForDisconnected(int timeoutMs) {
    return QTest::qWaitFor([this] { return disconnected; }, timeoutMs);
}

void HubClientDriver::sendControl(const ControlMessage& message) {
    m_socket.sendBinaryMessage(encodeControl(message));
}

void HubClientDriver::sendData(const QUuid& id, QByteArrayView payload) {
    m_socket.sendBinaryMessage(encodeData(id, payload));
}

} // namespace nexustray::test
