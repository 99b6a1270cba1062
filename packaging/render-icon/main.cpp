// nexus-render-icon: build-time tool that renders an SVG into the PNG sizes of the hicolor icon
// theme, so the package's bitmaps always come from resources/nexus-tray.svg (none is checked in).
// Usage: nexus-render-icon IN.svg OUTDIR SIZE... -> OUTDIR/<SIZE>x<SIZE>/<basename of IN>.png
// Shapes only: a QImage and QSvgRenderer need no QGuiApplication and so no display.

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fputs("usage: nexus-render-icon IN.svg OUTDIR SIZE...\n", stderr);
        return 2;
    }
    const QString input = QString::fromLocal8Bit(argv[1]);
    const QDir outDir(QString::fromLocal8Bit(argv[2]));
    QSvgRenderer renderer(input);
    if (!renderer.isValid()) {
        std::fprintf(stderr, "nexus-render-icon: cannot read %s\n", argv[1]);
        return 1;
    }
    const QString name = QFileInfo(input).completeBaseName() + QStringLiteral(".png");
    for (int i = 3; i < argc; ++i) {
        bool ok = false;
        const int size = QString::fromLocal8Bit(argv[i]).toInt(&ok);
        if (!ok || size <= 0 || size > 1024) {
            std::fprintf(stderr, "nexus-render-icon: bad size %s\n", argv[i]);
            return 2;
        }
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer.render(&painter, QRectF(0, 0, size, size));
        }
        const QString sub = QStringLiteral("%1x%1").arg(size);
        const QString path = outDir.filePath(sub + QLatin1Char('/') + name);
        if (!outDir.mkpath(sub) || !image.save(path, "PNG")) {
            std::fprintf(stderr, "nexus-render-icon: cannot write %s\n", qPrintable(path));
            return 1;
        }
    }
    return 0;
}
