// Which shared objects a process has mapped, from /proc/<pid>/maps: the tests that check a library
// is loaded only when used (issue 10: the tray module, the keyring plugin, tpm2-tss).
#pragma once

#include <QStringList>

namespace nexustray::test {

// The file names (no directory) of the files mapped by process `pid` (0: this process) that
// contain `containing` (empty: all), each once, in map order; {"(cannot read /proc/<pid>/maps)"}
// when the file cannot be read, so that a test asserting "not mapped" cannot pass by reading
// nothing.
QStringList mappedFiles(qint64 pid = 0, const QString& containing = QString());

} // namespace nexustray::test
