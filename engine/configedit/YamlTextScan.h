// Finding things in YAML text by position, for editing config.yaml in place (the text around a
// yaml-cpp mark: its line, the end of a scalar or flow collection, the lines of a block).
#pragma once

#include <QByteArray>

namespace nexustray::configedit::yamltext {

// Offset of the start of the line that contains `pos`.
qsizetype lineStart(const QByteArray& text, qsizetype pos);
// Offset just past the end of the line that contains `pos` (after its '\n', or the text's end).
qsizetype lineEnd(const QByteArray& text, qsizetype pos);
// Only blanks between the start of the line and `pos`.
bool onlySpacesBefore(const QByteArray& text, qsizetype pos);
// Number of leading spaces of the line starting at `start`.
int indentAt(const QByteArray& text, qsizetype start);
// The line starting at `start` is blank or holds only a comment.
bool isBlankLine(const QByteArray& text, qsizetype start);
bool isCommentLine(const QByteArray& text, qsizetype start);

// Length of the plain scalar token starting at `pos` (stops at blanks, ',', '#', '}' and ']').
qsizetype plainTokenLength(const QByteArray& text, qsizetype pos);

// End (exclusive) of the one-line scalar starting at `pos`: a quoted one up to its closing quote,
// a plain one up to a comment or the line's end (in a flow collection also ',', ']' and '}'),
// without trailing blanks. -1 when it is not one (block scalar, unterminated quote).
qsizetype scalarEnd(const QByteArray& text, qsizetype pos, bool inFlow);
// End (exclusive) of the flow collection whose '[' or '{' is at `pos`; -1 when unterminated.
qsizetype flowEnd(const QByteArray& text, qsizetype pos);

// End (exclusive) of the block that starts on the line at `start` and belongs to something at
// `column`: the following lines indented deeper (and, with `dashAtColumn`, "- " items at
// `column`), with the blank and comment lines between them and the deeper comments after them.
// Comments at `column` or less after the block belong to what follows.
qsizetype blockEnd(const QByteArray& text, qsizetype start, int column, bool dashAtColumn);
// Start of the comment lines directly above the line at `start` (no blank line between),
// indented exactly `column` (deeper ones belong to the block above, see blockEnd); `start` when
// there are none.
qsizetype attachedCommentsStart(const QByteArray& text, qsizetype start, int column);

} // namespace nexustray::configedit::yamltext
