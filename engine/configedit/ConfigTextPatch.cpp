#include "configedit/ConfigTextPatch.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <sstream>
#include <vector>

#include "config/ConfigWriter.h"
#include "config/Hostname.h"
#include "configedit/ConfigTree.h"
#include "configedit/YamlTextScan.h"

namespace nexustray::configedit {

namespace {

using namespace yamltext;

// How the file writes things, for new content: the indentation step, whether block lists are
// indented under their key, flow or block lists of scalars, the usual quote of strings.
struct Style {
    int step = 2;
    bool seqIndented = true;
    bool flowSeqs = false;
    char quote = 0; // 0 = plain when possible, '"' or '\''
    bool blankBetweenBackends = false;
};

// Finds anchors and aliases: text that several nodes share cannot be edited for one of them.
class AnchorFinder : public YAML::EventHandler {
public:
    bool found = false;
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t a) override { note(a); }
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override { found = true; }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t a,
                  const std::string&) override {
        note(a);
    }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t a,
                         YAML::EmitterStyle::value) override {
        note(a);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t a,
                    YAML::EmitterStyle::value) override {
        note(a);
    }
    void OnMapEnd() override {}

private:
    void note(YAML::anchor_t a) {
        if (a != YAML::NullAnchor)
            found = true;
    }
};

bool usesAnchors(const QByteArray& text) {
    std::istringstream in(text.toStdString());
    YAML::Parser parser(in);
    AnchorFinder finder;
    while (parser.HandleNextDocument(finder) && !finder.found) {
    }
    return finder.found;
}

QByteArray spaces(int n) {
    return QByteArray(qMax(0, n), ' ');
}

bool looksLikeNonString(const QString& v) {
    static const QStringList words = {QStringLiteral("null"), QStringLiteral("~"),
                                      QStringLiteral("true"), QStringLiteral("false"),
                                      QStringLiteral("yes"),  QStringLiteral("no"),
                                      QStringLiteral("on"),   QStringLiteral("off"),
                                      QStringLiteral("y"),    QStringLiteral("n")};
    if (words.contains(v.toLower()))
        return true;
    bool number = false;
    v.toDouble(&number);
    return number || v.startsWith(QLatin1String("0x")) || v.startsWith(QLatin1String("0o"));
}

// A string that reads back as the same string when written without quotes.
bool safePlain(const QString& v, bool inFlow) {
    if (v.isEmpty() || v != v.trimmed() || looksLikeNonString(v))
        return false;
    if (QStringLiteral("-?:,[]{}#&*!|>'\"%@`").contains(v.at(0)))
        return false;
    if (v.contains(QLatin1String(": ")) || v.contains(QLatin1String(" #")) ||
        v.endsWith(QLatin1Char(':')))
        return false;
    for (const QChar c : v) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return false;
        if (inFlow && QStringLiteral(",[]{}:").contains(c))
            return false;
    }
    return true;
}

QByteArray doubleQuoted(const QString& v) {
    QByteArray out = "\"";
    for (const QChar c : v) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += '\\' + QString(c).toUtf8();
        else if (c == QLatin1Char('\n'))
            out += "\\n";
        else if (c == QLatin1Char('\t'))
            out += "\\t";
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0')).toUtf8();
        else
            out += QString(c).toUtf8();
    }
    return out + '"';
}

QByteArray quoted(const QString& v, char quote, bool inFlow) {
    if (quote == 0 && safePlain(v, inFlow))
        return v.toUtf8();
    const bool control =
        std::any_of(v.begin(), v.end(), [](QChar c) { return c.unicode() < 0x20; });
    if (quote == '\'' && !control)
        return '\'' + QString(v).replace(QLatin1Char('\''), QLatin1String("''")).toUtf8() + '\'';
    return doubleQuoted(v);
}

QByteArray renderScalar(const YamlTree& t, char quote, bool inFlow) {
    return t.isString ? quoted(t.scalar, quote, inFlow) : t.scalar.toUtf8();
}

QByteArray renderKey(const QString& key) {
    return safePlain(key, false) || QStringLiteral("0123456789").contains(key.at(0))
               ? key.toUtf8()
               : doubleQuoted(key);
}

char quoteAt(const QByteArray& text, qsizetype pos) {
    const char c = pos >= 0 && pos < text.size() ? text.at(pos) : 0;
    return c == '"' || c == '\'' ? c : 0;
}

