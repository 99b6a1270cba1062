// Keyring tests run inside tests/support/secret_service.sh, which says in
// NEXUS_TEST_SECRET_SERVICE whether the private Secret Service is "running" or "absent".
// REQUIRE_SECRET_SERVICE("running") in a test function skips it elsewhere.
#pragma once

#include <QString>
#include <QTest>

namespace nexustray::test {

// Why a case that needs the Secret Service `wanted` cannot run here; empty = it can.
inline QString secretServiceSkipReason(const char* wanted) {
    const QString mode = qEnvironmentVariable("NEXUS_TEST_SECRET_SERVICE");
    if (mode.isEmpty())
        return QStringLiteral("run through tests/support/secret_service.sh (ctest does)");
    if (mode != QLatin1String(wanted))
        return QStringLiteral("needs a Secret Service that is %1").arg(QLatin1String(wanted));
    return QString();
}

} // namespace nexustray::test

// QSKIP returns from the test function only when used in it, hence a macro.
#define REQUIRE_SECRET_SERVICE(wanted)                                                             \
    do {                                                                                           \
        const QString why = nexustray::test::secretServiceSkipReason(wanted);                      \
        if (!why.isEmpty())                                                                        \
            QSKIP(qPrintable(why));                                                                \
    } while (false)
