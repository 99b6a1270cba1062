#include "TrafficPanel.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "TrafficGraph.h"
#include "TrafficHistory.h"

namespace nexustray::ui {

TrafficPanel::TrafficPanel(TrafficHistory* history, QWidget* parent)
    : QWidget(parent)
    , m_history(history)
    , m_label(new QLabel(this))
    , m_selector(new QComboBox(this))
    , m_graph(new TrafficGraph(history, this)) {
    setObjectName(QStringLiteral("trafficPanel"));
    m_selector->setObjectName(QStringLiteral("trafficBackend"));
    m_selector->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_label->setBuddy(m_selector);
    connect(m_selector, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_graph->setBackend(index < 0 ? QString() : m_selector->itemData(index).toString());
    });
    connect(m_history, &TrafficHistory::backendsChanged, this, &TrafficPanel::rebuildSelector);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_label);
    bar->addWidget(m_selector);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_graph, 1);
    setTabOrder(m_selector, m_graph);

    rebuildSelector();
    retranslate();
}

TrafficPanel::~TrafficPanel() = default;

void TrafficPanel::rebuildSelector() {
    const QString current = m_selector->currentData().toString();
    QSignalBlocker block(m_selector);
    m_selector->clear();
    m_selector->addItem(tr("All backends"), QString());
    for (const QString& name : m_history->backends())
        m_selector->addItem(name, name);
    const int index = std::max(0, m_selector->findData(current));
    m_selector->setCurrentIndex(index);
    m_graph->setBackend(m_selector->itemData(index).toString());
}

void TrafficPanel::retranslate() {
    m_label->setText(tr("&Backend:"));
    m_selector->setItemText(0, tr("All backends"));
    m_selector->setAccessibleName(tr("Backend shown in the traffic graph"));
}

void TrafficPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

} // namespace nexustray::ui
