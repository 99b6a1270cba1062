// loadConfigFile / loadConfigText: the top level of config.yaml (config.md §1, §8).
#include "nexustray/Config.h"

#include <QFile>

#include <yaml-cpp/yaml.h>

#include <exception>

#include "config/BackendLoader.h"
#include "config/ListenAddress.h"
#include "config/YamlReader.h"

namespace nexustray {

namespace {

using namespace configyaml;

// yaml-cpp cannot tell "no document" from a null one; Go refuses only the former (EOF).
bool hasNoDocument(const QByteArray& yaml) {
    for (const QByteArray& line : yaml.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (!trimmed.isEmpty() && !trimmed.startsWith('#'))
            return false;
    }
    return true;
}

// metrics: { listen: host:port } - checked here so a bad address is a load error, not a
// surprise when the endpoint starts.
void loadMetrics(IssueSink& sink, const MapReader& top, Config& config) {
    const YAML::Node node = top.value(QStringLiteral("metrics"));
    const SourceRef ref = top.ref(QStringLiteral("metrics"));
    if (expectMap(sink, node, ref) != Read::Ok)
        return;
    const MapReader map(sink, node, ref, {QStringLiteral("listen")});
    const SourceRef listenRef = map.ref(QStringLiteral("listen"));
    QString listen;
    if (readString(sink, map.value(QStringLiteral("listen")), listenRef, listen) != Read::Ok)
        return;
    listen = listen.trimmed();
    config::ListenAddress parsed;
    const QString problem = config::parseListenAddress(listen, &parsed);
    if (!problem.isEmpty()) {
        sink.error(listenRef,
                   QStringLiteral("\"%1\" is not a listen address: %2").arg(listen, problem));
        return;
    }
    config.metrics.listen = listen;
    if (!parsed.address.isLoopback())
        sink.warning(listenRef, QStringLiteral("\"%1\" is reachable from other hosts: the endpoint "
                                               "shows hostnames, relays and client addresses; "
                                               "prefer a loopback address")
                                    .arg(listen));
}

void loadBackends(IssueSink& sink, const YAML::Node& root, Config& config) {
    const SourceRef top = SourceRef().at(root);
    const Read rootRead = expectMap(sink, root, top);
    const QString none = QStringLiteral("no backends defined in config");
    if (rootRead == Read::Bad)
        return;
    if (rootRead == Read::Absent) {
        sink.error(top, none);
        return;
    }
    const qsizetype errorsBefore = sink.errorCount();
    const MapReader map(sink, root, top, {QStringLiteral("backends"), QStringLiteral("metrics")});
    const bool keyErrors = sink.errorCount() != errorsBefore; // "backend:" typo explains it
    loadMetrics(sink, map, config);
    const YAML::Node backends = map.value(QStringLiteral("backends"));
    const SourceRef ref = map.ref(QStringLiteral("backends"));
    const Read read = expectList(sink, backends, ref);
    if (read == Read::Bad)
        return;
    if (read == Read::Absent || backends.size() == 0) {
        if (!keyErrors)
            sink.error(ref, none);
        return;
    }
    for (std::size_t i = 0; i < backends.size(); ++i) {
        const YAML::Node node = backends[i];
        const int index = static_cast<int>(i);
        if (!node.IsMap()) {
            sink.setScope(QStringLiteral("backend #%1").arg(index + 1));
            sink.error(ref.item(index, node),
                       QStringLiteral("expected a mapping, got %1").arg(describe(node)));
            sink.setScope({});
            continue;
        }
        config.backends << BackendLoader(sink, node, index).load();
    }
}

} // namespace

ConfigLoadResult loadConfigText(const QByteArray& yaml, const QString& fileName) {
    ConfigLoadResult result;
    result.config.sourceFile = fileName;
    IssueSink sink(fileName);
    if (hasNoDocument(yaml)) {
        sink.error({}, QStringLiteral("config file is empty (nothing to decode)"));
    } else {
        try {
            // Load() parses the first document only; later ones are ignored, as in Go.
            const YAML::Node root = YAML::Load(yaml.toStdString());
            loadBackends(sink, root, result.config);
        } catch (const YAML::Exception& e) {
            SourceRef where;
            if (e.mark.line >= 0) {
                where.line = e.mark.line + 1;
                where.column = e.mark.column + 1;
            }
            sink.error(where, QStringLiteral("YAML syntax error: %1").arg(fromStd(e.msg)));
        } catch (const std::exception& e) {
            sink.error(
                {}, QStringLiteral("cannot load config: %1").arg(QString::fromLocal8Bit(e.what())));
        }
    }
    result.errors = sink.errors();
    result.warnings = sink.warnings();
    return result;
}

ConfigLoadResult loadConfigFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ConfigLoadResult result;
        result.config.sourceFile = path;
        ConfigIssue issue;
        issue.file = path;
        issue.message =
            QStringLiteral("cannot read config file '%1': %2").arg(path, file.errorString());
        result.errors << issue;
        return result;
    }
    return loadConfigText(file.readAll(), path);
}

} // namespace nexustray
