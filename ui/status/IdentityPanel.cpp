#include "IdentityPanel.h"

#include <QLocale>

namespace nexustray::ui {

IdentityPanel::IdentityPanel(QWidget* parent)
    : QLabel(parent) {
    setObjectName(QStringLiteral("identityPanel"));
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setFocusPolicy(Qt::TabFocus); // keyboard users can reach and read it
    hide();
}

QString IdentityPanel::summary(const BackendIdentity& identity) {
    QStringList details;
    if (!identity.identityClass.isEmpty())
        details << tr("identity class %1").arg(identity.identityClass);
    if (!identity.status.isEmpty())
        details << identity.status;
    if (identity.checking)
        details << tr("checking…");
    else if (identity.checkedAt.isValid())
        details << tr("checked %1")
                       .arg(QLocale().toString(identity.checkedAt.toLocalTime().time(),
                                               QLocale::ShortFormat));
    const QString host = identity.hostname.isEmpty() ? tr("not enrolled yet") : identity.hostname;
    QString text = details.isEmpty() ? host : tr("%1 (%2)").arg(host, details.join(tr(", ")));
    if (!identity.error.isEmpty())
        text = tr("%1 — %2").arg(text, identity.error);
    return text;
}

void IdentityPanel::setIdentity(const BackendIdentity& identity) {
    m_identities.insert(identity.backendName, identity);
    refresh();
}

void IdentityPanel::retainBackends(const QStringList& backendNames) {
    for (auto it = m_identities.begin(); it != m_identities.end();) {
        if (backendNames.contains(it.key()))
            ++it;
        else
            it = m_identities.erase(it);
    }
    refresh();
}

void IdentityPanel::refresh() {
    QStringList lines;
    for (const BackendIdentity& identity : std::as_const(m_identities))
        lines << tr("TPM identity of “%1”: %2").arg(identity.backendName, summary(identity));
    setText(lines.join(QLatin1Char('\n')));
    setAccessibleName(tr("TPM identities"));
    setVisible(!lines.isEmpty());
}

} // namespace nexustray::ui
