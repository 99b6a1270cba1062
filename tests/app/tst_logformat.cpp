// Unit tests of the one-line log format (app/LogFormat.cpp).

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
};

QTEST_GUILESS_MAIN(TestLogFormat)
#include "tst_logformat.moc"
