// One row per session (backend x relay address): state, time in state, last error, hostnames,
// weight, relay URL, reconnect countdown, streams and bytes. Fed with SessionSnapshots.
//
// post() is thread-safe and never blocks on anything but a short mutex: snapshots are queued and
// applied on the model's thread by a timer (at most 10 times a second), so the engine never waits
// for the UI. A 1 s ticker refreshes the time columns.
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>

#include "nexustray/Snapshots.h"

class QTimer;

namespace nexustray::ui {

class SessionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        BackendColumn,
        RelayColumn,
        StateColumn,
        SinceColumn,
        ReconnectColumn,
        ErrorColumn,
        HostnamesColumn,
        WeightColumn,
        StreamsColumn,
        BytesInColumn,
        BytesOutColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1; // raw value for sorting
    static constexpr int SessionIdRole = Qt::UserRole + 2;

    explicit SessionTableModel(QObject* parent = nullptr);
    ~SessionTableModel() override;

    // Thread-safe: queue a snapshot (the latest per session wins).
    void post(const nexustray::SessionSnapshot& snapshot);
    // Applies everything queued now (model thread only). Tests and first paint use it.
    void flush();
    // Replaces all rows (model thread only).
    void reset(const QList<nexustray::SessionSnapshot>& sessions);
    // Drops rows of sessions that no longer exist (e.g. a backend removed from the config).
    void retainBackends(const QStringList& backendNames);

    nexustray::SessionSnapshot snapshotAt(int row) const { return m_rows.at(row); }
    int rowOfSession(const QString& sessionId) const;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void apply(const nexustray::SessionSnapshot& snapshot);
    void tick();

    QList<nexustray::SessionSnapshot> m_rows;
    QHash<QString, int> m_rowById;
    QTimer* m_flushTimer;
    QTimer* m_tickTimer;

    mutable QMutex m_mutex;
    QList<nexustray::SessionSnapshot> m_pending; // guarded by m_mutex
    bool m_flushScheduled = false;               // guarded by m_mutex
};

} // namespace nexustray::ui
