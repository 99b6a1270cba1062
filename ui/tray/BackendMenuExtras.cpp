#include "BackendMenuExtras.h"

#include <QAction>
#include <QMenu>

#include "status/IdentityPanel.h"

namespace nexustray::ui {

namespace {
// The entries of a backend are indented under its toggle (menus have no nesting but submenus).
const QString kIndent = QStringLiteral("    ");
} // namespace

BackendMenuExtras::BackendMenuExtras(QMenu* menu, QObject* parent)
    : QObject(parent)
    , m_menu(menu) {}

BackendMenuExtras::~BackendMenuExtras() = default;

void BackendMenuExtras::clear() {
    for (const Entries& e : std::as_const(m_entries)) {
        for (QAction* a : {e.retry, e.identity, e.check, e.reenroll}) {
            if (a) {
                m_menu->removeAction(a);
                delete a;
            }
        }
    }
    m_entries.clear();
}

void BackendMenuExtras::rebuild(const Config& config, const QHash<QString, QAction*>& toggles) {
    clear();
    for (const BackendConfig& backend : config.backends) {
        QAction* toggle = toggles.value(backend.name);
        if (!toggle)
            continue;
        // Insert before whatever follows the toggle, so the group stays under it.
        const QList<QAction*> actions = m_menu->actions();
        const qsizetype at = actions.indexOf(toggle);
        QAction* before = at >= 0 && at + 1 < actions.size() ? actions.at(at + 1) : nullptr;
        const QString name = backend.name;
        auto make = [&](const QString& objectName) {
            auto* action = new QAction(this);
            action->setObjectName(objectName + QLatin1Char(':') + name);
            action->setData(name);
            action->setVisible(false);
            m_menu->insertAction(before, action);
            return action;
        };
        Entries e;
        e.retry = make(QStringLiteral("retryNow"));
        e.retry->setText(kIndent + tr("Retry “%1” now").arg(name));
        connect(e.retry, &QAction::triggered, this, [this, name] { Q_EMIT retryRequested(name); });
        if (backend.attestation.usesTpm()) {
            e.identity = make(QStringLiteral("identity"));
            e.identity->setEnabled(false);
            e.identity->setVisible(true);
            e.check = make(QStringLiteral("checkIdentity"));
            e.check->setText(kIndent + tr("Check identity of “%1”").arg(name));
            e.check->setVisible(true);
            connect(e.check, &QAction::triggered, this,
                    [this, name] { Q_EMIT checkIdentityRequested(name); });
            e.reenroll = make(QStringLiteral("reenroll"));
            e.reenroll->setText(kIndent + tr("Re-enroll “%1”…").arg(name));
            e.reenroll->setVisible(true);
            connect(e.reenroll, &QAction::triggered, this,
                    [this, name] { Q_EMIT reenrollRequested(name); });
        }
        m_entries.insert(name, e);
        showIdentity(name);
    }
}

void BackendMenuExtras::update(const Config& config, const QList<SessionSnapshot>& sessions) {
    for (const BackendConfig& backend : config.backends) {
        const Entries e = m_entries.value(backend.name);
        if (!e.retry)
            continue;
        bool waiting = false;
        for (const SessionSnapshot& s : sessions) {
            waiting |= s.backendName == backend.name &&
                       (s.state == SessionState::Failed || s.state == SessionState::Backoff);
        }
        e.retry->setVisible(backend.enabled && waiting);
    }
}

void BackendMenuExtras::setIdentity(const BackendIdentity& identity) {
    m_identities.insert(identity.backendName, identity);
    showIdentity(identity.backendName);
}

void BackendMenuExtras::showIdentity(const QString& backendName) {
    const Entries e = m_entries.value(backendName);
    if (!e.identity)
        return;
    const auto it = m_identities.constFind(backendName);
    BackendIdentity identity;
    identity.backendName = backendName;
    if (it != m_identities.constEnd())
        identity = *it;
    e.identity->setText(kIndent + tr("TPM: %1").arg(IdentityPanel::summary(identity)));
    e.check->setEnabled(!identity.checking);
    e.reenroll->setEnabled(!identity.checking);
}

QAction* BackendMenuExtras::retryAction(const QString& backendName) const {
    return m_entries.value(backendName).retry;
}

QAction* BackendMenuExtras::identityAction(const QString& backendName) const {
    return m_entries.value(backendName).identity;
}

QAction* BackendMenuExtras::checkIdentityAction(const QString& backendName) const {
    return m_entries.value(backendName).check;
}

QAction* BackendMenuExtras::reenrollAction(const QString& backendName) const {
    return m_entries.value(backendName).reenroll;
}

} // namespace nexustray::ui
