#include "SessionTableModel.h"

#include <QBrush>
#include <QColor>
#include <QMetaObject>
#include <QTimer>

#include "ErrorAdvice.h"
#include "Format.h"
#include "tray/TrayState.h"

namespace nexustray::ui {

namespace {
constexpr int kFlushIntervalMs = 100;
constexpr int kTickIntervalMs = 1000;

QColor stateColor(SessionState state) {
    switch (state) {
    case SessionState::Connected:
        return QColor(0x1e, 0x8e, 0x3e);
    case SessionState::Connecting:
    case SessionState::Authenticating:
    case SessionState::Backoff:
        return QColor(0xb0, 0x6d, 0x00);
    case SessionState::Failed:
        return QColor(0xc5, 0x22, 0x1f);
    case SessionState::Disabled:
        break;
    }
    return QColor(0x70, 0x75, 0x7d);
}
} // namespace

SessionTableModel::SessionTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_flushTimer(new QTimer(this))
    , m_tickTimer(new QTimer(this)) {
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kFlushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &SessionTableModel::flush);
    m_tickTimer->setInterval(kTickIntervalMs);
    connect(m_tickTimer, &QTimer::timeout, this, &SessionTableModel::tick);
    m_tickTimer->start();
}

SessionTableModel::~SessionTableModel() = default;

void SessionTableModel::post(const SessionSnapshot& snapshot) {
    QMutexLocker lock(&m_mutex);
    m_pending.append(snapshot);
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    lock.unlock();
    // Starting the timer must happen on the model's thread.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!m_flushTimer->isActive())
                m_flushTimer->start();
        },
        Qt::QueuedConnection);
}

void SessionTableModel::flush() {
    QList<SessionSnapshot> pending;
    {
        QMutexLocker lock(&m_mutex);
        pending.swap(m_pending);
        m_flushScheduled = false;
    }
    for (const SessionSnapshot& s : std::as_const(pending))
        apply(s);
}

void SessionTableModel::reset(const QList<SessionSnapshot>& sessions) {
    {
        QMutexLocker lock(&m_mutex);
        m_pending.clear();
    }
    beginResetModel();
    m_rows.clear();
    m_rowById.clear();
    for (const SessionSnapshot& s : sessions) {
        m_rowById.insert(s.sessionId, int(m_rows.size()));
        m_rows.append(s);
    }
    endResetModel();
}

void SessionTableModel::retainBackends(const QStringList& backendNames) {
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (backendNames.contains(m_rows.at(row).backendName))
            continue;
        beginRemoveRows(QModelIndex(), row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    }
    m_rowById.clear();
    for (int row = 0; row < m_rows.size(); ++row)
        m_rowById.insert(m_rows.at(row).sessionId, row);
}

int SessionTableModel::rowOfSession(const QString& sessionId) const {
    return m_rowById.value(sessionId, -1);
}

void SessionTableModel::apply(const SessionSnapshot& snapshot) {
    const int row = m_rowById.value(snapshot.sessionId, -1);
    if (row >= 0) {
        m_rows[row] = snapshot;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int newRow = int(m_rows.size());
    beginInsertRows(QModelIndex(), newRow, newRow);
    m_rows.append(snapshot);
    m_rowById.insert(snapshot.sessionId, newRow);
    endInsertRows();
}

void SessionTableModel::tick() {
    if (m_rows.isEmpty())
        return;
    const int last = int(m_rows.size()) - 1;
    Q_EMIT dataChanged(index(0, SinceColumn), index(last, ReconnectColumn),
                       {Qt::DisplayRole, SortRole});
}

int SessionTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SessionTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionSnapshot& s = m_rows.at(index.row());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 since = s.stateSince.isValid() ? s.stateSince.secsTo(now) : -1;
    const qint64 reconnect = s.state == SessionState::Backoff && s.reconnectAt.isValid()
                                 ? qMax<qint64>(0, now.secsTo(s.reconnectAt))
                                 : -1;
    if (role == SessionIdRole)
        return s.sessionId;
    if (role == Qt::ForegroundRole && index.column() == StateColumn)
        return QBrush(stateColor(s.state));
    if (role == Qt::ToolTipRole) {
        if (index.column() == ErrorColumn && !s.lastError.isEmpty()) {
            // What to do about it, when the engine knows what the error is about.
            const QString advice = ErrorAdvice::forKind(s.errorKind, s.backendName);
            return advice.isEmpty() ? s.lastError : s.lastError + QLatin1Char('\n') + advice;
        }
        if (index.column() == HostnamesColumn)
            return s.hostnames.join(QLatin1Char('\n'));
        if (index.column() == RelayColumn)
            return s.relayUrl;
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case WeightColumn:
        case StreamsColumn:
        case BytesInColumn:
        case BytesOutColumn:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case BackendColumn:
            return s.backendName;
        case RelayColumn:
            return s.relayUrl;
        case StateColumn:
            return int(s.state);
        case SinceColumn:
            return since;
        case ReconnectColumn:
            return reconnect;
        case ErrorColumn:
            return s.lastError;
        case HostnamesColumn:
            return s.hostnames.join(QLatin1Char(' '));
        case WeightColumn:
            return s.weight;
        case StreamsColumn:
            return s.activeStreams;
        case BytesInColumn:
            return s.bytesIn;
        case BytesOutColumn:
            return s.bytesOut;
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case BackendColumn:
        return s.backendName;
    case RelayColumn:
        return s.relayUrl;
    case StateColumn:
        return sessionStateText(s.state);
    case SinceColumn:
        return since < 0 ? QString() : formatDuration(since);
    case ReconnectColumn:
        return reconnect < 0 ? QString() : formatDuration(reconnect);
    case ErrorColumn:
        return s.lastError;
    case HostnamesColumn:
        return s.hostnames.join(QStringLiteral(", "));
    case WeightColumn:
        return s.weight;
    case StreamsColumn:
        return s.activeStreams;
    case BytesInColumn:
        return formatBytes(s.bytesIn);
    case BytesOutColumn:
        return formatBytes(s.bytesOut);
    default:
        return {};
    }
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case BytesInColumn:
            return tr("Bytes received from the relay and written to local services");
        case BytesOutColumn:
            return tr("Bytes read from local services and sent to the relay");
        case ReconnectColumn:
            return tr("Time until the next connection attempt");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case BackendColumn:
        return tr("Backend");
    case RelayColumn:
        return tr("Relay");
    case StateColumn:
        return tr("State");
    case SinceColumn:
        return tr("In state for");
    case ReconnectColumn:
        return tr("Reconnect in");
    case ErrorColumn:
        return tr("Last error");
    case HostnamesColumn:
        return tr("Hostnames");
    case WeightColumn:
        return tr("Weight");
    case StreamsColumn:
        return tr("Streams");
    case BytesInColumn:
        return tr("Received");
    case BytesOutColumn:
        return tr("Sent");
    default:
        return {};
    }
}

} // namespace nexustray::ui