bool allScalars(const YamlTree& seq) {
    return std::all_of(seq.items.begin(), seq.items.end(),
                       [](const YamlTree& t) { return t.isScalar(); });
}

class Renderer {
public:
    explicit Renderer(const Style& style)
        : m_style(style) {}

    QByteArray inlineValue(const YamlTree& t, char quote) const {
        if (t.isScalar())
            return renderScalar(t, quote, true);
        QByteArrayList parts;
        if (t.isSeq()) {
            for (const YamlTree& item : t.items)
                parts << inlineValue(item, quote);
            return '[' + parts.join(", ") + ']';
        }
        for (const auto& [key, value] : t.entries)
            parts << renderKey(key) + ": " + inlineValue(value, quote);
        return '{' + parts.join(", ") + '}';
    }

    // What follows "key:": " value\n", or "\n" and the block indented under a key at `column`.
    QByteArray afterKey(const YamlTree& t, int column) const {
        if (t.isScalar())
            return ' ' + renderScalar(t, m_style.quote, false) + '\n';
        if (t.isSeq() && (t.items.isEmpty() || (m_style.flowSeqs && allScalars(t))))
            return ' ' + inlineValue(t, m_style.quote) + '\n';
        if (t.isMap() && t.entries.isEmpty())
            return " {}\n";
        if (t.isSeq())
            return '\n' +
                   items(t, column + (m_style.seqIndented ? m_style.step : 0), m_style.quote);
        return '\n' + entries(t, column + m_style.step);
    }

    QByteArray entries(const YamlTree& map, int column) const {
        QByteArray out;
        for (const auto& [key, value] : map.entries)
            out += spaces(column) + renderKey(key) + ':' + afterKey(value, column);
        return out;
    }

    // Block list items "- x" with the dash at `column`.
    QByteArray items(const YamlTree& seq, int column, char quote) const {
        QByteArray out;
        for (const YamlTree& item : seq.items) {
            if (item.isScalar()) {
                out += spaces(column) + "- " + renderScalar(item, quote, false) + '\n';
            } else if (item.isMap() && !item.entries.isEmpty()) {
                out += spaces(column) + "- " + entries(item, column + 2).mid(column + 2);
            } else {
                out += spaces(column) + "- " + inlineValue(item, quote) + '\n';
            }
        }
        return out;
    }

private:
    const Style& m_style;
};

struct Edit {
    qsizetype start = 0;
    qsizetype end = 0;
    QByteArray text;
    int order = 0;
};

struct Entry {
    YAML::Node key;
    YAML::Node value;
    QString name;
};

QList<Entry> entriesOf(const YAML::Node& map) {
    QList<Entry> out;
    for (auto it = map.begin(); it != map.end(); ++it)
        out.append({it->first, it->second, QString::fromStdString(it->first.Scalar())});
    return out;
}

bool sameKey(const QString& fileKey, const QString& treeKey, const QString& context) {
    if (fileKey == treeKey)
        return true;
    if (context == QLatin1String("portMappings")) {
        bool a = false;
        bool b = false;
        return fileKey.trimmed().toInt(&a) == treeKey.toInt(&b) && a && b;
    }
    if (context == QLatin1String("hosts"))
        return hostname::normalizePattern(fileKey) == treeKey;
    return false;
}

// The LCS alignment of two lists: 'k'eep (both), 'd'elete (old only), 'i'nsert (new only).
QByteArray align(const QList<YamlTree>& a, const QList<YamlTree>& b) {
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<int> dp(std::size_t((n + 1) * (m + 1)), 0);
    auto at = [&](qsizetype i, qsizetype j) -> int& { return dp[std::size_t(i * (m + 1) + j)]; };
    for (qsizetype i = n - 1; i >= 0; --i)
        for (qsizetype j = m - 1; j >= 0; --j)
            at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : qMax(at(i + 1, j), at(i, j + 1));
    QByteArray ops;
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            ops += 'k';
            ++i;
            ++j;
        } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
            ops += 'd';
            ++i;
        } else {
            ops += 'i';
            ++j;
        }
    }
    return ops;
}

class Patcher {
public:
    Patcher(const QByteArray& text, const Style& style)
        : m_text(text)
        , m_style(style)
        , m_render(m_style) {}

    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

