// main() for the corpus-replay build of a fuzz target (any compiler, no libFuzzer): feeds every
// file of the given files / directories to LLVMFuzzerTestOneInput once. Runs as an ordinary ctest
// over tests/fuzz/corpus/<target>, so the seeds and every crash reproducer added there stay
// regression tests in the normal and the sanitizer builds.
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cstdio>

#include "FuzzSupport.h"

int main(int argc, char** argv) {
    LLVMFuzzerInitialize(&argc, &argv);
    int inputs = 0;
    for (int i = 1; i < argc; ++i) {
        QStringList files;
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (QFileInfo(arg).isDir()) {
            QDirIterator it(arg, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                files << it.next();
        } else {
            files << arg;
        }
        files.sort();
        for (const QString& path : files) {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "cannot read %s\n", qPrintable(path));
                return 2;
            }
            const QByteArray data = f.readAll();
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.constData()),
                                   size_t(data.size()));
            ++inputs;
        }
    }
    std::printf("replayed %d inputs\n", inputs);
    return inputs > 0 ? 0 : 1;
}
