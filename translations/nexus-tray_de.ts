<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>PortListText</name>
    <message>
        <source>%1: &quot;%2&quot; is not a port number (1-65535).</source>
        <translation>%1: „%2“ ist keine Portnummer (1–65535).</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a UDP route (port, or port:idle seconds).</source>
        <translation>%1: „%2“ ist keine UDP-Route (Port oder Port:Leerlaufsekunden).</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::BackendForm</name>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Enabled:</source>
        <translation>Aktiv:</translation>
    </message>
    <message>
        <source>Hostnames (one per line):</source>
        <translation>Hostnamen (einer pro Zeile):</translation>
    </message>
    <message>
        <source>Relay addresses (one per line):</source>
        <translation>Relay-Adressen (eine pro Zeile):</translation>
    </message>
    <message>
        <source>Weight:</source>
        <translation>Gewichtung:</translation>
    </message>
    <message>
        <source>TLS CA file:</source>
        <translation>TLS-CA-Datei:</translation>
    </message>
    <message>
        <source>Attestation:</source>
        <translation>Attestierung:</translation>
    </message>
    <message>
        <source>Secret file:</source>
        <translation>Geheimnis-Datei:</translation>
    </message>
    <message>
        <source>Secret:</source>
        <translation>Geheimnis:</translation>
    </message>
    <message>
        <source>Command:</source>
        <translation>Befehl:</translation>
    </message>
    <message>
        <source>Arguments:</source>
        <translation>Argumente:</translation>
    </message>
    <message>
        <source>Command timeout (s):</source>
        <translation>Zeitlimit des Befehls (s):</translation>
    </message>
    <message>
        <source>Cache handshake tokens (s):</source>
        <translation>Handshake-Token zwischenspeichern (s):</translation>
    </message>
    <message>
        <source>Token lifetime (s):</source>
        <translation>Token-Lebensdauer (s):</translation>
    </message>
    <message>
        <source>Health checks:</source>
        <translation>Verbindungsprüfung:</translation>
    </message>
    <message>
        <source>Ping after silence (s):</source>
        <translation>Ping nach Stille (s):</translation>
    </message>
    <message>
        <source>Pong timeout (s):</source>
        <translation>Pong-Zeitlimit (s):</translation>
    </message>
    <message>
        <source>TLS CA file</source>
        <translation>TLS-CA-Datei</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt);;All files (*)</source>
        <translation>PEM-Dateien (*.pem *.crt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>HMAC secret from a file</source>
        <translation>HMAC-Geheimnis aus einer Datei</translation>
    </message>
    <message>
        <source>HMAC secret in this file</source>
        <translation>HMAC-Geheimnis in dieser Datei</translation>
    </message>
    <message>
        <source>External token command</source>
        <translation>Externer Token-Befehl</translation>
    </message>
    <message>
        <source>connect this backend</source>
        <translation>dieses Backend verbinden</translation>
    </message>
    <message>
        <source>send pings when the relay is silent</source>
        <translation>Pings senden, wenn das Relay still ist</translation>
    </message>
    <message>
        <source>app.example.com
*.preview.example.com</source>
        <translation>app.example.com
*.preview.example.com</translation>
    </message>
    <message>
        <source>wss://nexus.example.com/connect</source>
        <translation>wss://nexus.example.com/connect</translation>
    </message>
    <message>
        <source>system certificates only</source>
        <translation>nur Systemzertifikate</translation>
    </message>
    <message>
        <source>arguments separated by spaces; quote with &quot;</source>
        <translation>Argumente durch Leerzeichen getrennt; mit &quot; quotieren</translation>
    </message>
    <message>
        <source>Public port</source>
        <translation>Öffentlicher Port</translation>
    </message>
    <message>
        <source>Hostname (empty = default)</source>
        <translation>Hostname (leer = Standard)</translation>
    </message>
    <message>
        <source>Local target (host:port)</source>
        <translation>Lokales Ziel (Host:Port)</translation>
    </message>
    <message>
        <source>Add mapping</source>
        <translation>Zuordnung hinzufügen</translation>
    </message>
    <message>
        <source>Remove mapping</source>
        <translation>Zuordnung entfernen</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Attestation</source>
        <translation>Attestierung</translation>
    </message>
    <message>
        <source>Port mappings</source>
        <translation>Port-Zuordnungen</translation>
    </message>
    <message>
        <source>Health checks</source>
        <translation>Verbindungsprüfung</translation>
    </message>
    <message>
        <source>Port mappings, row %1: &quot;%2&quot; is not a port number (1-65535).</source>
        <translation>Port-Zuordnungen, Zeile %1: „%2“ ist keine Portnummer (1–65535).</translation>
    </message>
    <message>
        <source>Port mappings, row %1: the local target is empty.</source>
        <translation>Port-Zuordnungen, Zeile %1: Das lokale Ziel ist leer.</translation>
    </message>
    <message>
        <source>Port mappings, row %1: port %2 already has a default target.</source>
        <translation>Port-Zuordnungen, Zeile %1: Port %2 hat schon ein Standardziel.</translation>
    </message>
    <message>
        <source>HMAC secret in the system keyring</source>
        <translation>HMAC-Geheimnis im Schlüsselbund des Systems</translation>
    </message>
    <message>
        <source>Store in keyring</source>
        <translation>Im Schlüsselbund speichern</translation>
    </message>
    <message>
        <source>Move the HMAC secret out of the config into the system keyring (service nexus-tray, key = the backend name) and use it from there</source>
        <translation>Das HMAC-Geheimnis aus der Konfiguration in den Schlüsselbund des Systems verschieben (Dienst nexus-tray, Schlüssel = Name des Backends) und von dort verwenden</translation>
    </message>
    <message>
        <source>Saving from this form changes only the keys you edited: the file&apos;s comments and formatting are kept. Where that is not possible, the editor says so before it rewrites the whole file.</source>
        <translation>Speichern aus diesem Formular ändert nur die bearbeiteten Schlüssel: Kommentare und Formatierung der Datei bleiben erhalten. Wo das nicht geht, sagt der Editor es, bevor er die ganze Datei neu schreibt.</translation>
    </message>
    <message>
        <source>Storing the secret in the system keyring…</source>
        <translation>Das Geheimnis wird im Schlüsselbund des Systems gespeichert…</translation>
    </message>
    <message>
        <source>TCP ports:</source>
        <translation>TCP-Ports:</translation>
    </message>
    <message>
        <source>UDP routes:</source>
        <translation>UDP-Routen:</translation>
    </message>
    <message>
        <source>Outbound:</source>
        <translation>Ausgehend:</translation>
    </message>
    <message>
        <source>Allowed outbound ports:</source>
        <translation>Erlaubte ausgehende Ports:</translation>
    </message>
    <message>
        <source>SOCKS5 listen address:</source>
        <translation>SOCKS5-Adresse:</translation>
    </message>
    <message>
        <source>Whole ports and outbound</source>
        <translation>Ganze Ports und ausgehende Verbindungen</translation>
    </message>
    <message>
        <source>e.g. 22, 443 (routed by the port mapping&apos;s default)</source>
        <translation>z. B. 22, 443 (geleitet über das Standardziel der Port-Zuordnung)</translation>
    </message>
    <message>
        <source>e.g. 53, 5353:30 (port or port:idle seconds)</source>
        <translation>z. B. 53, 5353:30 (Port oder Port:Leerlaufsekunden)</translation>
    </message>
    <message>
        <source>allow outbound connections through the relay</source>
        <translation>ausgehende Verbindungen über das Relay erlauben</translation>
    </message>
    <message>
        <source>all ports the relay allows</source>
        <translation>alle Ports, die das Relay erlaubt</translation>
    </message>
    <message>
        <source>off, e.g. 127.0.0.1:1080</source>
        <translation>aus, z. B. 127.0.0.1:1080</translation>
    </message>
    <message>
        <source>TCP ports</source>
        <translation>TCP-Ports</translation>
    </message>
    <message>
        <source>UDP routes</source>
        <translation>UDP-Routen</translation>
    </message>
    <message>
        <source>Allowed outbound ports</source>
        <translation>Erlaubte ausgehende Ports</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::BackendMenuExtras</name>
    <message>
        <source>Retry “%1” now</source>
        <translation>„%1“ jetzt erneut versuchen</translation>
    </message>
    <message>
        <source>Check identity of “%1”</source>
        <translation>Identität von „%1“ prüfen</translation>
    </message>
    <message>
        <source>Re-enroll “%1”…</source>
        <translation>„%1“ neu registrieren…</translation>
    </message>
    <message>
        <source>TPM: %1</source>
        <translation>TPM: %1</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::ConfigEditorDialog</name>
    <message>
        <source>nexus-tray configuration — %1</source>
        <translation>nexus-tray-Konfiguration — %1</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>Formular</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Add backend</source>
        <translation>Backend hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Save and apply</source>
        <translation>Speichern und anwenden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Fix the YAML before switching to the form.</source>
        <translation>Beheben Sie die YAML-Fehler, bevor Sie zum Formular wechseln.</translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation>(ohne Namen)</translation>
    </message>
    <message>
        <source>backend-%1</source>
        <translation>backend-%1</translation>
    </message>
    <message>
        <source>Line %1, column %2</source>
        <translation>Zeile %1, Spalte %2</translation>
    </message>
    <message>
        <source>Line %1</source>
        <translation>Zeile %1</translation>
    </message>
    <message>
        <source>The configuration is valid.</source>
        <translation>Die Konfiguration ist gültig.</translation>
    </message>
    <message>
        <source>Not saved: the configuration has errors.</source>
        <translation>Nicht gespeichert: Die Konfiguration enthält Fehler.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>Saved; the previous version is in %1.</source>
        <translation>Gespeichert; die vorige Fassung liegt in %1.</translation>
    </message>
    <message>
        <source>Not saved: %1 was changed outside the editor after it was opened (for example a tunnel switched on or off from the tray menu). Save again to replace those changes with yours, or close the editor without saving and open it again to start from the file.</source>
        <translation>Nicht gespeichert: %1 wurde außerhalb des Editors geändert, nachdem er geöffnet wurde (zum Beispiel ein Tunnel, der im Tray-Menü ein- oder ausgeschaltet wurde). Erneut speichern ersetzt diese Änderungen durch Ihre, oder schließen Sie den Editor ohne zu speichern und öffnen Sie ihn erneut, um von der Datei auszugehen.</translation>
    </message>
    <message>
        <source>Backends</source>
        <translation>Backends</translation>
    </message>
    <message>
        <source>The configuration is valid, but the form&apos;s changes cannot be made in place (%1): saving rewrites the whole file, and its comments and formatting are lost.</source>
        <translation>Die Konfiguration ist gültig, aber die Änderungen des Formulars lassen sich nicht an Ort und Stelle vornehmen (%1): Speichern schreibt die ganze Datei neu, ihre Kommentare und ihre Formatierung gehen verloren.</translation>
    </message>
    <message>
        <source>Not saved: the form&apos;s changes cannot be made in place (%1). Saving rewrites the whole file from the form, and its comments and formatting are lost. Save again to rewrite it, or Cancel to keep the file as it is.</source>
        <translation>Nicht gespeichert: Die Änderungen des Formulars lassen sich nicht an Ort und Stelle vornehmen (%1). Speichern schreibt die ganze Datei aus dem Formular neu, ihre Kommentare und ihre Formatierung gehen verloren. Erneut speichern, um sie neu zu schreiben, oder Abbrechen, um die Datei unverändert zu lassen.</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::ErrorAdvice</name>
    <message>
        <source>Check the secret or the attestation command of “%1”.</source>
        <translation>Prüfen Sie das Geheimnis oder den Attestierungsbefehl von „%1“.</translation>
    </message>
    <message>
        <source>Check the system clock: the relay found the tokens of “%1” expired or not yet valid.</source>
        <translation>Prüfen Sie die Systemuhr: Das Relay fand die Tokens von „%1“ abgelaufen oder noch nicht gültig.</translation>
    </message>
    <message>
        <source>Check the relay address of “%1” (name, port, TLS certificate) and the network.</source>
        <translation>Prüfen Sie die Relay-Adresse von „%1“ (Name, Port, TLS-Zertifikat) und das Netzwerk.</translation>
    </message>
    <message>
        <source>The connection of “%1” was lost; it reconnects by itself.</source>
        <translation>Die Verbindung von „%1“ ist abgebrochen; sie wird von selbst wieder aufgebaut.</translation>
    </message>
    <message>
        <source>The TPM cannot be opened: add your user to the group “tss” and log in again.</source>
        <translation>Das TPM lässt sich nicht öffnen: Fügen Sie Ihren Benutzer der Gruppe „tss“ hinzu und melden Sie sich neu an.</translation>
    </message>
    <message>
        <source>namek suspended or revoked this device: ask its administrator, then use “Re-enroll” for “%1”.</source>
        <translation>namek hat dieses Gerät gesperrt oder widerrufen: Wenden Sie sich an den Administrator und verwenden Sie dann „Neu registrieren“ für „%1“.</translation>
    </message>
    <message>
        <source>Check the configuration of “%1”.</source>
        <translation>Prüfen Sie die Konfiguration von „%1“.</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::Format</name>
    <message>
        <source>%1 KiB</source>
        <translation>%1 KiB</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <source>%1 TiB</source>
        <translation>%1 TiB</translation>
    </message>
    <message>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 Sek.</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 Min. %2 Sek.</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 Std. %2 Min.</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 Tg. %2 Std.</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::IdentityPanel</name>
    <message>
        <source>identity class %1</source>
        <translation>Identitätsklasse %1</translation>
    </message>
    <message>
        <source>checking…</source>
        <translation>wird geprüft…</translation>
    </message>
    <message>
        <source>checked %1</source>
        <translation>geprüft %1</translation>
    </message>
    <message>
        <source>not enrolled yet</source>
        <translation>noch nicht registriert</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>TPM identity of “%1”: %2</source>
        <translation>TPM-Identität von „%1“: %2</translation>
    </message>
    <message>
        <source>TPM identities</source>
        <translation>TPM-Identitäten</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::KeyringMove</name>
    <message>
        <source>Name the backend first: the keyring entry is stored under its name.</source>
        <translation>Geben Sie dem Backend zuerst einen Namen: Der Eintrag im Schlüsselbund wird unter diesem Namen gespeichert.</translation>
    </message>
    <message>
        <source>Cannot read the secret file %1: %2</source>
        <translation>Die Geheimnisdatei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>There is no secret to store: enter one (or a secret file) first.</source>
        <translation>Es gibt kein Geheimnis zum Speichern: Geben Sie zuerst eines (oder eine Geheimnisdatei) ein.</translation>
    </message>
    <message>
        <source>The secret of backend &apos;%1&apos; is in the system keyring (service %2, key %1); save to remove it from the file.</source>
        <translation>Das Geheimnis des Backends &apos;%1&apos; liegt im Schlüsselbund des Systems (Dienst %2, Schlüssel %1); speichern Sie, um es aus der Datei zu entfernen.</translation>
    </message>
    <message>
        <source>Could not store the secret in the system keyring: %1</source>
        <translation>Das Geheimnis konnte nicht im Schlüsselbund des Systems gespeichert werden: %1</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::LogCapture</name>
    <message>
        <source>debug</source>
        <translation>Debug</translation>
    </message>
    <message>
        <source>info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>fatal</source>
        <translation>fatal</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::LogModel</name>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Kategorie</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::Notifier</name>
    <message>
        <source>%1 via %2</source>
        <translation>%1 über %2</translation>
    </message>
    <message>
        <source>no details</source>
        <translation>keine Details</translation>
    </message>
    <message>
        <source>Tunnel back up</source>
        <translation>Tunnel wieder verbunden</translation>
    </message>
    <message>
        <source>%1 is connected again.</source>
        <translation>%1 ist wieder verbunden.</translation>
    </message>
    <message>
        <source>Attestation failed</source>
        <translation>Attestierung fehlgeschlagen</translation>
    </message>
    <message>
        <source>Tunnel stopped</source>
        <translation>Tunnel gestoppt</translation>
    </message>
    <message>
        <source>%1 gave up: %2</source>
        <translation>%1 hat aufgegeben: %2</translation>
    </message>
    <message>
        <source>Tunnel down</source>
        <translation>Tunnel unterbrochen</translation>
    </message>
    <message>
        <source>%1 lost its connection: %2. Reconnecting.</source>
        <translation>%1 hat die Verbindung verloren: %2. Neuer Versuch läuft.</translation>
    </message>
    <message>
        <source>%1 was refused: %2. Retrying.</source>
        <translation>%1 wurde abgewiesen: %2. Neuer Versuch folgt.</translation>
    </message>
    <message numerus="yes">
        <source>%n tunnel event(s)</source>
        <translation>
            <numerusform>%n Tunnel-Ereignis</numerusform>
            <numerusform>%n Tunnel-Ereignisse</numerusform>
        </translation>
    </message>
    <message>
        <source>Then use “Retry now” in the tray menu.</source>
        <translation>Verwenden Sie dann „Jetzt erneut versuchen“ im Tray-Menü.</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::SessionActions</name>
    <message>
        <source>Re-enroll</source>
        <translation>Neu registrieren</translation>
    </message>
    <message>
        <source>Re-enroll the TPM of “%1” with namek? Its sessions restart; a device that namek suspended or revoked stays refused until its administrator lets it back.</source>
        <translation>Das TPM von „%1“ bei namek neu registrieren? Seine Sitzungen starten neu; ein Gerät, das namek gesperrt oder widerrufen hat, bleibt abgewiesen, bis der Administrator es wieder zulässt.</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Jetzt erneut versuchen</translation>
    </message>
    <message>
        <source>Connect the selected backend again now, without waiting</source>
        <translation>Das ausgewählte Backend jetzt ohne Wartezeit erneut verbinden</translation>
    </message>
    <message>
        <source>Check identity</source>
        <translation>Identität prüfen</translation>
    </message>
    <message>
        <source>Ask namek how it sees this machine&apos;s TPM identity</source>
        <translation>namek fragen, wie es die TPM-Identität dieses Rechners sieht</translation>
    </message>
    <message>
        <source>Re-enroll…</source>
        <translation>Neu registrieren…</translation>
    </message>
    <message>
        <source>Enroll this machine&apos;s TPM with namek again</source>
        <translation>Das TPM dieses Rechners erneut bei namek registrieren</translation>
    </message>
    <message>
        <source>Connect the backends that gave up or wait again now</source>
        <translation>Die Backends, die aufgegeben haben oder warten, jetzt erneut verbinden</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::SessionTableModel</name>
    <message>
        <source>Bytes received from the relay and written to local services</source>
        <translation>Vom Relay empfangene und an lokale Dienste geschriebene Bytes</translation>
    </message>
    <message>
        <source>Bytes read from local services and sent to the relay</source>
        <translation>Von lokalen Diensten gelesene und an das Relay gesendete Bytes</translation>
    </message>
    <message>
        <source>Time until the next connection attempt</source>
        <translation>Zeit bis zum nächsten Verbindungsversuch</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Relay</source>
        <translation>Relay</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>In state for</source>
        <translation>Im Zustand seit</translation>
    </message>
    <message>
        <source>Reconnect in</source>
        <translation>Neuer Versuch in</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Hostnames</source>
        <translation>Hostnamen</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Gewichtung</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>Streams</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::StatusWindow</name>
    <message>
        <source>nexus-tray status</source>
        <translation>nexus-tray-Status</translation>
    </message>
    <message>
        <source>Tunnels</source>
        <translation>Tunnel</translation>
    </message>
    <message>
        <source>Edit configuration…</source>
        <translation>Konfiguration bearbeiten…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Filter:</source>
        <translation>Filter:</translation>
    </message>
    <message>
        <source>hostname, client IP, target, state…</source>
        <translation>Hostname, Client-IP, Ziel, Zustand…</translation>
    </message>
    <message>
        <source>Filter messages</source>
        <translation>Meldungen filtern</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Zeigen:</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>Debug und höher</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info und höher</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Warnungen und Fehler</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Nur Fehler</translation>
    </message>
    <message>
        <source>Live streams</source>
        <translation>Aktive Streams</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Filter streams</source>
        <translation>Streams filtern</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>Datenverkehr</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::StreamActions</name>
    <message>
        <source>Close stream</source>
        <translation>Stream schließen</translation>
    </message>
    <message>
        <source>Disconnect the selected streams at the relay and close their local connections</source>
        <translation>Die ausgewählten Streams am Relay trennen und ihre lokalen Verbindungen schließen</translation>
    </message>
    <message>
        <source>Copy addresses</source>
        <translation>Adressen kopieren</translation>
    </message>
    <message>
        <source>Copy the client address, the requested hostname:port and the local target</source>
        <translation>Die Client-Adresse, den angefragten Hostnamen:Port und das lokale Ziel kopieren</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::StreamTableModel</name>
    <message>
        <source>dialing</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>closing</source>
        <translation>wird geschlossen</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>closed (%1)</source>
        <translation>geschlossen (%1)</translation>
    </message>
    <message>
        <source>Bytes from the remote user, written to the local service</source>
        <translation>Bytes vom entfernten Nutzer, an den lokalen Dienst geschrieben</translation>
    </message>
    <message>
        <source>Bytes from the local service, sent to the remote user</source>
        <translation>Bytes vom lokalen Dienst, an den entfernten Nutzer gesendet</translation>
    </message>
    <message>
        <source>Current transfer rate, both directions</source>
        <translation>Aktuelle Übertragungsrate, beide Richtungen</translation>
    </message>
    <message>
        <source>The user&apos;s connection began with TLS</source>
        <translation>Die Verbindung des Nutzers begann mit TLS</translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation>Client-ID</translation>
    </message>
    <message>
        <source>Client IP</source>
        <translation>Client-IP</translation>
    </message>
    <message>
        <source>Hostname</source>
        <translation>Hostname</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Local target</source>
        <translation>Lokales Ziel</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Ein</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Alter</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>TCP</source>
        <translation>TCP</translation>
    </message>
    <message>
        <source>UDP</source>
        <translation>UDP</translation>
    </message>
    <message>
        <source>outbound</source>
        <translation>ausgehend</translation>
    </message>
    <message>
        <source>%1 datagrams from the user, %2 to the user, %3 dropped</source>
        <translation>%1 Datagramme vom Nutzer, %2 zum Nutzer, %3 verworfen</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 / %2 (%3 dropped)</source>
        <translation>%1 / %2 (%3 verworfen)</translation>
    </message>
    <message>
        <source>TCP: a user&apos;s connection to a relay port; UDP: one user&apos;s datagram flow; outbound: a connection this computer opened through the relay</source>
        <translation>TCP: die Verbindung eines Nutzers zu einem Relay-Port; UDP: der Datagramm-Fluss eines Nutzers; ausgehend: eine Verbindung, die dieser Rechner über das Relay geöffnet hat</translation>
    </message>
    <message>
        <source>UDP flows: datagrams from the user / to the user (dropped)</source>
        <translation>UDP-Flüsse: Datagramme vom Nutzer / zum Nutzer (verworfen)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Datagrams</source>
        <translation>Datagramme</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrafficGraph</name>
    <message>
        <source>Traffic graph</source>
        <translation>Verkehrsdiagramm</translation>
    </message>
    <message>
        <source>Last 10 minutes. Now: to local %1, to hub %2</source>
        <translation>Letzte 10 Minuten. Jetzt: nach lokal %1, zum Hub %2</translation>
    </message>
    <message>
        <source>to local %1</source>
        <translation>nach lokal %1</translation>
    </message>
    <message>
        <source>to hub %1</source>
        <translation>zum Hub %1</translation>
    </message>
    <message>
        <source>−10 min</source>
        <translation>−10 min</translation>
    </message>
    <message>
        <source>−5 min</source>
        <translation>−5 min</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrafficPanel</name>
    <message>
        <source>All backends</source>
        <translation>Alle Backends</translation>
    </message>
    <message>
        <source>&amp;Backend:</source>
        <translation>&amp;Backend:</translation>
    </message>
    <message>
        <source>Backend shown in the traffic graph</source>
        <translation>Im Verkehrsdiagramm gezeigtes Backend</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrayController</name>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>%1 of %2 connected</source>
        <translation>%1 von %2 verbunden</translation>
    </message>
    <message>
        <source>Could not change &quot;Start at login&quot;: %1</source>
        <translation>„Beim Anmelden starten“ ließ sich nicht ändern: %1</translation>
    </message>
    <message>
        <source>No system tray was found on this desktop, so nexus-tray shows this window instead. Use &quot;Tunnels&quot; to switch tunnels on and off; closing the window quits nexus-tray.</source>
        <translation>Auf diesem Desktop gibt es keinen Systemabschnitt der Kontrollleiste (System Tray), darum zeigt nexus-tray stattdessen dieses Fenster. Mit „Tunnel“ schalten Sie Tunnel ein und aus; Schließen des Fensters beendet nexus-tray.</translation>
    </message>
    <message>
        <source>No backends configured</source>
        <translation>Keine Backends konfiguriert</translation>
    </message>
    <message>
        <source>Switched &quot;%1&quot; %2 for now, but could not save it in %3: %4</source>
        <translation>„%1“ ist vorerst %2, konnte aber nicht in %3 gespeichert werden: %4</translation>
    </message>
    <message>
        <source>on</source>
        <translation>ein</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>nexus-tray: %1</source>
        <translation>nexus-tray: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Open status</source>
        <translation>Status öffnen</translation>
    </message>
    <message>
        <source>Edit configuration…</source>
        <translation>Konfiguration bearbeiten…</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Benachrichtigungen</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>Beim Anmelden starten</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Tunnels</source>
        <translation>Tunnel</translation>
    </message>
    <message>
        <source>There is no configuration file yet (%1). Use &quot;Edit configuration…&quot; to create one.</source>
        <translation>Es gibt noch keine Konfigurationsdatei (%1). Legen Sie eine mit „Konfiguration bearbeiten…“ an.</translation>
    </message>
    <message>
        <source>The configuration has errors, so nothing is connected. Fix it with &quot;Edit configuration…&quot;:
%1</source>
        <translation>Die Konfiguration enthält Fehler, darum ist nichts verbunden. Beheben Sie sie mit „Konfiguration bearbeiten…“:
%1</translation>
    </message>
    <message>
        <source>Demo tunnel up. Try it: curl http://demo.localhost:%1/   or a long download: curl -o /dev/null --limit-rate 2M http://demo.localhost:%1/bytes/104857600</source>
        <translation>Demo-Tunnel steht. Probieren Sie: curl http://demo.localhost:%1/   oder einen langen Download: curl -o /dev/null --limit-rate 2M http://demo.localhost:%1/bytes/104857600</translation>
    </message>
    <message>
        <source>The demo session failed: %1</source>
        <translation>Die Demo-Sitzung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>gave up: %1</source>
        <translation>aufgegeben: %1</translation>
    </message>
    <message>
        <source>Reloading the configuration failed; the running configuration stays:
%1</source>
        <translation>Das Neuladen der Konfiguration ist fehlgeschlagen; die laufende Konfiguration bleibt:
%1</translation>
    </message>
    <message>
        <source>The metrics endpoint is off: %1</source>
        <translation>Der Metrik-Endpunkt ist aus: %1</translation>
    </message>
    <message>
        <source>The metrics endpoint stays at %1: %2</source>
        <translation>Der Metrik-Endpunkt bleibt bei %1: %2</translation>
    </message>
    <message>
        <source>Metrics endpoint</source>
        <translation>Metrik-Endpunkt</translation>
    </message>
    <message>
        <source>Metrics at %1</source>
        <translation>Metriken unter %1</translation>
    </message>
    <message>
        <source>Serve /metrics, /ready and /status over HTTP</source>
        <translation>/metrics, /ready und /status über HTTP bereitstellen</translation>
    </message>
    <message>
        <source>Also /ready and /status at %1</source>
        <translation>Außerdem /ready und /status unter %1</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrayState</name>
    <message>
        <source>All tunnels off</source>
        <translation>Alle Tunnel aus</translation>
    </message>
    <message>
        <source>All tunnels connected</source>
        <translation>Alle Tunnel verbunden</translation>
    </message>
    <message>
        <source>Some tunnels are connecting</source>
        <translation>Einige Tunnel verbinden sich</translation>
    </message>
    <message>
        <source>Tunnel error</source>
        <translation>Tunnelfehler</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>authenticating</source>
        <translation>authentifiziert</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <source>waiting to reconnect</source>
        <translation>wartet auf neuen Versuch</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrayTooltip</name>
    <message numerus="yes">
        <source>↓ %1 ↑ %2 · %n stream(s)</source>
        <translation>
            <numerusform>↓ %1 ↑ %2 · %n Stream</numerusform>
            <numerusform>↓ %1 ↑ %2 · %n Streams</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nexustray::ui::YamlTab</name>
    <message>
        <source>This text was regenerated from the form: comments were not kept. Cancel to keep the file as it was.</source>
        <translation>Dieser Text wurde aus dem Formular neu erzeugt: Kommentare wurden nicht übernommen. Mit „Abbrechen“ bleibt die Datei, wie sie war.</translation>
    </message>
    <message>
        <source>The file as it is, comments included. Errors are shown below as you type.</source>
        <translation>Die Datei, wie sie ist, mit Kommentaren. Fehler erscheinen unten schon beim Tippen.</translation>
    </message>
    <message>
        <source>Configuration file text</source>
        <translation>Text der Konfigurationsdatei</translation>
    </message>
</context>
</TS>