    void fail(const QString& why) {
        if (m_error.isEmpty())
            m_error = why;
    }

    // Edits the block or flow mapping `file` (which loads as `oldT`) to hold `newT`.
    // `newMin` is newT as the writer would write it (for content that is new).
    void diffMap(const YAML::Node& file, const YamlTree& oldT, const YamlTree& newT,
                 const YamlTree* newMin, const QString& context) {
        if (!file.IsMap())
            return fail(QStringLiteral("'%1' is not a mapping in the file").arg(context));
        const bool flow = file.Style() == YAML::EmitterStyle::Flow;
        const QList<Entry> fileEntries = entriesOf(file);
        auto findEntry = [&](const QString& key) -> const Entry* {
            for (const Entry& e : fileEntries) {
                if (sameKey(e.name, key, context))
                    return &e;
            }
            return nullptr;
        };
        const Entry* previous = nullptr;
        for (const auto& [key, value] : newT.entries) {
            const Entry* entry = findEntry(key);
            const YamlTree* old = oldT.find(key);
            const YamlTree* min = newMin ? newMin->find(key) : nullptr;
            if (old && *old == value) {
                if (entry)
                    previous = entry;
                continue;
            }
            if (entry) {
                setValue(*entry, flow, old, value, min, key);
                previous = entry;
                continue;
            }
            if (flow)
                return fail(QStringLiteral("cannot add '%1' to a flow mapping {...}").arg(key));
            qsizetype at = -1;
            if (previous)
                at = entryEnd(*previous);
            else if (!fileEntries.isEmpty())
                at = entryStart(fileEntries.first());
            if (at < 0)
                at = entryEnd(fileEntries.last());
            const int column = fileEntries.isEmpty() ? 0 : fileEntries.first().key.Mark().column;
            add(at, at,
                spaces(column) + renderKey(key) + ':' +
                    m_render.afterKey(min ? *min : value, column));
        }
        for (const auto& [key, value] : oldT.entries) {
            Q_UNUSED(value);
            if (newT.find(key))
                continue;
            if (const Entry* entry = findEntry(key)) {
                if (flow)
                    return fail(
                        QStringLiteral("cannot remove '%1' from a flow mapping {...}").arg(key));
                const qsizetype pos = entry->key.Mark().pos;
                if (!onlySpacesBefore(m_text, pos))
                    return fail(QStringLiteral("cannot remove '%1': it shares its line").arg(key));
                const int column = entry->key.Mark().column;
                remove(attachedCommentsStart(m_text, lineStart(m_text, pos), column),
                       entryEnd(*entry));
            }
        }
    }

    // Removes backend `item` (a block list item) with the comments directly above it.
    void removeItem(const YAML::Node& item) {
        const qsizetype dash = dashOf(item);
        if (dash < 0)
            return;
        const int column = int(dash - lineStart(m_text, dash));
        const qsizetype start = lineStart(m_text, dash);
        remove(attachedCommentsStart(m_text, start, column),
               blockEnd(m_text, start, column, false));
    }

    // The text of a new list item holding the mapping `tree`, dash at `dashColumn`, keys at
    // `keyColumn`.
    QByteArray itemText(const YamlTree& tree, int dashColumn, int keyColumn) {
        if (keyColumn - dashColumn < 2) {
            fail(QStringLiteral("cannot tell how backends are indented"));
            return {};
        }
        const QByteArray body = m_render.entries(tree, keyColumn);
        return spaces(dashColumn) + '-' + spaces(keyColumn - dashColumn - 1) + body.mid(keyColumn);
    }

    qsizetype itemEnd(const YAML::Node& item) {
        const qsizetype dash = dashOf(item);
        if (dash < 0)
            return -1;
        return blockEnd(m_text, lineStart(m_text, dash), int(dash - lineStart(m_text, dash)),
                        false);
    }

    qsizetype itemStart(const YAML::Node& item) {
        const qsizetype dash = dashOf(item);
        if (dash < 0)
            return -1;
        const qsizetype start = lineStart(m_text, dash);
        return attachedCommentsStart(m_text, start, int(dash - start));
    }

