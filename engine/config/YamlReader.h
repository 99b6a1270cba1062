// Strict, located reading of yaml-cpp nodes for the config loader: key paths and marks for
// diagnostics, duplicate/unknown key detection, and typed scalar reads (config.md §1).
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <yaml-cpp/yaml.h>

#include "nexustray/Config.h"

namespace nexustray::configyaml {

// Where a value sits: dotted key path plus 1-based line/column (0 = unknown).
struct SourceRef {
    QString path;
    int line = 0;
    int column = 0;

    // "path.key" / "path[index]", located at `node` (or here when the node has no mark).
    SourceRef child(const QString& key, const YAML::Node& node) const;
    SourceRef item(int index, const YAML::Node& node) const;
    SourceRef at(const YAML::Node& node) const;
};

// Collects errors and warnings; `scope` ("backend 'edge'") prefixes every message.
class IssueSink {
public:
    explicit IssueSink(QString file)
        : m_file(std::move(file)) {}
    void setScope(const QString& scope) { m_scope = scope; }
    void error(const SourceRef& ref, const QString& message);
    void warning(const SourceRef& ref, const QString& message);
    qsizetype errorCount() const { return m_errors.size(); }
    QList<ConfigIssue> errors() const { return m_errors; }
    QList<ConfigIssue> warnings() const { return m_warnings; }

private:
    ConfigIssue make(const SourceRef& ref, const QString& message) const;
    QString m_file;
    QString m_scope;
    QList<ConfigIssue> m_errors;
    QList<ConfigIssue> m_warnings;
};

QString fromStd(const std::string& s);

// "a mapping", "a list", "the quoted string \"2\"", "\"abc\"" - for type error messages.
QString describe(const YAML::Node& node);

enum class Read { Absent, Ok, Bad }; // Absent also covers an explicit null

// Any scalar is accepted as a string (as in Go); a mapping or list is an error.
Read readString(IssueSink& sink, const YAML::Node& node, const SourceRef& ref, QString& out);
// Plain integers in any notation (yamlscalar::toInt); quoted strings and booleans are errors.
Read readInt(IssueSink& sink, const YAML::Node& node, const SourceRef& ref, int& out);
// true/false and the YAML 1.1 forms, unquoted.
Read readBool(IssueSink& sink, const YAML::Node& node, const SourceRef& ref, bool& out);
// The node must be a list / a mapping; null counts as absent.
Read expectList(IssueSink& sink, const YAML::Node& node, const SourceRef& ref);
Read expectMap(IssueSink& sink, const YAML::Node& node, const SourceRef& ref);

// Lists of scalars; every bad item is reported, `out` gets the good ones with their location.
template <typename T> struct Located {
    T value{};
    SourceRef ref;
};
Read readStringList(IssueSink& sink, const YAML::Node& node, const SourceRef& ref,
                    QList<Located<QString>>& out);
Read readIntList(IssueSink& sink, const YAML::Node& node, const SourceRef& ref,
                 QList<Located<int>>& out);

// The entries of one mapping, in file order. Reports duplicate keys (the first one wins),
// non-scalar keys and - when `allowedKeys` is not empty - unknown keys.
class MapReader {
public:
    struct Entry {
        QString key;
        YAML::Node keyNode;
        YAML::Node value;
        SourceRef ref; // path of the entry, located at its value (or key when the value is null)
    };

    MapReader(IssueSink& sink, const YAML::Node& map, const SourceRef& ref,
              const QStringList& allowedKeys = {});

    const QList<Entry>& entries() const { return m_entries; }
    bool has(const QString& key) const { return find(key) != nullptr; }
    // The value, or a null node when the key is absent.
    YAML::Node value(const QString& key) const;
    // The entry's location, or the mapping's own "path.key" when absent.
    SourceRef ref(const QString& key) const;

private:
    const Entry* find(const QString& key) const;
    SourceRef m_ref;
    QList<Entry> m_entries;
};

} // namespace nexustray::configyaml
