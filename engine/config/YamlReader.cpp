#include "config/YamlReader.h"

#include "config/YamlScalar.h"

#include <QHash>

namespace nexustray::configyaml {

namespace {

const std::string kIntTag = "tag:yaml.org,2002:int";
const std::string kFloatTag = "tag:yaml.org,2002:float";
const std::string kBoolTag = "tag:yaml.org,2002:bool";

// yaml-cpp tags: "?" for a plain scalar, "!" for a quoted or block one, or the explicit tag.
bool isPlain(const YAML::Node& node) {
    return node.Tag() == "?";
}

QString joinPath(const QString& path, const QString& key) {
    return path.isEmpty() ? key : path + u'.' + key;
}

} // namespace

SourceRef SourceRef::at(const YAML::Node& node) const {
    SourceRef ref = *this;
    const YAML::Mark mark = node.Mark();
    if (mark.line >= 0 && mark.column >= 0) {
        ref.line = mark.line + 1;
        ref.column = mark.column + 1;
    }
    return ref;
}

SourceRef SourceRef::child(const QString& key, const YAML::Node& node) const {
    SourceRef ref = at(node);
    ref.path = joinPath(path, key);
    return ref;
}

SourceRef SourceRef::item(int index, const YAML::Node& node) const {
    SourceRef ref = at(node);
    ref.path = path + u'[' + QString::number(index) + u']';
    return ref;
}

ConfigIssue IssueSink::make(const SourceRef& ref, const QString& message) const {
    ConfigIssue issue;
    issue.file = m_file;
    issue.line = ref.line;
    issue.column = ref.column;
    issue.key = ref.path;
    issue.message = m_scope.isEmpty() ? message : m_scope + QStringLiteral(": ") + message;
    return issue;
}

void IssueSink::error(const SourceRef& ref, const QString& message) {
    m_errors << make(ref, message);
}

void IssueSink::warning(const SourceRef& ref, const QString& message) {
    m_warnings << make(ref, message);
}

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

QString describe(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a list");
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        return QStringLiteral("nothing");
    case YAML::NodeType::Scalar:
        break;
    }
    const QString text = u'"' + fromStd(node.Scalar()) + u'"';
    return isPlain(node) ? text : QStringLiteral("the quoted string ") + text;
}

Read readString(IssueSink& sink, const YAML::Node& node, const SourceRef& ref, QString& out) {
    if (node.IsNull())
        return Read::Absent;
    if (!node.IsScalar()) {
        sink.error(ref, QStringLiteral("expected a string, got %1").arg(describe(node)));
        return Read::Bad;
    }
    out = fromStd(node.Scalar());
    return Read::Ok;
}

Read readInt(IssueSink& sink, const YAML::Node& node, const SourceRef& ref, int& out) {
    if (node.IsNull())
        return Read::Absent;
    const bool numeric =
        node.IsScalar() && (isPlain(node) || node.Tag() == kIntTag || node.Tag() == kFloatTag);
    if (numeric) {
        if (const std::optional<int> value = yamlscalar::toInt(fromStd(node.Scalar()))) {
            out = *value;
            return Read::Ok;
        }
    }
    sink.error(ref, QStringLiteral("expected an integer, got %1").arg(describe(node)));
    return Read::Bad;
}

Read readBool(IssueSink& sink, const YAML::Node& node, const SourceRef& ref, bool& out) {
    if (node.IsNull())
        return Read::Absent;
    if (node.IsScalar() && (isPlain(node) || node.Tag() == kBoolTag)) {
        if (const std::optional<bool> value = yamlscalar::toBool(fromStd(node.Scalar()))) {
            out = *value;
            return Read::Ok;
        }
    }
    sink.error(ref, QStringLiteral("expected a boolean (true/false), got %1").arg(describe(node)));
    return Read::Bad;
}

Read expectList(IssueSink& sink, const YAML::Node& node, const SourceRef& ref) {
    if (node.IsNull())
        return Read::Absent;
    if (!node.IsSequence()) {
        sink.error(ref, QStringLiteral("expected a list, got %1").arg(describe(node)));
        return Read::Bad;
    }
    return Read::Ok;
}

Read expectMap(IssueSink& sink, const YAML::Node& node, const SourceRef& ref) {
    if (node.IsNull())
        return Read::Absent;
    if (!node.IsMap()) {
        sink.error(ref, QStringLiteral("expected a mapping, got %1").arg(describe(node)));
        return Read::Bad;
    }
    return Read::Ok;
}

Read readStringList(IssueSink& sink, const YAML::Node& node, const SourceRef& ref,
                    QList<Located<QString>>& out) {
    const Read list = expectList(sink, node, ref);
    if (list != Read::Ok)
        return list;
    Read result = Read::Ok;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        Located<QString> entry;
        entry.ref = ref.item(static_cast<int>(i), item);
        const Read r = readString(sink, item, entry.ref, entry.value);
        if (r == Read::Bad)
            result = Read::Bad;
        else
            out << entry; // a null item is an empty string, as in Go
    }
    return result;
}

Read readIntList(IssueSink& sink, const YAML::Node& node, const SourceRef& ref,
                 QList<Located<int>>& out) {
    const Read list = expectList(sink, node, ref);
    if (list != Read::Ok)
        return list;
    Read result = Read::Ok;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        Located<int> entry;
        entry.ref = ref.item(static_cast<int>(i), item);
        const Read r = readInt(sink, item, entry.ref, entry.value);
        if (r == Read::Bad)
            result = Read::Bad;
        else
            out << entry; // a null item is 0, as in Go
    }
    return result;
}

MapReader::MapReader(IssueSink& sink, const YAML::Node& map, const SourceRef& ref,
                     const QStringList& allowedKeys)
    : m_ref(ref) {
    if (!map.IsMap())
        return;
    QHash<QString, int> seenAt; // key -> line of its first occurrence
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node keyNode = it->first;
        const YAML::Node value = it->second;
        if (!keyNode.IsScalar()) {
            sink.error(
                ref.at(keyNode),
                QStringLiteral("mapping keys must be plain values, got %1").arg(describe(keyNode)));
            continue;
        }
        const QString key = fromStd(keyNode.Scalar());
        if (const auto first = seenAt.constFind(key); first != seenAt.cend()) {
            sink.error(ref.child(key, keyNode),
                       QStringLiteral("mapping key \"%1\" already defined at line %2")
                           .arg(key)
                           .arg(*first));
            continue;
        }
        seenAt.insert(key, ref.at(keyNode).line);
        if (!allowedKeys.isEmpty() && !allowedKeys.contains(key)) {
            sink.error(ref.child(key, keyNode),
                       QStringLiteral("unknown key \"%1\" (expected one of: %2)")
                           .arg(key, allowedKeys.join(QStringLiteral(", "))));
            continue;
        }
        Entry entry;
        entry.key = key;
        entry.keyNode = keyNode;
        entry.value = value;
        entry.ref = ref.child(key, value.IsNull() ? keyNode : value);
        m_entries << entry;
    }
}

const MapReader::Entry* MapReader::find(const QString& key) const {
    for (const Entry& entry : m_entries) {
        if (entry.key == key)
            return &entry;
    }
    return nullptr;
}

YAML::Node MapReader::value(const QString& key) const {
    const Entry* entry = find(key);
    return entry ? entry->value : YAML::Node();
}

SourceRef MapReader::ref(const QString& key) const {
    if (const Entry* entry = find(key))
        return entry->ref;
    SourceRef ref = m_ref;
    ref.path = joinPath(m_ref.path, key);
    return ref;
}

} // namespace nexustray::configyaml