    // The '-' of the block list item whose content starts at `item`'s mark.
    qsizetype dashOf(const YAML::Node& item) {
        qsizetype pos = item.Mark().pos - 1;
        while (pos >= 0 && m_text.at(pos) == ' ')
            --pos;
        if (pos < 0 || m_text.at(pos) != '-' || !onlySpacesBefore(m_text, pos)) {
            fail(QStringLiteral("cannot locate a list item in the file"));
            return -1;
        }
        return pos;
    }

    void add(qsizetype start, qsizetype end, const QByteArray& text) {
        m_edits.append({start, end, text, int(m_edits.size())});
    }

    QByteArray apply() {
        QList<Edit> edits = m_edits;
        std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
            if (a.start != b.start)
                return a.start < b.start;
            const bool aInsert = a.start == a.end;
            const bool bInsert = b.start == b.end;
            if (aInsert != bInsert)
                return aInsert; // an insertion goes before a removal that starts there
            return a.order < b.order;
        });
        const bool crlf = m_text.contains("\r\n"); // new lines end like the file's
        QByteArray out;
        qsizetype done = 0;
        for (const Edit& e : edits) {
            if (e.start < done) {
                fail(QStringLiteral("overlapping edits"));
                return {};
            }
            out += m_text.mid(done, e.start - done);
            out += crlf ? QByteArray(e.text).replace("\n", "\r\n") : e.text;
            done = e.end;
        }
        out += m_text.mid(done);
        return out;
    }

