// The config editor's form for one backend: its fields (name, hostnames, relay addresses, TLS,
// attestation, port mappings, health checks) and reading / writing a nexustray::BackendConfig.
// Which backend it shows, and the list of backends, belong to ConfigEditorDialog.
#pragma once

#include <QStringList>
#include <QWidget>

#include "nexustray/Config.h"

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace nexustray::ui {

class KeyringMove;

class BackendForm : public QWidget {
    Q_OBJECT
public:
    explicit BackendForm(QWidget* parent = nullptr);
    ~BackendForm() override;

    // Shows `backend` in the fields; edited() does not follow.
    void load(const BackendConfig& backend);
    // Writes the fields into `backend`, leaving what the form does not show as it is. Returns the
    // problems the form finds before YAML does (e.g. a port that is not a number); rows with such
    // a problem are left out.
    QStringList store(BackendConfig* backend) const;

    // Puts the cursor into the name field, its text selected (a new backend is named first).
    void focusName();

Q_SIGNALS:
    // The user changed a field.
    void edited();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void addPortMappingRow(int port, const QString& host, const QString& target);
    void updateAttestationFields();
    void onFieldEdited();
    void storeInKeyring();
    void onKeyringMoved(bool ok, const QString& message);

    bool m_loading = false;

    QLabel* m_note = nullptr;
    QGroupBox* m_general = nullptr;
    QGroupBox* m_attestation = nullptr;
    QGroupBox* m_mappings = nullptr;
    QGroupBox* m_health = nullptr;
    QGroupBox* m_ports = nullptr; // tcpPorts, udpRoutes, outbound, socks5ListenAddr
    QLineEdit* m_name = nullptr;
    QCheckBox* m_enabled = nullptr;
    QPlainTextEdit* m_hostnames = nullptr;
    QPlainTextEdit* m_addresses = nullptr;
    QSpinBox* m_weight = nullptr;
    QComboBox* m_attestationMode = nullptr;
    QLineEdit* m_secretFile = nullptr;
    QLineEdit* m_secret = nullptr;
    QPushButton* m_storeInKeyring = nullptr; // moves the HMAC secret into the system keyring
    QLabel* m_keyringStatus = nullptr;
    KeyringMove* m_keyringMove = nullptr;
    QLineEdit* m_command = nullptr;
    QLineEdit* m_args = nullptr;
    QSpinBox* m_timeout = nullptr;
    QSpinBox* m_cacheHandshake = nullptr;
    QSpinBox* m_tokenTtl = nullptr;
    QTableWidget* m_portMappings = nullptr;
    QPushButton* m_addMapping = nullptr;
    QPushButton* m_removeMapping = nullptr;
    QCheckBox* m_healthEnabled = nullptr;
    QSpinBox* m_inactivity = nullptr;
    QSpinBox* m_pong = nullptr;
    QLineEdit* m_caFile = nullptr;
    QLineEdit* m_tcpPorts = nullptr;
    QLineEdit* m_udpRoutes = nullptr;
    QCheckBox* m_outboundAllowed = nullptr;
    QLineEdit* m_outboundPorts = nullptr;
    QLineEdit* m_socks5Listen = nullptr;
    QPushButton* m_browseCa = nullptr;
    QList<QLabel*> m_labels; // retranslated by position
};

} // namespace nexustray::ui
