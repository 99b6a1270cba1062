// The live streams table: one row per stream (client id, kind — TCP, UDP flow or outbound —,
// client IP, hostname, port, local target, TLS, bytes in/out, datagrams of UDP flows, rate, age,
// state, session). Fed with StreamSnapshots.
//
// post()/postClosed() are thread-safe and cheap (a short mutex, the latest snapshot per stream
// wins); the model applies the queue on its own thread at most kFlushHz times a second, so a busy
// engine never stalls the UI and a busy UI never stalls the engine. The rate of a stream is
// computed from successive snapshots: bytes delta / time delta over a sliding window of about two
// seconds (times measured when the snapshots were posted), so bursty transfers read steadily.
// Closed streams stay visible for kClosedLingerMs, then their rows go away.
#pragma once

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QUuid>

#include <functional>

#include "nexustray/Snapshots.h"

class QTimer;

namespace nexustray::ui {

class StreamTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ClientIdColumn,
        KindColumn,
        ClientIpColumn,
        HostnameColumn,
        PortColumn,
        TargetColumn,
        TlsColumn,
        BytesInColumn,
        BytesOutColumn,
        DatagramsColumn,
        RateColumn,
        AgeColumn,
        StateColumn,
        SessionColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int kFlushHz = 4;
    static constexpr int kClosedLingerMs = 5000;

    explicit StreamTableModel(QObject* parent = nullptr);
    ~StreamTableModel() override;

    // Thread-safe.
    void post(const nexustray::StreamSnapshot& snapshot);
    void postClosed(const nexustray::StreamSnapshot& snapshot);

    // Model thread only: apply the queue now / drop lingering closed rows now.
    void flush();
    void removeClosedRows();
    // Bytes per second (in + out) of a row, as shown in the Rate column.
    double rateAt(int row) const { return m_rows.at(row).rate; }
    nexustray::StreamSnapshot snapshotAt(int row) const { return m_rows.at(row).snapshot; }
    int rowOfStream(const QUuid& clientId) const;
    // How many times the model applied queued updates (for tests: proves coalescing).
    int flushCount() const { return m_flushCount; }
    // Tests: the time base of rates and lingering, in ms (default: a monotonic clock). Set it
    // before anything is posted.
    void setClock(std::function<qint64()> clock) { m_now = std::move(clock); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Pending {
        nexustray::StreamSnapshot snapshot;
        qint64 atMs = 0;
        bool closed = false;
    };
    struct Row {
        nexustray::StreamSnapshot snapshot;
        QList<QPair<qint64, quint64>> samples; // (time, bytesIn + bytesOut), oldest first
        qint64 lastChangeMs = 0;
        qint64 closedAtMs = -1;
        double rate = 0;
    };

    void enqueue(const nexustray::StreamSnapshot& snapshot, bool closed);
    void apply(const Pending& pending);
    void tick();
    void reindex(int fromRow);
    static void addSample(Row& row, qint64 atMs, quint64 total);

    QList<Row> m_rows;
    QHash<QUuid, int> m_rowById;
    QTimer* m_flushTimer;
    QTimer* m_tickTimer;
    int m_flushCount = 0;

    QElapsedTimer m_clock; // started in the constructor, read under m_mutex or on the model thread
    std::function<qint64()> m_now; // reads m_clock unless a test set another clock
    mutable QMutex m_mutex;
    QHash<QUuid, Pending> m_pending; // guarded by m_mutex
    QList<QUuid> m_pendingOrder;     // guarded by m_mutex: first-seen order of m_pending
    bool m_flushScheduled = false;   // guarded by m_mutex
};

} // namespace nexustray::ui