private:
    void remove(qsizetype start, qsizetype end) {
        // A blank line above and one below: one of them goes too.
        // After the parent's key line, a blank line below goes too.
        const qsizetype above = start == 0 ? -1 : lineStart(m_text, start - 1);
        const bool blankAbove =
            above < 0 || isBlankLine(m_text, above) ||
            (!isCommentLine(m_text, above) && indentAt(m_text, above) < indentAt(m_text, start));
        if (blankAbove && end < m_text.size() && isBlankLine(m_text, end))
            end = lineEnd(m_text, end);
        add(start, end, {});
    }

    qsizetype entryEnd(const Entry& e) {
        const qsizetype pos = e.key.Mark().pos;
        return blockEnd(m_text, lineStart(m_text, pos), e.key.Mark().column, e.value.IsSequence());
    }

    // Where a key can be inserted before `e`: above its comments; after it when it is the first
    // key of a list item ("- key: ...").
    qsizetype entryStart(const Entry& e) {
        const qsizetype pos = e.key.Mark().pos;
        if (!onlySpacesBefore(m_text, pos))
            return entryEnd(e);
        return attachedCommentsStart(m_text, lineStart(m_text, pos), e.key.Mark().column);
    }

    void setValue(const Entry& e, bool parentFlow, const YamlTree* old, const YamlTree& value,
                  const YamlTree* min, const QString& key) {
        const YAML::Node& file = e.value;
        if (value.isScalar() && file.IsScalar())
            return replaceScalar(file, value, parentFlow, key);
        if (value.isMap() && file.IsMap() && old && old->isMap())
            return diffMap(file, *old, value, min, key);
        if (value.isSeq() && file.IsSequence() && old && old->isSeq())
            return editSeq(file, *old, value, parentFlow, e, min, key);
        replaceWhole(e, parentFlow, min ? *min : value, key);
    }

    void replaceScalar(const YAML::Node& file, const YamlTree& value, bool inFlow,
                       const QString& key) {
        const qsizetype pos = file.Mark().pos;
        const qsizetype end = scalarEnd(m_text, pos, inFlow);
        const char quote = quoteAt(m_text, pos);
        if (end < 0 || (quote == 0 && m_text.mid(pos, end - pos).toStdString() != file.Scalar()))
            return fail(QStringLiteral("cannot edit the value of '%1' in place").arg(key));
        add(pos, end, renderScalar(value, quote, inFlow));
    }

    void replaceWhole(const Entry& e, bool parentFlow, const YamlTree& value, const QString& key) {
        const YAML::Node& file = e.value;
        const auto cannot = [&] {
            fail(QStringLiteral("cannot replace the value of '%1' in place").arg(key));
        };
        if (parentFlow) {
            const qsizetype pos = file.Mark().pos;
            if (file.IsNull())
                return cannot();
            const qsizetype end =
                file.IsScalar() ? scalarEnd(m_text, pos, true) : flowEnd(m_text, pos);
            if (end < 0 || (!file.IsScalar() && file.Style() != YAML::EmitterStyle::Flow))
                return cannot();
            add(pos, end, m_render.inlineValue(value, m_style.quote));
            return;
        }
        const qsizetype keyPos = e.key.Mark().pos;
        qsizetype colon = -1;
        if (const char q = quoteAt(m_text, keyPos)) {
            Q_UNUSED(q);
            colon = scalarEnd(m_text, keyPos, true);
            while (colon >= 0 && colon < m_text.size() && m_text.at(colon) == ' ')
                ++colon;
        } else {
            for (qsizetype i = keyPos; i + 1 < m_text.size() && m_text.at(i) != '\n'; ++i) {
                if (m_text.at(i) == ':' && (m_text.at(i + 1) == ' ' || m_text.at(i + 1) == '\n')) {
                    colon = i;
                    break;
                }
            }
        }
        if (colon < 0 || colon >= m_text.size() || m_text.at(colon) != ':')
            return cannot();
        const int column = e.key.Mark().column;
        QByteArray replacement = m_render.afterKey(value, column);
        // A comment at the end of the key's line stays there.
        qsizetype valueEnd = colon + 1;
        const qsizetype valuePos = file.Mark().pos;
        if (!file.IsNull() && valuePos > colon && valuePos < lineEnd(m_text, colon)) {
            valueEnd = file.IsScalar() ? scalarEnd(m_text, valuePos, false)
                       : file.Style() == YAML::EmitterStyle::Flow ? flowEnd(m_text, valuePos)
                                                                  : -1;
        }
        if (valueEnd >= 0 && valueEnd < lineEnd(m_text, colon)) {
            const QByteArray rest =
                m_text.mid(valueEnd, lineEnd(m_text, colon) - valueEnd).trimmed();
            if (rest.startsWith('#')) {
                const qsizetype hash = m_text.indexOf('#', valueEnd);
                QByteArray gap = m_text.mid(valueEnd, hash - valueEnd);
                if (gap.isEmpty())
                    gap = " ";
                replacement.insert(replacement.indexOf('\n'), gap + rest);
            }
        }
        add(colon + 1, blockEnd(m_text, lineStart(m_text, keyPos), column, true), replacement);
    }

    void editSeq(const YAML::Node& file, const YamlTree& old, const YamlTree& value,
                 bool parentFlow, const Entry& e, const YamlTree* min, const QString& key) {
        const char firstQuote = file.size() > 0 && file[0].IsScalar()
                                    ? quoteAt(m_text, file[0].Mark().pos)
                                    : m_style.quote;
        if (file.Style() == YAML::EmitterStyle::Flow) {
            const qsizetype pos = file.Mark().pos;
            const qsizetype end =
                pos < m_text.size() && m_text.at(pos) == '[' ? flowEnd(m_text, pos) : -1;
            if (end < 0)
                return fail(QStringLiteral("cannot locate the list '%1'").arg(key));
            add(pos, end, m_render.inlineValue(value, firstQuote));
            return;
        }
        if (parentFlow || value.items.isEmpty() || file.size() == 0)
            return replaceWhole(e, parentFlow, min ? *min : value, key);
        QList<qsizetype> starts;
        QList<qsizetype> ends;
        int column = 0;
        for (std::size_t i = 0; i < file.size(); ++i) {
            const qsizetype dash = dashOf(file[i]);
            if (dash < 0)
                return;
            column = int(dash - lineStart(m_text, dash));
            starts << lineStart(m_text, dash);
            ends << blockEnd(m_text, starts.last(), column, false);
        }
        if (qsizetype(file.size()) != old.items.size() || !allScalars(old) || !allScalars(value)) {
            add(starts.first(), ends.last(), m_render.items(value, column, firstQuote));
            return;
        }
        // Item by item: unchanged items keep their lines (and comments).
        const QByteArray ops = align(old.items, value.items);
        qsizetype anchor = starts.first();
        qsizetype i = 0;
        qsizetype j = 0;
        for (const char op : ops) {
            if (op == 'k') {
                anchor = ends[i++];
                ++j;
            } else if (op == 'd') {
                add(starts[i], ends[i], {});
                anchor = ends[i++];
            } else {
                add(anchor, anchor,
                    spaces(column) + "- " + renderScalar(value.items[j++], firstQuote, false) +
                        '\n');
            }
        }
    }

    QByteArray m_text;
    Style m_style;
    Renderer m_render;
    QList<Edit> m_edits;
    QString m_error;
};

