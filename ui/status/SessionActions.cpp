#include "SessionActions.h"

#include <QAction>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>

#include "SessionTableModel.h"
#include "TableSelection.h"

namespace nexustray::ui {

namespace {
bool waiting(SessionState state) {
    return state == SessionState::Failed || state == SessionState::Backoff;
}
} // namespace

SessionActions::SessionActions(QTableView* view, SessionTableModel* model, QWidget* buttonParent,
                               QObject* parent)
    : QObject(parent)
    , m_view(view)
    , m_model(model)
    , m_retry(new QAction(view))
    , m_check(new QAction(view))
    , m_reenroll(new QAction(view))
    , m_button(new QPushButton(buttonParent)) {
    m_retry->setObjectName(QStringLiteral("retryNowAction"));
    m_retry->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_retry->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_check->setObjectName(QStringLiteral("checkIdentityAction"));
    m_check->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    m_check->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_reenroll->setObjectName(QStringLiteral("reenrollAction"));
    for (QAction* a : {m_retry, m_check, m_reenroll})
        view->addAction(a);
    connect(m_retry, &QAction::triggered, this, &SessionActions::retrySelected);
    connect(m_check, &QAction::triggered, this, &SessionActions::checkSelected);
    connect(m_reenroll, &QAction::triggered, this, &SessionActions::reenrollSelected);

    m_button->setObjectName(QStringLiteral("retryNowButton"));
    m_button->hide();
    connect(m_button, &QPushButton::clicked, this, &SessionActions::retryFromButton);

    m_confirm = [this](const QString& backendName) {
        return QMessageBox::question(
                   m_view->window(), tr("Re-enroll"),
                   tr("Re-enroll the TPM of “%1” with namek? Its sessions restart; a device that "
                      "namek suspended or revoked stays refused until its administrator lets it "
                      "back.")
                       .arg(backendName)) == QMessageBox::Yes;
    };

    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, &SessionActions::showMenu);
    onSelectionOrRowsChanged(view, model, this, [this] { updateEnabled(); });
    retranslate();
    updateEnabled();
}

void SessionActions::retranslate() {
    m_retry->setText(tr("Retry now"));
    m_retry->setToolTip(tr("Connect the selected backend again now, without waiting"));
    m_check->setText(tr("Check identity"));
    m_check->setToolTip(tr("Ask namek how it sees this machine's TPM identity"));
    m_reenroll->setText(tr("Re-enroll…"));
    m_reenroll->setToolTip(tr("Enroll this machine's TPM with namek again"));
    m_button->setText(tr("Retry now"));
    m_button->setAccessibleName(tr("Retry now"));
    m_button->setToolTip(tr("Connect the backends that gave up or wait again now"));
}

void SessionActions::setTpmBackends(const QStringList& backendNames) {
    m_tpmBackends = QSet<QString>(backendNames.cbegin(), backendNames.cend());
    updateEnabled();
}

void SessionActions::setConfirmReenroll(std::function<bool(const QString&)> confirm) {
    m_confirm = std::move(confirm);
}

QStringList SessionActions::selectedBackends() const {
    QStringList out;
    for (int row : selectedSourceRows(m_view, m_model)) {
        const QString name = m_model->snapshotAt(row).backendName;
        if (!out.contains(name))
            out << name;
    }
    return out;
}

QStringList SessionActions::waitingBackends() const {
    QStringList out;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const SessionSnapshot s = m_model->snapshotAt(row);
        if (waiting(s.state) && !out.contains(s.backendName))
            out << s.backendName;
    }
    return out;
}

QStringList SessionActions::waitingOf(const QStringList& backends) const {
    const QStringList all = waitingBackends();
    QStringList out;
    for (const QString& b : backends) {
        if (all.contains(b))
            out << b;
    }
    return out;
}

QStringList SessionActions::tpmOf(const QStringList& backends) const {
    QStringList out;
    for (const QString& b : backends) {
        if (m_tpmBackends.contains(b))
            out << b;
    }
    return out;
}

void SessionActions::updateEnabled() {
    const QStringList selected = selectedBackends();
    m_retry->setEnabled(!waitingOf(selected).isEmpty());
    const bool tpm = !tpmOf(selected).isEmpty();
    m_check->setEnabled(tpm);
    m_reenroll->setEnabled(tpm);
    m_button->setVisible(!waitingBackends().isEmpty());
}

void SessionActions::retrySelected() {
    for (const QString& backend : waitingOf(selectedBackends()))
        Q_EMIT retryRequested(backend);
}

void SessionActions::retryFromButton() {
    // The selected rows' backends if any of them waits, else every waiting backend.
    QStringList backends = waitingOf(selectedBackends());
    if (backends.isEmpty())
        backends = waitingBackends();
    for (const QString& backend : std::as_const(backends))
        Q_EMIT retryRequested(backend);
}

void SessionActions::checkSelected() {
    for (const QString& backend : tpmOf(selectedBackends()))
        Q_EMIT checkIdentityRequested(backend);
}

void SessionActions::reenrollSelected() {
    for (const QString& backend : tpmOf(selectedBackends())) {
        if (confirmReenroll(backend))
            Q_EMIT reenrollRequested(backend);
    }
}

void SessionActions::showMenu(const QPoint& pos) {
    updateEnabled();
    if (selectedBackends().isEmpty())
        return;
    QMenu menu(m_view);
    menu.setObjectName(QStringLiteral("sessionContextMenu"));
    menu.addAction(m_retry);
    if (!tpmOf(selectedBackends()).isEmpty()) {
        menu.addSeparator();
        menu.addAction(m_check);
        menu.addAction(m_reenroll);
    }
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace nexustray::ui
