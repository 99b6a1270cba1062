// The status window's "Traffic" page: a backend selector ("All backends" or one backend) above
// the traffic graph. The selector follows the backends of the history (configured backends).
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;

namespace nexustray::ui {

class TrafficGraph;
class TrafficHistory;

class TrafficPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrafficPanel(TrafficHistory* history, QWidget* parent = nullptr);
    ~TrafficPanel() override;

    TrafficGraph* graph() const { return m_graph; }
    QComboBox* backendSelector() const { return m_selector; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuildSelector();
    void retranslate();

    TrafficHistory* m_history;
    QLabel* m_label;
    QComboBox* m_selector;
    TrafficGraph* m_graph;
};

} // namespace nexustray::ui