// The file's habits, read from its backends.
Style styleOf(const QByteArray& text, const YAML::Node& backends) {
    Style style;
    int flow = 0;
    int block = 0;
    int plain = 0;
    int doubleQ = 0;
    int singleQ = 0;
    bool stepFound = false;
    bool seqFound = false;
    std::function<void(const YAML::Node&)> walk = [&](const YAML::Node& map) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            if (value.IsScalar() && !value.IsNull()) {
                const char q = quoteAt(text, value.Mark().pos);
                if (q == '"')
                    ++doubleQ;
                else if (q == '\'')
                    ++singleQ;
                else if (!looksLikeNonString(QString::fromStdString(value.Scalar())))
                    ++plain;
            } else if (value.IsMap() && value.Style() != YAML::EmitterStyle::Flow) {
                if (!stepFound && value.size() > 0) {
                    style.step = qMax(1, value.begin()->first.Mark().column - key.Mark().column);
                    stepFound = true;
                }
                walk(value);
            } else if (value.IsSequence()) {
                if (value.Style() == YAML::EmitterStyle::Flow) {
                    ++flow;
                } else {
                    ++block;
                    if (!seqFound && value.size() > 0) {
                        seqFound = true;
                        style.seqIndented = value[0].Mark().column - 2 > key.Mark().column;
                    }
                }
                for (std::size_t i = 0; i < value.size(); ++i) {
                    if (!value[i].IsScalar())
                        continue;
                    const char q = quoteAt(text, value[i].Mark().pos);
                    q == '"' ? ++doubleQ : q == '\'' ? ++singleQ : ++plain;
                }
            }
        }
    };
    for (std::size_t i = 0; i < backends.size(); ++i) {
        if (backends[i].IsMap())
            walk(backends[i]);
    }
    style.flowSeqs = flow > block;
    style.quote = doubleQ > plain && doubleQ >= singleQ ? '"' : singleQ > plain ? '\'' : char(0);
    if (backends.size() > 1) {
        const qsizetype second = attachedCommentsStart(
            text, lineStart(text, backends[1].Mark().pos), backends[1].Mark().column - 2);
        style.blankBetweenBackends = second > 0 && isBlankLine(text, lineStart(text, second - 1));
    }
    return style;
}

// origins given, or: same name, then the rest in order.
QList<int> resolveOrigins(const Config& before, const Config& after, const QList<int>& given) {
    if (!given.isEmpty())
        return given;
    QList<int> origins(after.backends.size(), -1);
    QList<bool> used(before.backends.size(), false);
    for (qsizetype j = 0; j < after.backends.size(); ++j) {
        for (qsizetype i = 0; i < before.backends.size(); ++i) {
            if (!used[i] && before.backends[i].name == after.backends[j].name) {
                origins[j] = int(i);
                used[i] = true;
                break;
            }
        }
    }
    qsizetype next = 0;
    for (qsizetype j = 0; j < after.backends.size(); ++j) {
        if (origins[j] >= 0) {
            next = qMax(next, qsizetype(origins[j]) + 1);
            continue;
        }
        while (next < before.backends.size() && used[next])
            ++next;
        // Only an unmatched one that is not behind a matched one later on.
        bool laterMatched = false;
        for (qsizetype k = j + 1; k < after.backends.size(); ++k)
            laterMatched = laterMatched || (origins[k] >= 0 && origins[k] < next);
        if (next < before.backends.size() && !laterMatched) {
            origins[j] = int(next);
            used[next++] = true;
        }
    }
    return origins;
}

ConfigPatchResult failure(const QString& why) {
    ConfigPatchResult r;
    r.error = why;
    return r;
}

} // namespace

