<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>PortListText</name>
    <message>
        <source>%1: &quot;%2&quot; is not a port number (1-65535).</source>
        <translation>%1: &quot;%2&quot; is not a port number (1-65535).</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a UDP route (port, or port:idle seconds).</source>
        <translation>%1: &quot;%2&quot; is not a UDP route (port, or port:idle seconds).</translation>
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
        <translation>Enabled:</translation>
    </message>
    <message>
        <source>Hostnames (one per line):</source>
        <translation>Hostnames (one per line):</translation>
    </message>
    <message>
        <source>Relay addresses (one per line):</source>
        <translation>Relay addresses (one per line):</translation>
    </message>
    <message>
        <source>Weight:</source>
        <translation>Weight:</translation>
    </message>
    <message>
        <source>TLS CA file:</source>
        <translation>TLS CA file:</translation>
    </message>
    <message>
        <source>Attestation:</source>
        <translation>Attestation:</translation>
    </message>
    <message>
        <source>Secret file:</source>
        <translation>Secret file:</translation>
    </message>
    <message>
        <source>Secret:</source>
        <translation>Secret:</translation>
    </message>
    <message>
        <source>Command:</source>
        <translation>Command:</translation>
    </message>
    <message>
        <source>Arguments:</source>
        <translation>Arguments:</translation>
    </message>
    <message>
        <source>Command timeout (s):</source>
        <translation>Command timeout (s):</translation>
    </message>
    <message>
        <source>Cache handshake tokens (s):</source>
        <translation>Cache handshake tokens (s):</translation>
    </message>
    <message>
        <source>Token lifetime (s):</source>
        <translation>Token lifetime (s):</translation>
    </message>
    <message>
        <source>Health checks:</source>
        <translation>Health checks:</translation>
    </message>
    <message>
        <source>Ping after silence (s):</source>
        <translation>Ping after silence (s):</translation>
    </message>
    <message>
        <source>Pong timeout (s):</source>
        <translation>Pong timeout (s):</translation>
    </message>
    <message>
        <source>TLS CA file</source>
        <translation>TLS CA file</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt);;All files (*)</source>
        <translation>PEM files (*.pem *.crt);;All files (*)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>HMAC secret from a file</source>
        <translation>HMAC secret from a file</translation>
    </message>
    <message>
        <source>HMAC secret in this file</source>
        <translation>HMAC secret in this file</translation>
    </message>
    <message>
        <source>External token command</source>
        <translation>External token command</translation>
    </message>
    <message>
        <source>connect this backend</source>
        <translation>connect this backend</translation>
    </message>
    <message>
        <source>send pings when the relay is silent</source>
        <translation>send pings when the relay is silent</translation>
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
        <translation>system certificates only</translation>
    </message>
    <message>
        <source>arguments separated by spaces; quote with &quot;</source>
        <translation>arguments separated by spaces; quote with &quot;</translation>
    </message>
    <message>
        <source>Public port</source>
        <translation>Public port</translation>
    </message>
    <message>
        <source>Hostname (empty = default)</source>
        <translation>Hostname (empty = default)</translation>
    </message>
    <message>
        <source>Local target (host:port)</source>
        <translation>Local target (host:port)</translation>
    </message>
    <message>
        <source>Add mapping</source>
        <translation>Add mapping</translation>
    </message>
    <message>
        <source>Remove mapping</source>
        <translation>Remove mapping</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Attestation</source>
        <translation>Attestation</translation>
    </message>
    <message>
        <source>Port mappings</source>
        <translation>Port mappings</translation>
    </message>
    <message>
        <source>Health checks</source>
        <translation>Health checks</translation>
    </message>
    <message>
        <source>Port mappings, row %1: &quot;%2&quot; is not a port number (1-65535).</source>
        <translation>Port mappings, row %1: &quot;%2&quot; is not a port number (1-65535).</translation>
    </message>
    <message>
        <source>Port mappings, row %1: the local target is empty.</source>
        <translation>Port mappings, row %1: the local target is empty.</translation>
    </message>
    <message>
        <source>Port mappings, row %1: port %2 already has a default target.</source>
        <translation>Port mappings, row %1: port %2 already has a default target.</translation>
    </message>
    <message>
        <source>HMAC secret in the system keyring</source>
        <translation>HMAC secret in the system keyring</translation>
    </message>
    <message>
        <source>Store in keyring</source>
        <translation>Store in keyring</translation>
    </message>
    <message>
        <source>Move the HMAC secret out of the config into the system keyring (service nexus-tray, key = the backend name) and use it from there</source>
        <translation>Move the HMAC secret out of the config into the system keyring (service nexus-tray, key = the backend name) and use it from there</translation>
    </message>
    <message>
        <source>Saving from this form changes only the keys you edited: the file&apos;s comments and formatting are kept. Where that is not possible, the editor says so before it rewrites the whole file.</source>
        <translation>Saving from this form changes only the keys you edited: the file&apos;s comments and formatting are kept. Where that is not possible, the editor says so before it rewrites the whole file.</translation>
    </message>
    <message>
        <source>Storing the secret in the system keyring…</source>
        <translation>Storing the secret in the system keyring…</translation>
    </message>
    <message>
        <source>TCP ports:</source>
        <translation>TCP ports:</translation>
    </message>
    <message>
        <source>UDP routes:</source>
        <translation>UDP routes:</translation>
    </message>
    <message>
        <source>Outbound:</source>
        <translation>Outbound:</translation>
    </message>
    <message>
        <source>Allowed outbound ports:</source>
        <translation>Allowed outbound ports:</translation>
    </message>
    <message>
        <source>SOCKS5 listen address:</source>
        <translation>SOCKS5 listen address:</translation>
    </message>
    <message>
        <source>Whole ports and outbound</source>
        <translation>Whole ports and outbound</translation>
    </message>
    <message>
        <source>e.g. 22, 443 (routed by the port mapping&apos;s default)</source>
        <translation>e.g. 22, 443 (routed by the port mapping&apos;s default)</translation>
    </message>
    <message>
        <source>e.g. 53, 5353:30 (port or port:idle seconds)</source>
        <translation>e.g. 53, 5353:30 (port or port:idle seconds)</translation>
    </message>
    <message>
        <source>allow outbound connections through the relay</source>
        <translation>allow outbound connections through the relay</translation>
    </message>
    <message>
        <source>all ports the relay allows</source>
        <translation>all ports the relay allows</translation>
    </message>
    <message>
        <source>off, e.g. 127.0.0.1:1080</source>
        <translation>off, e.g. 127.0.0.1:1080</translation>
    </message>
    <message>
        <source>TCP ports</source>
        <translation>TCP ports</translation>
    </message>
    <message>
        <source>UDP routes</source>
        <translation>UDP routes</translation>
    </message>
    <message>
        <source>Allowed outbound ports</source>
        <translation>Allowed outbound ports</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::BackendMenuExtras</name>
    <message>
        <source>Retry “%1” now</source>
        <translation>Retry “%1” now</translation>
    </message>
    <message>
        <source>Check identity of “%1”</source>
        <translation>Check identity of “%1”</translation>
    </message>
    <message>
        <source>Re-enroll “%1”…</source>
        <translation>Re-enroll “%1”…</translation>
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
        <translation>nexus-tray configuration — %1</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>YAML</source>
        <translation>YAML</translation>
    </message>
    <message>
        <source>Add backend</source>
        <translation>Add backend</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Save and apply</source>
        <translation>Save and apply</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Fix the YAML before switching to the form.</source>
        <translation>Fix the YAML before switching to the form.</translation>
    </message>
    <message>
        <source>(unnamed)</source>
        <translation>(unnamed)</translation>
    </message>
    <message>
        <source>backend-%1</source>
        <translation>backend-%1</translation>
    </message>
    <message>
        <source>Line %1, column %2</source>
        <translation>Line %1, column %2</translation>
    </message>
    <message>
        <source>Line %1</source>
        <translation>Line %1</translation>
    </message>
    <message>
        <source>The configuration is valid.</source>
        <translation>The configuration is valid.</translation>
    </message>
    <message>
        <source>Not saved: the configuration has errors.</source>
        <translation>Not saved: the configuration has errors.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Not saved: %1</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>Saved; the previous version is in %1.</source>
        <translation>Saved; the previous version is in %1.</translation>
    </message>
    <message>
        <source>Not saved: %1 was changed outside the editor after it was opened (for example a tunnel switched on or off from the tray menu). Save again to replace those changes with yours, or close the editor without saving and open it again to start from the file.</source>
        <translation>Not saved: %1 was changed outside the editor after it was opened (for example a tunnel switched on or off from the tray menu). Save again to replace those changes with yours, or close the editor without saving and open it again to start from the file.</translation>
    </message>
    <message>
        <source>Backends</source>
        <translation>Backends</translation>
    </message>
    <message>
        <source>The configuration is valid, but the form&apos;s changes cannot be made in place (%1): saving rewrites the whole file, and its comments and formatting are lost.</source>
        <translation>The configuration is valid, but the form&apos;s changes cannot be made in place (%1): saving rewrites the whole file, and its comments and formatting are lost.</translation>
    </message>
    <message>
        <source>Not saved: the form&apos;s changes cannot be made in place (%1). Saving rewrites the whole file from the form, and its comments and formatting are lost. Save again to rewrite it, or Cancel to keep the file as it is.</source>
        <translation>Not saved: the form&apos;s changes cannot be made in place (%1). Saving rewrites the whole file from the form, and its comments and formatting are lost. Save again to rewrite it, or Cancel to keep the file as it is.</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::ErrorAdvice</name>
    <message>
        <source>Check the secret or the attestation command of “%1”.</source>
        <translation>Check the secret or the attestation command of “%1”.</translation>
    </message>
    <message>
        <source>Check the system clock: the relay found the tokens of “%1” expired or not yet valid.</source>
        <translation>Check the system clock: the relay found the tokens of “%1” expired or not yet valid.</translation>
    </message>
    <message>
        <source>Check the relay address of “%1” (name, port, TLS certificate) and the network.</source>
        <translation>Check the relay address of “%1” (name, port, TLS certificate) and the network.</translation>
    </message>
    <message>
        <source>The connection of “%1” was lost; it reconnects by itself.</source>
        <translation>The connection of “%1” was lost; it reconnects by itself.</translation>
    </message>
    <message>
        <source>The TPM cannot be opened: add your user to the group “tss” and log in again.</source>
        <translation>The TPM cannot be opened: add your user to the group “tss” and log in again.</translation>
    </message>
    <message>
        <source>namek suspended or revoked this device: ask its administrator, then use “Re-enroll” for “%1”.</source>
        <translation>namek suspended or revoked this device: ask its administrator, then use “Re-enroll” for “%1”.</translation>
    </message>
    <message>
        <source>Check the configuration of “%1”.</source>
        <translation>Check the configuration of “%1”.</translation>
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
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 d %2 h</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::IdentityPanel</name>
    <message>
        <source>identity class %1</source>
        <translation>identity class %1</translation>
    </message>
    <message>
        <source>checking…</source>
        <translation>checking…</translation>
    </message>
    <message>
        <source>checked %1</source>
        <translation>checked %1</translation>
    </message>
    <message>
        <source>not enrolled yet</source>
        <translation>not enrolled yet</translation>
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
        <translation>TPM identity of “%1”: %2</translation>
    </message>
    <message>
        <source>TPM identities</source>
        <translation>TPM identities</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::KeyringMove</name>
    <message>
        <source>Name the backend first: the keyring entry is stored under its name.</source>
        <translation>Name the backend first: the keyring entry is stored under its name.</translation>
    </message>
    <message>
        <source>Cannot read the secret file %1: %2</source>
        <translation>Cannot read the secret file %1: %2</translation>
    </message>
    <message>
        <source>There is no secret to store: enter one (or a secret file) first.</source>
        <translation>There is no secret to store: enter one (or a secret file) first.</translation>
    </message>
    <message>
        <source>The secret of backend &apos;%1&apos; is in the system keyring (service %2, key %1); save to remove it from the file.</source>
        <translation>The secret of backend &apos;%1&apos; is in the system keyring (service %2, key %1); save to remove it from the file.</translation>
    </message>
    <message>
        <source>Could not store the secret in the system keyring: %1</source>
        <translation>Could not store the secret in the system keyring: %1</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::LogCapture</name>
    <message>
        <source>debug</source>
        <translation>debug</translation>
    </message>
    <message>
        <source>info</source>
        <translation>info</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>warning</translation>
    </message>
    <message>
        <source>error</source>
        <translation>error</translation>
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
        <translation>Time</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::Notifier</name>
    <message>
        <source>%1 via %2</source>
        <translation>%1 via %2</translation>
    </message>
    <message>
        <source>no details</source>
        <translation>no details</translation>
    </message>
    <message>
        <source>Tunnel back up</source>
        <translation>Tunnel back up</translation>
    </message>
    <message>
        <source>%1 is connected again.</source>
        <translation>%1 is connected again.</translation>
    </message>
    <message>
        <source>Attestation failed</source>
        <translation>Attestation failed</translation>
    </message>
    <message>
        <source>Tunnel stopped</source>
        <translation>Tunnel stopped</translation>
    </message>
    <message>
        <source>%1 gave up: %2</source>
        <translation>%1 gave up: %2</translation>
    </message>
    <message>
        <source>Tunnel down</source>
        <translation>Tunnel down</translation>
    </message>
    <message>
        <source>%1 lost its connection: %2. Reconnecting.</source>
        <translation>%1 lost its connection: %2. Reconnecting.</translation>
    </message>
    <message>
        <source>%1 was refused: %2. Retrying.</source>
        <translation>%1 was refused: %2. Retrying.</translation>
    </message>
    <message numerus="yes">
        <source>%n tunnel event(s)</source>
        <translation>
            <numerusform>%n tunnel event</numerusform>
            <numerusform>%n tunnel events</numerusform>
        </translation>
    </message>
    <message>
        <source>Then use “Retry now” in the tray menu.</source>
        <translation>Then use “Retry now” in the tray menu.</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::SessionActions</name>
    <message>
        <source>Re-enroll</source>
        <translation>Re-enroll</translation>
    </message>
    <message>
        <source>Re-enroll the TPM of “%1” with namek? Its sessions restart; a device that namek suspended or revoked stays refused until its administrator lets it back.</source>
        <translation>Re-enroll the TPM of “%1” with namek? Its sessions restart; a device that namek suspended or revoked stays refused until its administrator lets it back.</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Retry now</translation>
    </message>
    <message>
        <source>Connect the selected backend again now, without waiting</source>
        <translation>Connect the selected backend again now, without waiting</translation>
    </message>
    <message>
        <source>Check identity</source>
        <translation>Check identity</translation>
    </message>
    <message>
        <source>Ask namek how it sees this machine&apos;s TPM identity</source>
        <translation>Ask namek how it sees this machine&apos;s TPM identity</translation>
    </message>
    <message>
        <source>Re-enroll…</source>
        <translation>Re-enroll…</translation>
    </message>
    <message>
        <source>Enroll this machine&apos;s TPM with namek again</source>
        <translation>Enroll this machine&apos;s TPM with namek again</translation>
    </message>
    <message>
        <source>Connect the backends that gave up or wait again now</source>
        <translation>Connect the backends that gave up or wait again now</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::SessionTableModel</name>
    <message>
        <source>Bytes received from the relay and written to local services</source>
        <translation>Bytes received from the relay and written to local services</translation>
    </message>
    <message>
        <source>Bytes read from local services and sent to the relay</source>
        <translation>Bytes read from local services and sent to the relay</translation>
    </message>
    <message>
        <source>Time until the next connection attempt</source>
        <translation>Time until the next connection attempt</translation>
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
        <translation>State</translation>
    </message>
    <message>
        <source>In state for</source>
        <translation>In state for</translation>
    </message>
    <message>
        <source>Reconnect in</source>
        <translation>Reconnect in</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Last error</translation>
    </message>
    <message>
        <source>Hostnames</source>
        <translation>Hostnames</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Weight</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>Streams</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::StatusWindow</name>
    <message>
        <source>nexus-tray status</source>
        <translation>nexus-tray status</translation>
    </message>
    <message>
        <source>Tunnels</source>
        <translation>Tunnels</translation>
    </message>
    <message>
        <source>Edit configuration…</source>
        <translation>Edit configuration…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Filter:</source>
        <translation>Filter:</translation>
    </message>
    <message>
        <source>hostname, client IP, target, state…</source>
        <translation>hostname, client IP, target, state…</translation>
    </message>
    <message>
        <source>Filter messages</source>
        <translation>Filter messages</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Show:</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>Debug and above</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info and above</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Warnings and errors</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Errors only</translation>
    </message>
    <message>
        <source>Live streams</source>
        <translation>Live streams</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sessions</translation>
    </message>
    <message>
        <source>Filter streams</source>
        <translation>Filter streams</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>Traffic</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::StreamActions</name>
    <message>
        <source>Close stream</source>
        <translation>Close stream</translation>
    </message>
    <message>
        <source>Disconnect the selected streams at the relay and close their local connections</source>
        <translation>Disconnect the selected streams at the relay and close their local connections</translation>
    </message>
    <message>
        <source>Copy addresses</source>
        <translation>Copy addresses</translation>
    </message>
    <message>
        <source>Copy the client address, the requested hostname:port and the local target</source>
        <translation>Copy the client address, the requested hostname:port and the local target</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::StreamTableModel</name>
    <message>
        <source>dialing</source>
        <translation>dialing</translation>
    </message>
    <message>
        <source>open</source>
        <translation>open</translation>
    </message>
    <message>
        <source>closing</source>
        <translation>closing</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>yes</translation>
    </message>
    <message>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <source>closed (%1)</source>
        <translation>closed (%1)</translation>
    </message>
    <message>
        <source>Bytes from the remote user, written to the local service</source>
        <translation>Bytes from the remote user, written to the local service</translation>
    </message>
    <message>
        <source>Bytes from the local service, sent to the remote user</source>
        <translation>Bytes from the local service, sent to the remote user</translation>
    </message>
    <message>
        <source>Current transfer rate, both directions</source>
        <translation>Current transfer rate, both directions</translation>
    </message>
    <message>
        <source>The user&apos;s connection began with TLS</source>
        <translation>The user&apos;s connection began with TLS</translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation>Client ID</translation>
    </message>
    <message>
        <source>Client IP</source>
        <translation>Client IP</translation>
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
        <translation>Local target</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>In</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Out</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Age</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Session</translation>
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
        <translation>outbound</translation>
    </message>
    <message>
        <source>%1 datagrams from the user, %2 to the user, %3 dropped</source>
        <translation>%1 datagrams from the user, %2 to the user, %3 dropped</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 / %2 (%3 dropped)</source>
        <translation>%1 / %2 (%3 dropped)</translation>
    </message>
    <message>
        <source>TCP: a user&apos;s connection to a relay port; UDP: one user&apos;s datagram flow; outbound: a connection this computer opened through the relay</source>
        <translation>TCP: a user&apos;s connection to a relay port; UDP: one user&apos;s datagram flow; outbound: a connection this computer opened through the relay</translation>
    </message>
    <message>
        <source>UDP flows: datagrams from the user / to the user (dropped)</source>
        <translation>UDP flows: datagrams from the user / to the user (dropped)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Datagrams</source>
        <translation>Datagrams</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrafficGraph</name>
    <message>
        <source>Traffic graph</source>
        <translation>Traffic graph</translation>
    </message>
    <message>
        <source>Last 10 minutes. Now: to local %1, to hub %2</source>
        <translation>Last 10 minutes. Now: to local %1, to hub %2</translation>
    </message>
    <message>
        <source>to local %1</source>
        <translation>to local %1</translation>
    </message>
    <message>
        <source>to hub %1</source>
        <translation>to hub %1</translation>
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
        <translation>now</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrafficPanel</name>
    <message>
        <source>All backends</source>
        <translation>All backends</translation>
    </message>
    <message>
        <source>&amp;Backend:</source>
        <translation>&amp;Backend:</translation>
    </message>
    <message>
        <source>Backend shown in the traffic graph</source>
        <translation>Backend shown in the traffic graph</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrayController</name>
    <message>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>starting</translation>
    </message>
    <message>
        <source>%1 of %2 connected</source>
        <translation>%1 of %2 connected</translation>
    </message>
    <message>
        <source>Could not change &quot;Start at login&quot;: %1</source>
        <translation>Could not change &quot;Start at login&quot;: %1</translation>
    </message>
    <message>
        <source>No system tray was found on this desktop, so nexus-tray shows this window instead. Use &quot;Tunnels&quot; to switch tunnels on and off; closing the window quits nexus-tray.</source>
        <translation>No system tray was found on this desktop, so nexus-tray shows this window instead. Use &quot;Tunnels&quot; to switch tunnels on and off; closing the window quits nexus-tray.</translation>
    </message>
    <message>
        <source>No backends configured</source>
        <translation>No backends configured</translation>
    </message>
    <message>
        <source>Switched &quot;%1&quot; %2 for now, but could not save it in %3: %4</source>
        <translation>Switched &quot;%1&quot; %2 for now, but could not save it in %3: %4</translation>
    </message>
    <message>
        <source>on</source>
        <translation>on</translation>
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
        <translation>Open status</translation>
    </message>
    <message>
        <source>Edit configuration…</source>
        <translation>Edit configuration…</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>Start at login</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Tunnels</source>
        <translation>Tunnels</translation>
    </message>
    <message>
        <source>There is no configuration file yet (%1). Use &quot;Edit configuration…&quot; to create one.</source>
        <translation>There is no configuration file yet (%1). Use &quot;Edit configuration…&quot; to create one.</translation>
    </message>
    <message>
        <source>The configuration has errors, so nothing is connected. Fix it with &quot;Edit configuration…&quot;:
