// Go-compatible typing of plain YAML scalars (config.md §1).
#include <QTest>

#include "config/YamlScalar.h"

using namespace nexustray;

class TestYamlScalar : public QObject {
    Q_OBJECT

private slots:
    void toInt_data();
    void toInt();
    void toBool_data();
    void toBool();
};

void TestYamlScalar::toInt_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("value");
    QTest::newRow("decimal") << "60" << true << 60;
    QTest::newRow("negative") << "-3" << true << -3;
    QTest::newRow("plus") << "+5" << true << 5;
    QTest::newRow("hex") << "0x3c" << true << 60;
    QTest::newRow("hex upper") << "0X3C" << true << 60;
    QTest::newRow("negative hex") << "-0x10" << true << -16;
    QTest::newRow("octal 0o") << "0o17" << true << 15;
    QTest::newRow("octal leading zero") << "010" << true << 8;
    QTest::newRow("binary") << "0b101" << true << 5;
    QTest::newRow("underscores") << "1_000" << true << 1000;
    QTest::newRow("08 is a float 8") << "08" << true << 8;
    QTest::newRow("float truncated") << "2.7" << true << 2;
    QTest::newRow("negative float truncated") << "-2.7" << true << -2;
    QTest::newRow("exponent") << "1e3" << true << 1000;
    QTest::newRow("leading dot") << ".5" << true << 0;
    QTest::newRow("zero") << "0" << true << 0;
    QTest::newRow("int max") << "2147483647" << true << 2147483647;
    QTest::newRow("too large") << "2147483648" << false << 0;
    QTest::newRow("huge") << "99999999999999999999" << false << 0;
    QTest::newRow("huge float") << "1e20" << false << 0;
    QTest::newRow("word") << "abc" << false << 0;
    QTest::newRow("bool") << "true" << false << 0;
    QTest::newRow("empty") << "" << false << 0;
    QTest::newRow("bare prefix") << "0x" << false << 0;
    QTest::newRow("bad binary") << "0b102" << false << 0;
    QTest::newRow("infinity") << ".inf" << false << 0;
    QTest::newRow("double sign") << "--1" << false << 0;
    QTest::newRow("trailing text") << "12abc" << false << 0;
}

void TestYamlScalar::toInt() {
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(int, value);
    const std::optional<int> parsed = yamlscalar::toInt(text);
    QCOMPARE(parsed.has_value(), ok);
    if (ok)
        QCOMPARE(*parsed, value);
}

void TestYamlScalar::toBool_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<bool>("value");
    for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})
        QTest::newRow(t) << t << true << true;
    for (const char* f :
         {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"})
        QTest::newRow(f) << f << true << false;
    for (const char* bad : {"1", "0", "tRUE", "enabled", ""})
        QTest::newRow(qPrintable(QStringLiteral("bad '%1'").arg(QLatin1String(bad))))
            << bad << false << false;
}

void TestYamlScalar::toBool() {
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(bool, value);
    const std::optional<bool> parsed = yamlscalar::toBool(text);
    QCOMPARE(parsed.has_value(), ok);
    if (ok)
        QCOMPARE(*parsed, value);
}

QTEST_GUILESS_MAIN(TestYamlScalar)
#include "tst_yamlscalar.moc"