ConfigPatchResult patchConfigText(const QByteArray& original, const Config& wanted,
                                  const QList<int>& givenOrigins) {
    const ConfigLoadResult before = loadConfigText(original);
    if (!before.ok())
        return failure(QStringLiteral("the file has errors"));
    // What the whole rewrite would load as: the check at the end accepts it too.
    const ConfigLoadResult rewritten = loadConfigText(configyaml::writeConfigYaml(wanted));
    if (!rewritten.ok())
        return failure(QStringLiteral("the configuration has errors: %1")
                           .arg(rewritten.errors.constFirst().toString()));
    const Config& edited = wanted;
    if (before.config == edited) {
        ConfigPatchResult same;
        same.ok = true;
        same.text = original;
        return same;
    }
    if (usesAnchors(original))
        return failure(QStringLiteral("the file uses YAML anchors or aliases"));
    const QList<int> origins = resolveOrigins(before.config, edited, givenOrigins);
    if (origins.size() != edited.backends.size())
        return failure(QStringLiteral("the backends do not match the file"));
    QList<bool> kept(before.config.backends.size(), false);
    int last = -1;
    for (int o : origins) {
        if (o < 0)
            continue;
        if (o >= before.config.backends.size() || kept[o] || o < last)
            return failure(QStringLiteral("the backends were reordered"));
        kept[o] = true;
        last = o;
    }

    QByteArray text = original;
    if (!text.endsWith('\n'))
        text.append(original.contains("\r\n") ? "\r\n" : "\n");
    QByteArray patched;
    QString error;
    try {
        const YAML::Node root = YAML::Load(text.toStdString());
        const YAML::Node backends = root["backends"];
        if (!backends.IsSequence() || qsizetype(backends.size()) != before.config.backends.size())
            return failure(QStringLiteral("cannot locate the backends in the file"));
        const Style style = styleOf(text, backends);
        Patcher patcher(text, style);
        const bool flowList = backends.Style() == YAML::EmitterStyle::Flow;
        const bool structural = std::count(origins.begin(), origins.end(), -1) > 0 ||
                                std::count(kept.begin(), kept.end(), false) > 0;
        if (flowList && structural)
            return failure(QStringLiteral("the backends are a flow list [...]"));
        qsizetype anchor = -1;
        for (qsizetype j = 0; j < edited.backends.size() && !patcher.failed(); ++j) {
            const BackendConfig& now = edited.backends[j];
            const int o = origins[j];
            if (o >= 0) {
                const YamlTree min = minimalTree(now);
                patcher.diffMap(backends[std::size_t(o)], fullTree(before.config.backends[o]),
                                fullTree(now), &min, QStringLiteral("backend"));
                anchor = patcher.itemEnd(backends[std::size_t(o)]);
                continue;
            }
            if (anchor < 0)
                anchor = kept.contains(true) || backends.size() == 0
                             ? patcher.itemStart(backends[0])
                             : patcher.itemEnd(backends[backends.size() - 1]);
            const YAML::Node first = backends[0];
            const qsizetype dash = patcher.dashOf(first);
            if (dash < 0)
                break;
            const int dashColumn = int(dash - lineStart(text, dash));
            QByteArray item = patcher.itemText(minimalTree(now), dashColumn, first.Mark().column);
            if (style.blankBetweenBackends)
                item.prepend('\n');
            patcher.add(anchor, anchor, item);
        }
        for (qsizetype i = 0; i < kept.size() && !patcher.failed(); ++i) {
            if (!kept[i])
                patcher.removeItem(backends[std::size_t(i)]);
        }
        if (!patcher.failed())
            patched = patcher.apply();
        error = patcher.error();
    } catch (const YAML::Exception& e) {
        return failure(
            QStringLiteral("cannot parse the file: %1").arg(QString::fromUtf8(e.what())));
    }
    if (!error.isEmpty())
        return failure(error);

    // Never hand out text that loads differently from what was asked for.
    // Each backend loads as edited or as the whole rewrite would load it (values normalised as
    // the loader does, e.g. the health-check numbers of a new backend).
    const ConfigLoadResult after = loadConfigText(patched);
    bool same = after.ok() && after.config.backends.size() == edited.backends.size();
    for (qsizetype i = 0; same && i < edited.backends.size(); ++i)
        same = after.config.backends[i] == edited.backends[i] ||
               after.config.backends[i] == rewritten.config.backends[i];
    if (!same) {
        return failure(after.ok() ? QStringLiteral("the edited file would not load as intended")
                                  : QStringLiteral("the edited file would not load: %1")
                                        .arg(after.errors.constFirst().toString()));
    }
    ConfigPatchResult result;
    result.ok = true;
    result.text = patched;
    return result;
}

} // namespace nexustray::configedit
