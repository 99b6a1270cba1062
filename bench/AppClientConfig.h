// `nexus-bench --client app` runs the real nexus-tray executable headless (`--no-gui --config`) as
// the client process, so its figures are those of the binary users run (idle memory included:
// issue 10 measured the app, not the bench's slimmer client). This writes its config file: the
// backend the engine clients serve (BenchBackend), through the project's own config writer.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace bench {

QByteArray appClientConfig(const QString& hubUrl, const QList<quint16>& ports,
                           const QString& caFile);

} // namespace bench