%1</source>
        <translation>The configuration has errors, so nothing is connected. Fix it with &quot;Edit configuration…&quot;:
%1</translation>
    </message>
    <message>
        <source>Demo tunnel up. Try it: curl http://demo.localhost:%1/   or a long download: curl -o /dev/null --limit-rate 2M http://demo.localhost:%1/bytes/104857600</source>
        <translation>Demo tunnel up. Try it: curl http://demo.localhost:%1/   or a long download: curl -o /dev/null --limit-rate 2M http://demo.localhost:%1/bytes/104857600</translation>
    </message>
    <message>
        <source>The demo session failed: %1</source>
        <translation>The demo session failed: %1</translation>
    </message>
    <message>
        <source>gave up: %1</source>
        <translation>gave up: %1</translation>
    </message>
    <message>
        <source>Reloading the configuration failed; the running configuration stays:
%1</source>
        <translation>Reloading the configuration failed; the running configuration stays:
%1</translation>
    </message>
    <message>
        <source>The metrics endpoint is off: %1</source>
        <translation>The metrics endpoint is off: %1</translation>
    </message>
    <message>
        <source>The metrics endpoint stays at %1: %2</source>
        <translation>The metrics endpoint stays at %1: %2</translation>
    </message>
    <message>
        <source>Metrics endpoint</source>
        <translation>Metrics endpoint</translation>
    </message>
    <message>
        <source>Metrics at %1</source>
        <translation>Metrics at %1</translation>
    </message>
    <message>
        <source>Serve /metrics, /ready and /status over HTTP</source>
        <translation>Serve /metrics, /ready and /status over HTTP</translation>
    </message>
    <message>
        <source>Also /ready and /status at %1</source>
        <translation>Also /ready and /status at %1</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrayState</name>
    <message>
        <source>All tunnels off</source>
        <translation>All tunnels off</translation>
    </message>
    <message>
        <source>All tunnels connected</source>
        <translation>All tunnels connected</translation>
    </message>
    <message>
        <source>Some tunnels are connecting</source>
        <translation>Some tunnels are connecting</translation>
    </message>
    <message>
        <source>Tunnel error</source>
        <translation>Tunnel error</translation>
    </message>
    <message>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>connecting</translation>
    </message>
    <message>
        <source>authenticating</source>
        <translation>authenticating</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connected</translation>
    </message>
    <message>
        <source>waiting to reconnect</source>
        <translation>waiting to reconnect</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
</context>
<context>
    <name>nexustray::ui::TrayTooltip</name>
    <message numerus="yes">
        <source>↓ %1 ↑ %2 · %n stream(s)</source>
        <translation>
            <numerusform>↓ %1 ↑ %2 · %n stream</numerusform>
            <numerusform>↓ %1 ↑ %2 · %n streams</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>nexustray::ui::YamlTab</name>
    <message>
        <source>This text was regenerated from the form: comments were not kept. Cancel to keep the file as it was.</source>
        <translation>This text was regenerated from the form: comments were not kept. Cancel to keep the file as it was.</translation>
    </message>
    <message>
        <source>The file as it is, comments included. Errors are shown below as you type.</source>
        <translation>The file as it is, comments included. Errors are shown below as you type.</translation>
    </message>
    <message>
        <source>Configuration file text</source>
        <translation>Configuration file text</translation>
    </message>
</context>
</TS>
