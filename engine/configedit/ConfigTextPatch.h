// Saving a Config edited in a form into config.yaml without losing the file: only what changed is
// edited in the text, in place, the way setBackendEnabled() edits `enabled:`.
//
// patchConfigText() compares the Config the text loads to with the edited one, key by key, and
// edits the text at the yaml-cpp marks of the changed keys: a changed scalar is replaced in its
// quoting style (the rest of its line, e.g. a comment, stays), an added key is inserted with its
// siblings' indentation, a removed key goes with its nested block and the comments directly above
// it, a changed list keeps its style (flow `[a, b]` or block `- a`, unchanged block items keep
// their lines), a new backend is appended in the style of the existing ones, a removed backend
// goes with the comments directly above it. Everything else is kept byte for byte.
//
// It refuses (ok == false, `error` says why) when it cannot edit safely: YAML anchors or aliases,
// a structural change inside a flow mapping `{...}`, a block scalar, or a result that does not
// load to exactly the edited Config (loadConfigText + operator==). The caller then falls back to
// writing the whole file (configyaml::writeConfigYaml), after telling the user.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "nexustray/Config.h"

namespace nexustray::configedit {

struct ConfigPatchResult {
    bool ok = false;
    QByteArray text; // the edited YAML when ok
    QString error;   // why the text cannot be edited in place, when not ok
};

// `original` is the file's text (it must load without errors); `edited` the Config to write.
// `origins[j]` is the index in the original's backends of the backend `edited.backends[j]` was
// edited from, or -1 for a new backend; backends missing from it were removed. Empty `origins`:
// backends are matched by name, the rest in order (a rename is a changed name).
ConfigPatchResult patchConfigText(const QByteArray& original, const Config& edited,
                                  const QList<int>& origins = {});

} // namespace nexustray::configedit
