// What the table actions (StreamActions, SessionActions) share: the source-model rows a table
// view has selected (through any chain of proxies; the current row when none is selected), and
// one callback when the selection, the current row or the model's rows change.
#pragma once

#include <QList>

#include <functional>

class QAbstractItemModel;
class QObject;
class QTableView;

namespace nexustray::ui {

// Rows of `source` behind the view's selected rows (or current row), in view order.
QList<int> selectedSourceRows(const QTableView* view, const QAbstractItemModel* source);

// Calls `changed` (with `context` as the receiver) whenever what selectedSourceRows() or the
// rows' contents could answer changes.
void onSelectionOrRowsChanged(QTableView* view, QAbstractItemModel* source, QObject* context,
                              const std::function<void()>& changed);

} // namespace nexustray::ui
