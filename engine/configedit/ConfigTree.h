// A backend as a tree of YAML keys and values (configedit's view for comparing and rendering):
// fullTree() holds every key the loader reads, defaults included (so that a value set back to its
// default is edited, not removed); minimalTree() is what configyaml::writeConfigYaml writes (only
// non-default keys), used for new content. Keys and scalars are in the loader's spelling.
#pragma once

#include <QList>
#include <QPair>
#include <QString>

#include "nexustray/Config.h"

namespace nexustray::configedit {

struct YamlTree {
    enum class Kind { Scalar, Seq, Map };
    Kind kind = Kind::Scalar;
    QString scalar;
    bool isString = false; // a string (quoted when it must be), not a number or boolean
    QList<YamlTree> items;
    QList<QPair<QString, YamlTree>> entries;

    bool isScalar() const { return kind == Kind::Scalar; }
    bool isSeq() const { return kind == Kind::Seq; }
    bool isMap() const { return kind == Kind::Map; }
    const YamlTree* find(const QString& key) const;
    bool operator==(const YamlTree& o) const;
    bool operator!=(const YamlTree& o) const { return !(*this == o); }
};

YamlTree fullTree(const BackendConfig& backend);
YamlTree minimalTree(const BackendConfig& backend);

} // namespace nexustray::configedit
