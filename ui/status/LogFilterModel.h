// Filters the log pane: a minimum level and a free-text filter on category and message.
#pragma once

#include <QSortFilterProxyModel>

namespace nexustray::ui {

class LogFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LogFilterModel(QObject* parent = nullptr);

    void setMinimumLevel(QtMsgType type);
    QtMsgType minimumLevel() const { return m_minimum; }
    // Case-insensitive substring of the category or the message; empty = everything.
    void setTextFilter(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QtMsgType m_minimum = QtInfoMsg;
    QString m_text;
};

} // namespace nexustray::ui
