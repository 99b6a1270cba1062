// Unit tests of the one-line log format (app/LogFormat.cpp).

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include "LogFormat.h"

using namespace nexustray::app;

class TestLogFormat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void journalLineHasPriorityAndCategory() {
        QCOMPARE(formatLogLine(LogStyle::Journal, QtInfoMsg, "nexus.session", QStringLiteral("up")),
                 QStringLiteral("<6>nexus.session: up"));
        QCOMPARE(formatLogLine(LogStyle::Journal, QtWarningMsg, "nexus.hub", QStringLiteral("x")),
                 QStringLiteral("<4>nexus.hub: x"));
        QCOMPARE(formatLogLine(LogStyle::Journal, QtCriticalMsg, "default", QStringLiteral("y")),
                 QStringLiteral("<3>y"));
        QCOMPARE(formatLogLine(LogStyle::Journal, QtDebugMsg, nullptr, QStringLiteral("z")),
                 QStringLiteral("<7>z"));
    }

    void priorities() {
        QCOMPARE(syslogPriority(QtDebugMsg), 7);
        QCOMPARE(syslogPriority(QtInfoMsg), 6);
        QCOMPARE(syslogPriority(QtWarningMsg), 4);
        QCOMPARE(syslogPriority(QtCriticalMsg), 3);
        QCOMPARE(syslogPriority(QtFatalMsg), 2);
    }

    void terminalLineHasTimeAndLevel() {
        const QString line =
            formatLogLine(LogStyle::Terminal, QtWarningMsg, "nexus.stream", QStringLiteral("slow"));
        QVERIFY2(QRegularExpression(
                     QStringLiteral(R"(^\d\d:\d\d:\d\d\.\d\d\d warning  nexus\.stream: slow$)"))
                     .match(line)
                     .hasMatch(),
                 qPrintable(line));
    }

    void everyLevelIsAligned() {
        for (QtMsgType type : {QtDebugMsg, QtInfoMsg, QtWarningMsg, QtCriticalMsg}) {
            const QString line = formatLogLine(LogStyle::Terminal, type, "c", QStringLiteral("m"));
            QCOMPARE(line.indexOf(QStringLiteral("c: m")), 22); // "HH:mm:ss.zzz " + 8 + " "
        }
    }

    void neverMultiLine() {
        const QString line = formatLogLine(LogStyle::Journal, QtInfoMsg, "nexus.config",
                                           QStringLiteral("a\nb\r\nc\td\x01"
                                                          "e"));
        QCOMPARE(line, QStringLiteral("<6>nexus.config: a\\nb\\r\\nc\\td\\x01e"));
        QVERIFY(!line.contains(QLatin1Char('\n')));
        QCOMPARE(escapeLogText(QString(QChar(0x2028))), QStringLiteral("\\x2028"));
        QCOMPARE(escapeLogText(QStringLiteral("grüße")), QStringLiteral("grüße"));
    }

    // --log-format json: one JSON object per line that a JSON parser reads back exactly; time is
    // RFC 3339 UTC with milliseconds; backend/session/stream where the text names them.
    void jsonLineParsesBack() {
        const QString message = QStringLiteral("web#2 stream 6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11 "
                                               "said \"hi\"\\ \n\u0001 grüße \u2028");
        const QString line = formatLogLine(LogStyle::Json, QtCriticalMsg, "nexus.stream", message);
        QVERIFY(!line.contains(QLatin1Char('\n')));
        QVERIFY(!line.contains(QChar(0x2028)));
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(o.value(QStringLiteral("message")).toString(), message);
        QCOMPARE(o.value(QStringLiteral("level")).toString(), QStringLiteral("error"));
        QCOMPARE(o.value(QStringLiteral("category")).toString(), QStringLiteral("nexus.stream"));
        QCOMPARE(o.value(QStringLiteral("backend")).toString(), QStringLiteral("web"));
        QCOMPARE(o.value(QStringLiteral("session")).toString(), QStringLiteral("web#2"));
        QCOMPARE(o.value(QStringLiteral("stream")).toString(),
                 QStringLiteral("6f1c0b2a-9d3e-4c55-8a10-2b7e4f9c0d11"));
        const QString time = o.value(QStringLiteral("time")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"))
                     .match(time)
                     .hasMatch(),
                 qPrintable(time));
        QVERIFY(qAbs(QDateTime::fromString(time, Qt::ISODateWithMs)
                         .secsTo(QDateTime::currentDateTimeUtc())) < 60);
    }

    void jsonFieldsOnlyWhereKnown() {
        const QJsonObject o =
            QJsonDocument::fromJson(
                formatLogLine(LogStyle::Json, QtInfoMsg, "default", QStringLiteral("starting"))
                    .toUtf8())
                .object();
        QCOMPARE(o.keys(), (QStringList{QStringLiteral("level"), QStringLiteral("message"),
                                        QStringLiteral("time")}));
        QCOMPARE(o.value(QStringLiteral("level")).toString(), QStringLiteral("info"));
        // "#" inside a word or a URL is not a session id.
        QCOMPARE(logFieldsOf(QStringLiteral("see http://x/#1 now")).session, QString());
        QCOMPARE(logFieldsOf(QStringLiteral("b#1: relay closed")).backend, QStringLiteral("b"));
        QCOMPARE(logFieldsOf(QStringLiteral("b#12")).session, QStringLiteral("b#12"));
        QCOMPARE(logFieldsOf(QStringLiteral("b#1x")).session, QString());
    }
};

QTEST_GUILESS_MAIN(TestLogFormat)
#include "tst_logformat.moc"
