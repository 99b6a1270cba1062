#include "TrafficGraph.h"

#include <QEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "Format.h"
#include "TrafficHistory.h"

namespace nexustray::ui {

namespace {

// The top of the rate axis and its step: 1, 2 or 5 times a power of ten of the unit (B, KiB,
// MiB, GiB per second) that the largest value is shown in, four steps or fewer.
std::pair<double, double> niceScale(double maximum) {
    double unit = 1.0;
    while (maximum >= 1024.0 * unit && unit < 1024.0 * 1024.0 * 1024.0)
        unit *= 1024.0;
    const double inUnit = std::max(maximum / unit, 1.0);
    const double rough = inUnit / 4.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * magnitude;
        if (step >= rough)
            break;
    }
    const double top = std::ceil(inUnit / step) * step;
    return {top * unit, step * unit};
}

QString axisLabel(double value) {
    return value < 0.5 ? QStringLiteral("0") : formatRate(value);
}

} // namespace

TrafficGraph::TrafficGraph(TrafficHistory* history, QWidget* parent)
    : QWidget(parent)
    , m_history(history) {
    setObjectName(QStringLiteral("trafficGraph"));
    setFocusPolicy(Qt::StrongFocus); // reachable by Tab; the accessible text says the rates
    setAttribute(Qt::WA_OpaquePaintEvent);
    retranslate();
}

TrafficGraph::~TrafficGraph() = default;

const QColor& TrafficGraph::toLocalColor() {
    static const QColor color(0x2e, 0x7d, 0xd1); // blue
    return color;
}

const QColor& TrafficGraph::toHubColor() {
    static const QColor color(0xe0, 0x7b, 0x00); // orange
    return color;
}

void TrafficGraph::setBackend(const QString& backend) {
    if (backend == m_backend)
        return;
    m_backend = backend;
    updateDescription();
    update();
}

QSize TrafficGraph::sizeHint() const {
    return {720, 260};
}

QSize TrafficGraph::minimumSizeHint() const {
    return {240, 120};
}

void TrafficGraph::showEvent(QShowEvent* event) {
    if (m_history && !m_sampled)
        m_sampled = connect(m_history, &TrafficHistory::sampled, this, &TrafficGraph::onSampled);
    updateDescription();
    QWidget::showEvent(event);
}

void TrafficGraph::hideEvent(QHideEvent* event) {
    disconnect(m_sampled);
    m_sampled = {};
    QWidget::hideEvent(event);
}

void TrafficGraph::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void TrafficGraph::retranslate() {
    setAccessibleName(tr("Traffic graph"));
    updateDescription();
}

void TrafficGraph::onSampled() {
    if (!isVisible())
        return;
    updateDescription();
    update();
}

void TrafficGraph::updateDescription() {
    if (!m_history)
        return;
    using D = TrafficHistory::Direction;
    setAccessibleDescription(tr("Last 10 minutes. Now: to local %1, to hub %2")
                                 .arg(formatRate(m_history->currentRate(m_backend, D::ToLocal)),
                                      formatRate(m_history->currentRate(m_backend, D::ToHub))));
}

void TrafficGraph::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (!m_history)
        return;
    using D = TrafficHistory::Direction;
    const QList<double> toLocal = m_history->rates(m_backend, D::ToLocal);
    const QList<double> toHub = m_history->rates(m_backend, D::ToHub);
    double maximum = 0;
    for (double v : toLocal)
        maximum = std::max(maximum, v);
    for (double v : toHub)
        maximum = std::max(maximum, v);
    const auto [top, step] = niceScale(maximum);

    const QFontMetrics fm = fontMetrics();
    const int line = fm.height();
    int labelWidth = fm.horizontalAdvance(axisLabel(top));
    for (double v = 0; v <= top + step / 2; v += step)
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(axisLabel(v)));
    const QRectF plot(labelWidth + 12, line + 14, width() - labelWidth - 24,
                      height() - 3 * line - 26);
    if (plot.width() < 20 || plot.height() < 20)
        return;

    // Legend at the top: what each colour is, with its current rate.
    const QString legend[2] = {tr("to local %1").arg(formatRate(toLocal.value(toLocal.size() - 1))),
                               tr("to hub %1").arg(formatRate(toHub.value(toHub.size() - 1)))};
    const QColor colors[2] = {toLocalColor(), toHubColor()};
    qreal x = plot.left();
    for (int i = 0; i < 2; ++i) {
        p.fillRect(QRectF(x, 6 + line / 2.0 - 5, 10, 10), colors[i]);
        x += 14;
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QPointF(x, 6 + fm.ascent()), legend[i]);
        x += fm.horizontalAdvance(legend[i]) + 20;
    }

    // Grid and axes.
    QColor grid = palette().color(QPalette::Text);
    grid.setAlpha(40);
    for (double v = 0; v <= top + step / 2; v += step) {
        const qreal y = plot.bottom() - v / top * plot.height();
        p.setPen(grid);
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRectF(0, y - line / 2.0, labelWidth + 6, line),
                   Qt::AlignRight | Qt::AlignVCenter, axisLabel(v));
    }
    const QString ticks[3] = {tr("−10 min"), tr("−5 min"), tr("now")};
    for (int i = 0; i < 3; ++i) {
        const qreal tx = plot.left() + plot.width() * i / 2.0;
        p.setPen(grid);
        p.drawLine(QPointF(tx, plot.top()), QPointF(tx, plot.bottom()));
        p.setPen(palette().color(QPalette::PlaceholderText));
        const Qt::Alignment align = i == 0   ? Qt::AlignLeft
                                    : i == 2 ? Qt::AlignRight
                                             : Qt::AlignHCenter;
        const qreal w = fm.horizontalAdvance(ticks[i]) + 4;
        const qreal left = i == 0 ? tx : i == 2 ? tx - w : tx - w / 2;
        p.drawText(QRectF(left, plot.bottom() + 4, w, line), align, ticks[i]);
    }

    // The series, newest at "now", one sample per second.
    p.setRenderHint(QPainter::Antialiasing);
    p.setClipRect(plot.adjusted(-1, -2, 1, 1));
    const qreal dx = plot.width() / (TrafficHistory::kCapacity - 1);
    auto pathOf = [&](const QList<double>& values) {
        QPainterPath path;
        for (int i = 0; i < values.size(); ++i) {
            const QPointF point(plot.right() - (values.size() - 1 - i) * dx,
                                plot.bottom() - values.at(i) / top * plot.height());
            if (i == 0)
                path.moveTo(point);
            else
                path.lineTo(point);
        }
        return path;
    };
    if (toLocal.size() > 1) {
        const QPainterPath path = pathOf(toLocal);
        QPainterPath area = path;
        area.lineTo(plot.right(), plot.bottom());
        area.lineTo(path.elementAt(0).x, plot.bottom());
        area.closeSubpath();
        QColor fill = toLocalColor();
        fill.setAlpha(60);
        p.fillPath(area, fill);
        p.strokePath(path, QPen(toLocalColor(), 1.6));
    }
    if (toHub.size() > 1)
        p.strokePath(pathOf(toHub), QPen(toHubColor(), 1.6));

    if (hasFocus()) {
        p.setClipping(false);
        p.setRenderHint(QPainter::Antialiasing, false);
        QPen focus(palette().color(QPalette::Highlight), 1, Qt::DotLine);
        p.setPen(focus);
        p.setBrush(Qt::NoBrush);
        p.drawRect(rect().adjusted(0, 0, -1, -1));
    }
}

} // namespace nexustray::ui
