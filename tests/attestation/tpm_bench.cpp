// tpm-bench: time to first token (cold = enrollment, warm = AK reload) and per-token latency of
// TpmAttestor against swtpm and the fake namek on loopback. Prints figures; asserts nothing
// (docs/PERFORMANCE.md records them). Usage: tpm-bench [tokens per run, default 50]
#include "FakeNamek.h"
#include "SwtpmLauncher.h"
#include "TestCa.h"
#include "attestation/tpm/NamekClient.h"
#include "attestation/tpm/TpmAttestor.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace nexustray::attestation::tpm;
using namespace nexustray::test;

namespace {

// Runs the event loop until `done()` holds, checking after every event batch. Unlike
// QTest::qWaitFor it does not sleep 10 ms between rounds, which would be part of the figures
// (the fake namek serves on this thread).
template <typename F> bool runUntil(F done, int timeoutMs) {
    QEventLoop loop;
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done()) {
            loop.quit();
        }
    });
    check.start(0);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return done();
}

double tokenMs(TpmAttestor& attestor, bool* ok) {
    QElapsedTimer timer;
    timer.start();
    auto result = std::make_shared<std::optional<TpmTokenResult>>();
    attestor.requestToken(1, QStringLiteral("bench"),
                          [result](const TpmTokenResult& r) { *result = r; });
    *ok = runUntil([result] { return result->has_value(); }, 120000) && (*result)->ok();
    return double(timer.nsecsElapsed()) / 1e6;
}

bool run(SwtpmLauncher::Kind kind, const char* label, int tokens) {
    TestCa ca;
    FakeNamek namek(ca, "bench-secret");
    SwtpmLauncher tpm(kind);
    QTemporaryDir root;
    QString error;
    if (!ca.isValid() || !namek.start() || !tpm.start(&error)) {
        std::fprintf(stderr, "%s: setup failed: %s\n", label, qPrintable(error));
        return false;
    }
    TpmAttestorOptions o;
    o.namekUrl = namek.url();
    o.caFile = ca.caPemPath();
    o.tcti = tpm.tcti();
    o.stateDir = root.filePath(QStringLiteral("state"));
    bool ok = true;
    double cold = 0;
    {
        TpmAttestor attestor(o);
        cold = tokenMs(attestor, &ok);
    }
    double warm = 0;
    QList<double> each;
    {
        TpmAttestor attestor(o); // a new process would do the same: new ESYS context, AK reload
        warm = tokenMs(attestor, &ok);
        for (int i = 0; i < tokens && ok; ++i) {
            each << tokenMs(attestor, &ok);
        }
    }
    if (!ok || namek.enrollments() != 1) {
        std::fprintf(stderr, "%s: a token request failed\n", label);
        return false;
    }
    // The TPM alone: TPM2_Quote with a loaded AK, through the worker thread.
    {
        QObject context;
        const auto rx = std::make_shared<TpmReceiver>(&context);
        const auto device = TpmDevice::shared(tpm.tcti());
        std::optional<AkResult> ak;
        device->open(rx, [](const TpmError&) {});
        device->loadAk(TpmState(o.stateDir).loadAk(), rx, [&ak](const AkResult& r) { ak = r; });
        if (!runUntil([&ak] { return ak.has_value(); }, 60000) || !ak->error.ok()) {
            return false;
        }
        QList<double> quotes;
        for (int i = 0; i < 20; ++i) {
            QElapsedTimer timer;
            timer.start();
            bool done = false;
            device->quote(ak->handle, QByteArray(32, 'n'), rx,
                          [&done](const BytesResult&) { done = true; });
            if (!runUntil([&done] { return done; }, 30000)) {
                return false;
            }
            quotes << double(timer.nsecsElapsed()) / 1e6;
        }
        device->flushAk(ak->handle);
        rx->detach();
        std::sort(quotes.begin(), quotes.end());
        std::printf("%-10s TPM2_Quote alone: median %6.2f ms\n", label,
                    quotes.at(quotes.size() / 2));
    }
    // One namek round trip alone (GET /health on the kept-alive connection).
    NamekClient client(namek.url(), ca.caPemPath());
    QList<double> http;
    for (int i = 0; i < 20; ++i) {
        QElapsedTimer timer;
        timer.start();
        bool done = false;
        client.get(QStringLiteral("/health"), nullptr, [&done](const NamekReply&) { done = true; });
        if (!runUntil([&done] { return done; }, 30000)) {
            return false;
        }
        http << double(timer.nsecsElapsed()) / 1e6;
    }
    std::sort(http.begin(), http.end());
    std::printf("%-10s GET /health round trip: median %6.2f ms\n", label, http.at(http.size() / 2));
    std::sort(each.begin(), each.end());
    double sum = 0;
    for (double v : each) {
        sum += v;
    }
    std::printf("%-10s cold %7.1f ms  warm %7.1f ms  per token: median %6.2f ms, mean %6.2f ms, "
                "p90 %6.2f ms, max %6.2f ms (n=%lld)\n",
                label, cold, warm, each.at(each.size() / 2), sum / double(each.size()),
                each.at(each.size() * 9 / 10), each.last(), qlonglong(each.size()));
    return true;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int tokens = argc > 1 ? std::max(1, QByteArray(argv[1]).toInt()) : 50;
    const bool ok = run(SwtpmLauncher::Kind::WithEkCert, "ek_cert", tokens) &&
                    run(SwtpmLauncher::Kind::Bare, "ek_pub", tokens);
    return ok ? 0 : 1;
}
