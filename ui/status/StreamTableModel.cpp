#include "StreamTableModel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QMetaObject>
#include <QTimer>

#include "Format.h"

namespace nexustray::ui {

namespace {
constexpr int kTickIntervalMs = 1000;
constexpr qint64 kMinRateWindowMs = 200; // shorter spans keep the previous rate
constexpr qint64 kRateWindowMs = 2000;   // the rate is averaged over about this long

QString streamStateText(StreamState state) {
    switch (state) {
    case StreamState::Dialing:
        return QCoreApplication::translate("nexustray::ui::StreamTableModel", "dialing");
    case StreamState::Open:
        return QCoreApplication::translate("nexustray::ui::StreamTableModel", "open");
    case StreamState::Closing:
        return QCoreApplication::translate("nexustray::ui::StreamTableModel", "closing");
    case StreamState::Closed:
        return QCoreApplication::translate("nexustray::ui::StreamTableModel", "closed");
    }
    return {};
}

QString streamKindText(StreamKind kind) {
    switch (kind) {
    case StreamKind::Tcp:
        return QCoreApplication::translate("nexustray::ui::StreamTableModel", "TCP");
    case StreamKind::Udp:
        return QCoreApplication::translate("nexustray::ui::StreamTableModel", "UDP");
    case StreamKind::Outbound:
        return QCoreApplication::translate("nexustray::ui::StreamTableModel", "outbound");
    }
    return {};
}
} // namespace

StreamTableModel::StreamTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_flushTimer(new QTimer(this))
    , m_tickTimer(new QTimer(this)) {
    m_clock.start();
    m_now = [this] { return m_clock.elapsed(); };
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(1000 / kFlushHz);
    connect(m_flushTimer, &QTimer::timeout, this, &StreamTableModel::flush);
    m_tickTimer->setInterval(kTickIntervalMs);
    connect(m_tickTimer, &QTimer::timeout, this, &StreamTableModel::tick);
    m_tickTimer->start();
}

StreamTableModel::~StreamTableModel() = default;

void StreamTableModel::post(const StreamSnapshot& snapshot) {
    enqueue(snapshot, snapshot.state == StreamState::Closed);
}

void StreamTableModel::postClosed(const StreamSnapshot& snapshot) {
    enqueue(snapshot, true);
}

void StreamTableModel::enqueue(const StreamSnapshot& snapshot, bool closed) {
    QMutexLocker lock(&m_mutex);
    auto it = m_pending.find(snapshot.clientId);
    if (it == m_pending.end()) {
        m_pending.insert(snapshot.clientId, Pending{snapshot, m_now(), closed});
        m_pendingOrder.append(snapshot.clientId);
    } else if (!it->closed) { // a close is final: later updates of the same stream are stale
        *it = Pending{snapshot, m_now(), closed};
    }
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    lock.unlock();
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!m_flushTimer->isActive())
                m_flushTimer->start();
        },
        Qt::QueuedConnection);
}

void StreamTableModel::flush() {
    QHash<QUuid, Pending> pending;
    QList<QUuid> order;
    {
        QMutexLocker lock(&m_mutex);
        pending.swap(m_pending);
        order.swap(m_pendingOrder);
        m_flushScheduled = false;
    }
    if (order.isEmpty())
        return;
    ++m_flushCount;
    for (const QUuid& id : std::as_const(order))
        apply(pending.value(id));
}

void StreamTableModel::apply(const Pending& pending) {
    const StreamSnapshot& s = pending.snapshot;
    const quint64 total = s.bytesIn + s.bytesOut;
    const int row = m_rowById.value(s.clientId, -1);
    if (row < 0) {
        if (pending.closed && s.bytesIn == 0 && s.bytesOut == 0 && !s.openedAt.isValid())
            return; // never seen and nothing to show
        Row r;
        r.snapshot = s;
        r.samples.append({pending.atMs, total});
        r.lastChangeMs = pending.atMs;
        if (pending.closed) {
            r.closedAtMs = pending.atMs;
            r.snapshot.state = StreamState::Closed;
        }
        const int newRow = int(m_rows.size());
        beginInsertRows(QModelIndex(), newRow, newRow);
        m_rows.append(r);
        m_rowById.insert(s.clientId, newRow);
        endInsertRows();
        return;
    }
    Row& r = m_rows[row];
    if (r.closedAtMs >= 0)
        return; // already closed: keep the final numbers
    const quint64 previousTotal = r.snapshot.bytesIn + r.snapshot.bytesOut;
    r.snapshot = s;
    if (total != previousTotal)
        r.lastChangeMs = pending.atMs;
    addSample(r, pending.atMs, total);
    if (pending.closed) {
        r.closedAtMs = pending.atMs;
        r.snapshot.state = StreamState::Closed;
        r.rate = 0;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void StreamTableModel::addSample(Row& r, qint64 atMs, quint64 total) {
    if (!r.samples.isEmpty() && total < r.samples.constLast().second)
        r.samples.clear(); // counters never go back; start over defensively
    r.samples.append({atMs, total});
    // Keep one sample at or before the window's start as the baseline.
    while (r.samples.size() > 2 && r.samples.at(1).first <= atMs - kRateWindowMs)
        r.samples.removeFirst();
    const qint64 span = atMs - r.samples.constFirst().first;
    if (span >= kMinRateWindowMs)
        r.rate = double(total - r.samples.constFirst().second) * 1000.0 / double(span);
}

void StreamTableModel::tick() {
    const qint64 now = m_now();
    // Quiet streams: a sample without new bytes lets their rate fall towards zero.
    for (int row = 0; row < m_rows.size(); ++row) {
        Row& r = m_rows[row];
        if (r.closedAtMs < 0 && now - r.lastChangeMs >= kRateWindowMs + 1000)
            addSample(r, now, r.snapshot.bytesIn + r.snapshot.bytesOut);
    }
    // Closed rows go away after a while.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const Row& r = m_rows.at(row);
        if (r.closedAtMs >= 0 && now - r.closedAtMs >= kClosedLingerMs) {
            beginRemoveRows(QModelIndex(), row, row);
            m_rowById.remove(r.snapshot.clientId);
            m_rows.removeAt(row);
            endRemoveRows();
            reindex(row);
        }
    }
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, RateColumn), index(int(m_rows.size()) - 1, AgeColumn),
                           {Qt::DisplayRole, SortRole});
}

