#include "LogModel.h"

#include <QBrush>
#include <QColor>
#include <QTimer>

namespace nexustray::ui {

namespace {
constexpr int kDrainIntervalMs = 200;
}

LogModel::LogModel(bool drainCapture, QObject* parent)
    : QAbstractTableModel(parent) {
    if (drainCapture) {
        m_timer = new QTimer(this);
        m_timer->setInterval(kDrainIntervalMs);
        connect(m_timer, &QTimer::timeout, this, &LogModel::drain);
        m_timer->start();
    }
}

LogModel::~LogModel() = default;

void LogModel::drain() {
    append(LogCapture::take());
}

void LogModel::append(const QList<LogEntry>& entries) {
    if (entries.isEmpty())
        return;
    QList<LogEntry> incoming = entries;
    if (incoming.size() > kMaxRows)
        incoming = incoming.mid(incoming.size() - kMaxRows);
    const qsizetype overflow = m_rows.size() + incoming.size() - kMaxRows;
    if (overflow > 0) {
        beginRemoveRows(QModelIndex(), 0, int(overflow) - 1);
        m_rows.remove(0, overflow);
        endRemoveRows();
    }
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + int(incoming.size()) - 1);
    m_rows.append(incoming);
    endInsertRows();
}

void LogModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int LogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LogEntry& e = m_rows.at(index.row());
    if (role == SeverityRole)
        return logSeverity(e.type);
    if (role == Qt::ForegroundRole && logSeverity(e.type) >= logSeverity(QtWarningMsg))
        return QBrush(e.type == QtWarningMsg ? QColor(0xb0, 0x6d, 0x00) : QColor(0xc5, 0x22, 0x1f));
    if (role == Qt::ToolTipRole && index.column() == MessageColumn)
        return e.message;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return e.time.toString(QStringLiteral("HH:mm:ss.zzz"));
    case LevelColumn:
        return logLevelName(e.type);
    case CategoryColumn:
        return e.category == QLatin1String("default") ? QString() : e.category;
    case MessageColumn:
        return e.message;
    default:
        return {};
    }
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case LevelColumn:
        return tr("Level");
    case CategoryColumn:
        return tr("Category");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace nexustray::ui
