// The log pane's model: time, level, category, message. Drains LogCapture on a timer (5 Hz) on
// its own thread and keeps the newest kMaxRows entries.
#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "LogCapture.h"

class QTimer;

namespace nexustray::ui {

class LogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, LevelColumn, CategoryColumn, MessageColumn, ColumnCount };
    static constexpr int SeverityRole = Qt::UserRole + 1;
    static constexpr int kMaxRows = 5000;

    // drainCapture: pull from LogCapture periodically (the app); tests may add entries directly.
    explicit LogModel(bool drainCapture = true, QObject* parent = nullptr);
    ~LogModel() override;

    void append(const QList<LogEntry>& entries);
    void drain(); // takes what LogCapture queued
    void clear();
    LogEntry entryAt(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<LogEntry> m_rows;
    QTimer* m_timer = nullptr;
};

} // namespace nexustray::ui
