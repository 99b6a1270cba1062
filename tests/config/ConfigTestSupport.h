// Helpers shared by the config loader tests: the "base" backend of config.md §8 with changes.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include "nexustray/Config.h"

namespace configtest {

// One change to the base backend: `key` is replaced by `yaml` (a block of YAML written at
// backend-level indentation, may span lines), removed when `yaml` is empty, appended when new.
using Change = QPair<QString, QString>;

inline QByteArray baseYaml(const QList<Change>& changes = {}) {
    QList<Change> lines = {
        {QStringLiteral("name"), QStringLiteral("name: edge")},
        {QStringLiteral("hostnames"), QStringLiteral("hostnames: [app.example.com]")},
        {QStringLiteral("nexusAddresses"),
         QStringLiteral("nexusAddresses: [\"wss://hub.example.com/connect\"]")},
        {QStringLiteral("attestation"), QStringLiteral("attestation: {hmacSecret: s3cret}")},
        {QStringLiteral("portMappings"),
         QStringLiteral("portMappings: {80: {default: \"localhost:8080\"}}")},
    };
    for (const Change& change : changes) {
        bool replaced = false;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (lines[i].first == change.first) {
                if (change.second.isEmpty())
                    lines.removeAt(i);
                else
                    lines[i].second = change.second;
                replaced = true;
                break;
            }
        }
        if (!replaced && !change.second.isEmpty())
            lines << change;
    }
    QString out = QStringLiteral("backends:\n");
    bool first = true;
    for (const Change& line : lines) {
        const QStringList parts = line.second.split(u'\n');
        for (qsizetype i = 0; i < parts.size(); ++i) {
            out += (first ? QStringLiteral("  - ") : QStringLiteral("    ")) + parts[i] + u'\n';
            first = false;
        }
    }
    return out.toUtf8();
}

inline QString describe(const QList<nexustray::ConfigIssue>& issues) {
    QStringList out;
    for (const nexustray::ConfigIssue& issue : issues)
        out << issue.toString();
    return out.join(QStringLiteral(" | "));
}

} // namespace configtest
