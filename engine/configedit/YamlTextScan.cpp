#include "configedit/YamlTextScan.h"

namespace nexustray::configedit::yamltext {

qsizetype lineStart(const QByteArray& text, qsizetype pos) {
    while (pos > 0 && text.at(pos - 1) != '\n')
        --pos;
    return pos;
}

qsizetype lineEnd(const QByteArray& text, qsizetype pos) {
    const qsizetype nl = text.indexOf('\n', pos);
    return nl < 0 ? text.size() : nl + 1;
}

bool onlySpacesBefore(const QByteArray& text, qsizetype pos) {
    for (qsizetype i = lineStart(text, pos); i < pos; ++i) {
        if (text.at(i) != ' ' && text.at(i) != '\t')
            return false;
    }
    return true;
}

int indentAt(const QByteArray& text, qsizetype start) {
    int n = 0;
    while (start + n < text.size() && text.at(start + n) == ' ')
        ++n;
    return n;
}

namespace {

// The first character of the line at `start` that is not a blank; '\n' at the line's end.
char firstNonBlank(const QByteArray& text, qsizetype start) {
    for (qsizetype i = start; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c != ' ' && c != '\t' && c != '\r')
            return c;
    }
    return '\n';
}

} // namespace

bool isBlankLine(const QByteArray& text, qsizetype start) {
    return firstNonBlank(text, start) == '\n';
}

bool isCommentLine(const QByteArray& text, qsizetype start) {
    return firstNonBlank(text, start) == '#';
}

qsizetype plainTokenLength(const QByteArray& text, qsizetype pos) {
    qsizetype end = pos;
    while (end < text.size()) {
        const char c = text.at(end);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '#' || c == '}' ||
            c == ']')
            break;
        ++end;
    }
    return end - pos;
}

qsizetype scalarEnd(const QByteArray& text, qsizetype pos, bool inFlow) {
    if (pos < 0 || pos >= text.size())
        return -1;
    const char first = text.at(pos);
    if (first == '"') {
        for (qsizetype i = pos + 1; i < text.size(); ++i) {
            if (text.at(i) == '\\')
                ++i;
            else if (text.at(i) == '"')
                return i + 1;
        }
        return -1;
    }
    if (first == '\'') {
        for (qsizetype i = pos + 1; i < text.size(); ++i) {
            if (text.at(i) != '\'')
                continue;
            if (i + 1 < text.size() && text.at(i + 1) == '\'')
                ++i;
            else
                return i + 1;
        }
        return -1;
    }
    if (first == '|' || first == '>' || first == '\n' || first == '#')
        return -1;
    qsizetype end = pos;
    while (end < text.size()) {
        const char c = text.at(end);
        if (c == '\n' || c == '\r')
            break;
        if (c == '#' && end > pos && (text.at(end - 1) == ' ' || text.at(end - 1) == '\t'))
            break;
        if (inFlow && (c == ',' || c == ']' || c == '}'))
            break;
        ++end;
    }
    while (end > pos && (text.at(end - 1) == ' ' || text.at(end - 1) == '\t'))
        --end;
    return end;
}

qsizetype flowEnd(const QByteArray& text, qsizetype pos) {
    int depth = 0;
    for (qsizetype i = pos; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '"' || c == '\'') {
            const qsizetype end = scalarEnd(text, i, true);
            if (end < 0)
                return -1;
            i = end - 1;
        } else if (c == '#' && i > 0 && (text.at(i - 1) == ' ' || text.at(i - 1) == '\t')) {
            i = lineEnd(text, i) - 1;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return -1;
}

qsizetype blockEnd(const QByteArray& text, qsizetype start, int column, bool dashAtColumn) {
    qsizetype end = lineEnd(text, start);
    for (qsizetype p = end; p < text.size();) {
        const qsizetype next = lineEnd(text, p);
        const int indent = indentAt(text, p);
        if (isBlankLine(text, p)) {
            p = next;
            continue;
        }
        if (isCommentLine(text, p)) {
            if (indent > column)
                end = next;
            p = next;
            continue;
        }
        const bool dash = text.at(p + indent) == '-' &&
                          (p + indent + 1 >= text.size() || text.at(p + indent + 1) == ' ' ||
                           text.at(p + indent + 1) == '\n');
        if (indent > column || (dashAtColumn && indent == column && dash)) {
            end = next;
            p = next;
            continue;
        }
        break;
    }
    return end;
}

qsizetype attachedCommentsStart(const QByteArray& text, qsizetype start, int column) {
    qsizetype first = start;
    while (first > 0) {
        const qsizetype above = lineStart(text, first - 1);
        if (!isCommentLine(text, above) || indentAt(text, above) != column)
            break;
        first = above;
    }
    return first;
}

} // namespace nexustray::configedit::yamltext
