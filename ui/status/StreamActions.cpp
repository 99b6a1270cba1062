#include "StreamActions.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QMenu>
#include <QTableView>

#include "StreamTableModel.h"
#include "TableSelection.h"

namespace nexustray::ui {

StreamActions::StreamActions(QTableView* view, StreamTableModel* model, QObject* parent)
    : QObject(parent)
    , m_view(view)
    , m_model(model)
    , m_close(new QAction(view))
    , m_copy(new QAction(view)) {
    m_close->setObjectName(QStringLiteral("closeStreamAction"));
    m_close->setShortcut(QKeySequence::Delete);
    m_close->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copy->setObjectName(QStringLiteral("copyAddressesAction"));
    m_copy->setShortcut(QKeySequence::Copy);
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    view->addAction(m_close);
    view->addAction(m_copy);
    connect(m_close, &QAction::triggered, this, &StreamActions::closeSelected);
    connect(m_copy, &QAction::triggered, this, &StreamActions::copySelected);

    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, &StreamActions::showMenu);
    onSelectionOrRowsChanged(view, model, this, [this] { updateEnabled(); });
    retranslate();
    updateEnabled();
}

void StreamActions::retranslate() {
    m_close->setText(tr("Close stream"));
    m_close->setToolTip(tr("Disconnect the selected streams at the relay and close their local "
                           "connections"));
    m_copy->setText(tr("Copy addresses"));
    m_copy->setToolTip(
        tr("Copy the client address, the requested hostname:port and the local target"));
}

QList<StreamSnapshot> StreamActions::selectedStreams() const {
    QList<StreamSnapshot> out;
    for (int row : selectedSourceRows(m_view, m_model))
        out << m_model->snapshotAt(row);
    return out;
}

QString StreamActions::addressLine(const StreamSnapshot& stream) {
    return QStringLiteral("%1 → %2:%3 → %4")
        .arg(stream.clientIp, stream.hostname)
        .arg(stream.port)
        .arg(stream.target);
}

void StreamActions::updateEnabled() {
    const QList<StreamSnapshot> streams = selectedStreams();
    const bool anyOpen = std::any_of(streams.cbegin(), streams.cend(), [](const StreamSnapshot& s) {
        return s.state == StreamState::Dialing || s.state == StreamState::Open;
    });
    m_close->setEnabled(anyOpen);
    m_copy->setEnabled(!streams.isEmpty());
}

void StreamActions::closeSelected() {
    for (const StreamSnapshot& s : selectedStreams()) {
        if (s.state == StreamState::Dialing || s.state == StreamState::Open)
            Q_EMIT closeStreamRequested(s.sessionId, s.clientId);
    }
}

void StreamActions::copySelected() {
    QStringList lines;
    for (const StreamSnapshot& s : selectedStreams())
        lines << addressLine(s);
    if (!lines.isEmpty())
        QGuiApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
}

void StreamActions::showMenu(const QPoint& pos) {
    updateEnabled();
    if (selectedStreams().isEmpty())
        return;
    QMenu menu(m_view);
    menu.setObjectName(QStringLiteral("streamContextMenu"));
    menu.addAction(m_close);
    menu.addAction(m_copy);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace nexustray::ui