void StreamTableModel::removeClosedRows() {
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (m_rows.at(row).closedAtMs < 0)
            continue;
        beginRemoveRows(QModelIndex(), row, row);
        m_rowById.remove(m_rows.at(row).snapshot.clientId);
        m_rows.removeAt(row);
        endRemoveRows();
        reindex(row);
    }
}

void StreamTableModel::reindex(int fromRow) {
    for (int row = fromRow; row < m_rows.size(); ++row)
        m_rowById.insert(m_rows.at(row).snapshot.clientId, row);
}

int StreamTableModel::rowOfStream(const QUuid& clientId) const {
    return m_rowById.value(clientId, -1);
}

int StreamTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int StreamTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StreamTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows.at(index.row());
    const StreamSnapshot& s = r.snapshot;
    const qint64 age = s.openedAt.isValid()
                           ? qMax<qint64>(0, s.openedAt.secsTo(QDateTime::currentDateTimeUtc()))
                           : 0;
    if (role == Qt::ToolTipRole) {
        if (index.column() == ClientIdColumn)
            return s.clientId.toString(QUuid::WithoutBraces);
        if (index.column() == StateColumn && !s.closeReason.isEmpty())
            return s.closeReason;
        if (index.column() == DatagramsColumn && s.kind == StreamKind::Udp)
            return tr("%1 datagrams from the user, %2 to the user, %3 dropped")
                .arg(s.datagramsIn)
                .arg(s.datagramsOut)
                .arg(s.datagramsDropped);
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case PortColumn:
        case BytesInColumn:
        case BytesOutColumn:
        case DatagramsColumn:
        case RateColumn:
        case AgeColumn:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case PortColumn:
            return s.port;
        case TlsColumn:
            return s.isTls;
        case BytesInColumn:
            return s.bytesIn;
        case BytesOutColumn:
            return s.bytesOut;
        case DatagramsColumn:
            return s.datagramsIn + s.datagramsOut;
        case KindColumn:
            return int(s.kind);
        case RateColumn:
            return r.rate;
        case AgeColumn:
            return age;
        case StateColumn:
            return int(s.state);
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ClientIdColumn:
        return s.clientId.toString(QUuid::WithoutBraces).left(8);
    case KindColumn:
        return streamKindText(s.kind);
    case ClientIpColumn:
        return s.clientIp;
    case HostnameColumn:
        return s.hostname;
    case PortColumn:
        return s.port;
    case TargetColumn:
        return s.target;
    case TlsColumn:
        return s.isTls ? tr("yes") : tr("no");
    case BytesInColumn:
        return formatBytes(s.bytesIn);
    case BytesOutColumn:
        return formatBytes(s.bytesOut);
    case DatagramsColumn:
        if (s.kind != StreamKind::Udp)
            return {};
        return s.datagramsDropped == 0 ? tr("%1 / %2").arg(s.datagramsIn).arg(s.datagramsOut)
                                       : tr("%1 / %2 (%3 dropped)")
                                             .arg(s.datagramsIn)
                                             .arg(s.datagramsOut)
                                             .arg(s.datagramsDropped);
    case RateColumn:
        return formatRate(r.rate);
    case AgeColumn:
        return formatDuration(age);
    case StateColumn:
        return s.closeReason.isEmpty() || s.state != StreamState::Closed
                   ? streamStateText(s.state)
                   : tr("closed (%1)").arg(s.closeReason);
    case SessionColumn:
        return s.sessionId;
    default:
        return {};
    }
}

QVariant StreamTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case BytesInColumn:
            return tr("Bytes from the remote user, written to the local service");
        case BytesOutColumn:
            return tr("Bytes from the local service, sent to the remote user");
        case RateColumn:
            return tr("Current transfer rate, both directions");
        case TlsColumn:
            return tr("The user's connection began with TLS");
        case KindColumn:
            return tr("TCP: a user's connection to a relay port; UDP: one user's datagram flow; "
                      "outbound: a connection this computer opened through the relay");
        case DatagramsColumn:
            return tr("UDP flows: datagrams from the user / to the user (dropped)");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ClientIdColumn:
        return tr("Client ID");
    case KindColumn:
        return tr("Kind");
    case ClientIpColumn:
        return tr("Client IP");
    case HostnameColumn:
        return tr("Hostname");
    case PortColumn:
        return tr("Port");
    case TargetColumn:
        return tr("Local target");
    case TlsColumn:
        return tr("TLS");
    case BytesInColumn:
        return tr("In");
    case BytesOutColumn:
        return tr("Out");
    case DatagramsColumn:
        return tr("Datagrams");
    case RateColumn:
        return tr("Rate");
    case AgeColumn:
        return tr("Age");
    case StateColumn:
        return tr("State");
    case SessionColumn:
        return tr("Session");
    default:
        return {};
    }
}

} // namespace nexustray::ui
