// Editing config.yaml as text, for the tray UI (no Widgets here).
//
// - setBackendEnabled() flips `enabled:` of one backend in the YAML text itself: it locates the
//   backend's mapping with yaml-cpp marks and edits or inserts exactly one line, so comments,
//   quoting and layout of everything else stay as they were.
// - save() refuses text that does not load (loadConfigText), keeps the previous file as
//   "<file>.bak" and writes atomically (temp file + rename): a crash never leaves half a file.
//   Both files are created with their final mode before any byte is written (the HMAC secret
//   is never world-readable, not even briefly).
// A whole Config is written as YAML by configyaml::writeConfigYaml (config/ConfigWriter.h).
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "nexustray/Config.h"

namespace nexustray::configedit {

struct TextEditResult {
    bool ok = false;
    QByteArray text; // the edited YAML when ok
    QString error;   // plain words when not ok
};

// Sets `enabled: true|false` of the backend called `backendName` in `yaml`. The input must be a
// valid config (loadConfigText); the result is checked to load and to carry the new value.
TextEditResult setBackendEnabled(const QByteArray& yaml, const QString& backendName, bool enabled);

struct SaveResult {
    bool ok = false;
    QList<ConfigIssue> errors; // why the text was refused (nothing was written)
    QString ioError;           // a write / backup error (the original file is untouched)
    Config config;             // the loaded config when ok
    QString backupPath;        // "<path>.bak" when a previous file existed
};

// Validates `yaml` and, only when it loads without errors, replaces `path` atomically. An
// existing file is first copied to "<path>.bak" (replacing an older backup); both get the
// existing file's mode. A new file gets mode 0600 (it may hold secrets). Files are created with
// their final mode, whatever the umask, before any byte is written.
SaveResult saveConfigText(const QString& path, const QByteArray& yaml);

// Reads a whole file; returns false and sets *error when it cannot be read.
bool readConfigText(const QString& path, QByteArray* text, QString* error);

} // namespace nexustray::configedit
