// The handle of one outbound stream on the caller's thread (nexustray/OutboundStream.h); the
// session side is opened by Client::openOutbound().
#include "nexustray/OutboundStream.h"

#include <QLocalSocket>

namespace nexustray {

OutboundStream::OutboundStream(const QString& targetAddr, QObject* parent)
    : QObject(parent)
    , m_socket(new QLocalSocket(this))
    , m_target(targetAddr) {}

OutboundStream::~OutboundStream() = default;

QIODevice* OutboundStream::device() const {
    return m_socket;
}

void OutboundStream::deliver(bool ok, Failure failure, const QString& reason) {
    if (m_state != State::Pending)
        return;
    if (ok) {
        m_state = State::Connected;
        Q_EMIT connected();
        return;
    }
    m_state = State::Failed;
    m_failure = failure;
    m_reason = reason;
    Q_EMIT failed(failure, reason);
}

void OutboundStream::failLater(Failure failure, const QString& reason) {
    QMetaObject::invokeMethod(
        this, [this, failure, reason] { deliver(false, failure, reason); }, Qt::QueuedConnection);
}

QString outboundFailureName(OutboundStream::Failure failure) {
    switch (failure) {
    case OutboundStream::Failure::Refused:
        return QStringLiteral("refused");
    case OutboundStream::Failure::Timeout:
        return QStringLiteral("timeout");
    case OutboundStream::Failure::NotConnected:
        return QStringLiteral("not-connected");
    case OutboundStream::Failure::SessionLost:
        return QStringLiteral("session-lost");
    case OutboundStream::Failure::Stopping:
        return QStringLiteral("stopping");
    }
    return QString();
}

} // namespace nexustray

#include "nexustray/moc_OutboundStream.cpp"
