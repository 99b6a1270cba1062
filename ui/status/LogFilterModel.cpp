#include "LogFilterModel.h"

#include "LogCapture.h"
#include "LogModel.h"

namespace nexustray::ui {

LogFilterModel::LogFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void LogFilterModel::setMinimumLevel(QtMsgType type) {
    if (m_minimum == type)
        return;
    m_minimum = type;
    invalidateFilter();
}

void LogFilterModel::setTextFilter(const QString& text) {
    if (m_text == text)
        return;
    m_text = text;
    invalidateFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (index.data(LogModel::SeverityRole).toInt() < logSeverity(m_minimum))
        return false;
    const QString& text = m_text;
    if (text.isEmpty())
        return true;
    const QString category =
        sourceModel()->index(sourceRow, LogModel::CategoryColumn, sourceParent).data().toString();
    const QString message =
        sourceModel()->index(sourceRow, LogModel::MessageColumn, sourceParent).data().toString();
    return category.contains(text, Qt::CaseInsensitive) ||
           message.contains(text, Qt::CaseInsensitive);
}

} // namespace nexustray::ui
