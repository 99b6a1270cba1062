#include "TableSelection.h"

#include <QAbstractProxyModel>
#include <QItemSelectionModel>
#include <QTableView>

namespace nexustray::ui {

namespace {
QModelIndex toSource(QModelIndex index) {
    while (const auto* proxy = qobject_cast<const QAbstractProxyModel*>(index.model()))
        index = proxy->mapToSource(index);
    return index;
}
} // namespace

QList<int> selectedSourceRows(const QTableView* view, const QAbstractItemModel* source) {
    QModelIndexList rows = view->selectionModel()->selectedRows();
    if (rows.isEmpty() && view->currentIndex().isValid())
        rows << view->currentIndex();
    QList<int> out;
    for (const QModelIndex& index : std::as_const(rows)) {
        const QModelIndex s = toSource(index);
        if (s.isValid() && s.model() == source && !out.contains(s.row()))
            out << s.row();
    }
    return out;
}

void onSelectionOrRowsChanged(QTableView* view, QAbstractItemModel* source, QObject* context,
                              const std::function<void()>& changed) {
    QObject::connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, context,
                     changed);
    QObject::connect(view->selectionModel(), &QItemSelectionModel::currentChanged, context,
                     changed);
    QObject::connect(source, &QAbstractItemModel::rowsInserted, context, changed);
    QObject::connect(source, &QAbstractItemModel::rowsRemoved, context, changed);
    QObject::connect(source, &QAbstractItemModel::dataChanged, context, changed);
    QObject::connect(source, &QAbstractItemModel::modelReset, context, changed);
}

} // namespace nexustray::ui
