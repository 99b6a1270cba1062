// Running the driver's event loop until a condition holds (the load and the hub peer live on it).
#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <functional>

namespace bench {

// Runs the event loop until `done()` or the timeout; false on timeout.
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
    if (done())
        return true;
    QElapsedTimer t;
    t.start();
    QEventLoop loop;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done() || t.elapsed() > timeoutMs)
            loop.quit();
    });
    tick.start(2);
    loop.exec();
    return done();
}

} // namespace bench
