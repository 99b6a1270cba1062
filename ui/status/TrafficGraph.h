// The traffic graph: the last ten minutes of one TrafficHistory series pair (a backend's or the
// total), to-local as a filled area and to-hub as a line, with a human-readable rate axis, a
// "−10 min … now" time axis and a legend with the current rates. It repaints once per sample
// while visible and does nothing while hidden (it only listens to the history when shown).
#pragma once

#include <QMetaObject>
#include <QPointer>
#include <QWidget>

namespace nexustray::ui {

class TrafficHistory;

class TrafficGraph : public QWidget {
    Q_OBJECT
public:
    explicit TrafficGraph(TrafficHistory* history, QWidget* parent = nullptr);
    ~TrafficGraph() override;

    // The series shown: a backend's, or the total when empty.
    void setBackend(const QString& backend);
    QString backend() const { return m_backend; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    static const QColor& toLocalColor();
    static const QColor& toHubColor();

protected:
    void paintEvent(QPaintEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void onSampled();
    void retranslate();
    void updateDescription();

    QPointer<TrafficHistory> m_history;
    QString m_backend;
    QMetaObject::Connection m_sampled;
};

} // namespace nexustray::ui
