// The stream table's actions: "Close stream" (Delete) and "Copy addresses" (Ctrl+C), in the
// table's context menu and as keyboard shortcuts of the table. Close asks for
// Client::closeStream through closeStreamRequested(); copy puts the client address, the
// hostname:port the user asked for and the local target on the clipboard, one stream per line.
#pragma once

#include <QList>
#include <QObject>
#include <QUuid>

#include "nexustray/Snapshots.h"

class QAction;
class QPoint;
class QTableView;

namespace nexustray::ui {

class StreamTableModel;

class StreamActions : public QObject {
    Q_OBJECT
public:
    // `view` shows `model` (directly or through proxies).
    StreamActions(QTableView* view, StreamTableModel* model, QObject* parent = nullptr);

    QAction* closeAction() const { return m_close; }
    QAction* copyAction() const { return m_copy; }

    // The streams of the selected rows (the current row when none is selected).
    QList<nexustray::StreamSnapshot> selectedStreams() const;
    // "127.0.0.1:51234 → web.example.com:443 → 127.0.0.1:8443"
    static QString addressLine(const nexustray::StreamSnapshot& stream);

    void retranslate();

Q_SIGNALS:
    void closeStreamRequested(const QString& sessionId, const QUuid& clientId);

private:
    void updateEnabled();
    void closeSelected();
    void copySelected();
    void showMenu(const QPoint& pos);

    QTableView* m_view;
    StreamTableModel* m_model;
    QAction* m_close;
    QAction* m_copy;
};

} // namespace nexustray::ui
