#include "StatusWindow.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <iterator>

#include "IdentityPanel.h"
#include "LogFilterModel.h"
#include "LogModel.h"
#include "SessionActions.h"
#include "SessionTableModel.h"
#include "StreamActions.h"
#include "StreamTableModel.h"
#include "TrafficPanel.h"

namespace nexustray::ui {

namespace {
QTableView* makeTable(QWidget* parent, const QString& name) {
    auto* view = new QTableView(parent);
    view->setObjectName(name);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return view;
}
} // namespace

StatusWindow::StatusWindow(SessionTableModel* sessions, StreamTableModel* streams, LogModel* log,
                           QWidget* parent)
    : QWidget(parent)
    , m_banner(new QLabel(this))
    , m_summaryIcon(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_sessionsView(makeTable(this, QStringLiteral("sessionsView")))
    , m_streamsView(nullptr)
    , m_logView(nullptr)
    , m_tabs(new QTabWidget(this))
    , m_streamFilter(new QLineEdit(this))
    , m_logFilter(new QLineEdit(this))
    , m_logLevel(new QComboBox(this))
    , m_streamFilterLabel(new QLabel(this))
    , m_logLevelLabel(new QLabel(this))
    , m_tunnelsButton(new QToolButton(this))
    , m_editButton(new QPushButton(this))
    , m_quitButton(new QPushButton(this))
    , m_sessionProxy(new QSortFilterProxyModel(this))
    , m_streamProxy(new QSortFilterProxyModel(this))
    , m_logProxy(new LogFilterModel(this)) {
    setObjectName(QStringLiteral("statusWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/nexus-tray.svg")));
    resize(1280, 680);

    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();

    m_summary->setObjectName(QStringLiteral("summary"));
    QFont bold = m_summary->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_summary->setFont(bold);

    m_tunnelsButton->setObjectName(QStringLiteral("tunnelsButton"));
    m_tunnelsButton->setPopupMode(QToolButton::InstantPopup);
    m_tunnelsButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_tunnelsButton->hide();
    m_editButton->setObjectName(QStringLiteral("editButton"));
    m_quitButton->setObjectName(QStringLiteral("quitButton"));
    m_quitButton->hide();
    connect(m_editButton, &QPushButton::clicked, this, &StatusWindow::editConfigurationRequested);
    connect(m_quitButton, &QPushButton::clicked, this, &StatusWindow::quitRequested);

    m_metricsLink = new QLabel(this);
    m_metricsLink->setObjectName(QStringLiteral("metricsLink"));
    m_metricsLink->setOpenExternalLinks(true);
    m_metricsLink->hide();

    auto* header = new QHBoxLayout;
    header->addWidget(m_summaryIcon);
    header->addWidget(m_summary, 1);
    header->addWidget(m_metricsLink);
    header->addWidget(m_tunnelsButton);
    header->addWidget(m_editButton);
    header->addWidget(m_quitButton);

    // Sessions.
    m_sessionProxy->setSourceModel(sessions);
    m_sessionProxy->setSortRole(SessionTableModel::SortRole);
    m_sessionsView->setModel(m_sessionProxy);
    m_sessionsView->setSortingEnabled(true);
    m_sessionsView->sortByColumn(SessionTableModel::BackendColumn, Qt::AscendingOrder);
    const int sessionWidths[] = {90, 230, 120, 90, 90, 200, 150, 60, 60, 85, 85};
    for (int c = 0; c < SessionTableModel::ColumnCount; ++c)
        m_sessionsView->setColumnWidth(c, sessionWidths[c]);

    // Streams.
    auto* streamsPage = new QWidget(m_tabs);
    m_streamsView = makeTable(streamsPage, QStringLiteral("streamsView"));
    m_streamProxy->setSourceModel(streams);
    m_streamProxy->setSortRole(StreamTableModel::SortRole);
    m_streamProxy->setFilterKeyColumn(-1);
    m_streamProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_streamProxy->setDynamicSortFilter(true);
    m_streamsView->setModel(m_streamProxy);
    m_streamsView->setSortingEnabled(true);
    m_streamsView->sortByColumn(StreamTableModel::AgeColumn, Qt::AscendingOrder);
    const int streamWidths[] = {80, 70, 130, 140, 50, 130, 45, 90, 90, 110, 95, 65, 90, 80};
    static_assert(std::size(streamWidths) == StreamTableModel::ColumnCount);
    for (int c = 0; c < StreamTableModel::ColumnCount; ++c)
        m_streamsView->setColumnWidth(c, streamWidths[c]);
    m_streamFilter->setObjectName(QStringLiteral("streamFilter"));
    m_streamFilter->setClearButtonEnabled(true);
    connect(m_streamFilter, &QLineEdit::textChanged, m_streamProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    auto* streamBar = new QHBoxLayout;
    streamBar->addWidget(m_streamFilterLabel);
    streamBar->addWidget(m_streamFilter, 1);
    auto* streamsLayout = new QVBoxLayout(streamsPage);
    streamsLayout->addLayout(streamBar);
    streamsLayout->addWidget(m_streamsView);

    // Log.
    auto* logPage = new QWidget(m_tabs);
    m_logView = makeTable(logPage, QStringLiteral("logView"));
    m_logProxy->setSourceModel(log);
    m_logView->setModel(m_logProxy);
    m_logView->setColumnWidth(LogModel::TimeColumn, 100);
    m_logView->setColumnWidth(LogModel::LevelColumn, 70);
    m_logView->setColumnWidth(LogModel::CategoryColumn, 120);
    m_logLevel->setObjectName(QStringLiteral("logLevel"));
    for (QtMsgType type : {QtDebugMsg, QtInfoMsg, QtWarningMsg, QtCriticalMsg})
        m_logLevel->addItem(QString(), int(type));
    m_logLevel->setCurrentIndex(1);
    connect(m_logLevel, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_logProxy->setMinimumLevel(QtMsgType(m_logLevel->itemData(i).toInt()));
    });
    m_logFilter->setObjectName(QStringLiteral("logFilter"));
    m_logFilter->setClearButtonEnabled(true);
    connect(m_logFilter, &QLineEdit::textChanged, m_logProxy, &LogFilterModel::setTextFilter);
    // Follow new lines while the view is scrolled to the bottom.
    connect(m_logProxy, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar* bar = m_logView->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 2)
            QMetaObject::invokeMethod(m_logView, &QTableView::scrollToBottom, Qt::QueuedConnection);
    });
    auto* logBar = new QHBoxLayout;
    logBar->addWidget(m_logLevelLabel);
    logBar->addWidget(m_logLevel);
    logBar->addWidget(m_logFilter, 1);
    auto* logLayout = new QVBoxLayout(logPage);
    logLayout->addLayout(logBar);
    logLayout->addWidget(m_logView);

    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->addTab(streamsPage, QString());
    m_tabs->addTab(logPage, QString());

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_sessionsView);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);

    // User actions on the tables (close a stream, retry a backend, TPM identity).
    m_streamActions = new StreamActions(m_streamsView, streams, this);
    m_sessionActions = new SessionActions(m_sessionsView, sessions, this, this);
    header->insertWidget(header->indexOf(m_tunnelsButton), m_sessionActions->retryButton());
    m_identityPanel = new IdentityPanel(this);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_banner);
    layout->addWidget(m_identityPanel);
    layout->addWidget(splitter, 1);

    retranslate();
}

StatusWindow::~StatusWindow() = default;

void StatusWindow::retranslate() {
    setWindowTitle(tr("nexus-tray status"));
    m_streamActions->retranslate();
    m_sessionActions->retranslate();
    m_tunnelsButton->setText(tr("Tunnels"));
    m_editButton->setText(tr("Edit configuration…"));
    m_quitButton->setText(tr("Quit"));
    m_streamFilterLabel->setText(tr("Filter:"));
    m_streamFilter->setPlaceholderText(tr("hostname, client IP, target, state…"));
    // Screen readers: the tables and the filter have no visible label of their own.
    m_sessionsView->setAccessibleName(tr("Sessions"));
    m_streamsView->setAccessibleName(tr("Live streams"));
    m_streamFilter->setAccessibleName(tr("Filter streams"));
    m_logView->setAccessibleName(tr("Log"));
    m_logFilter->setAccessibleName(tr("Filter messages"));
    m_logFilter->setPlaceholderText(tr("Filter messages"));
    m_logLevelLabel->setText(tr("Show:"));
    m_logLevel->setItemText(0, tr("Debug and above"));
    m_logLevel->setItemText(1, tr("Info and above"));
    m_logLevel->setItemText(2, tr("Warnings and errors"));
    m_logLevel->setItemText(3, tr("Errors only"));
    m_tabs->setTabText(0, tr("Live streams"));
    m_tabs->setTabText(1, tr("Log"));
    if (m_trafficPanel)
        m_tabs->setTabText(m_tabs->indexOf(m_trafficPanel), tr("Traffic"));
}

void StatusWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void StatusWindow::setBanner(const QString& text, bool warning) {
    m_banner->setText(text);
    m_banner->setVisible(!text.isEmpty());
    m_banner->setStyleSheet(
        warning ? QStringLiteral("QLabel { background: #fff4d6; color: #5a3b00; border: 1px solid "
                                 "#e0b84a; border-radius: 4px; padding: 6px; }")
                : QStringLiteral("QLabel { background: #e3f1ff; color: #0b3a66; border: 1px solid "
                                 "#8fbce6; border-radius: 4px; padding: 6px; }"));
}

QString StatusWindow::bannerText() const {
    return m_banner->isVisible() || !m_banner->text().isEmpty() ? m_banner->text() : QString();
}

void StatusWindow::setSummary(const QIcon& icon, const QString& text) {
    m_summaryIcon->setPixmap(icon.pixmap(24, 24));
    m_summary->setText(text);
}

void StatusWindow::setMetricsUrl(const QString& url) {
    m_metricsUrl = url;
    m_metricsLink->setText(url.isEmpty() ? QString()
                                         : QStringLiteral("<a href=\"%1\">%1</a>").arg(url));
    m_metricsLink->setVisible(!url.isEmpty());
}

void StatusWindow::setTunnelsMenu(QMenu* menu) {
    m_tunnelsButton->setMenu(menu);
    m_tunnelsButton->setVisible(menu != nullptr);
}

void StatusWindow::setQuitOnClose(bool quit) {
    m_quitOnClose = quit;
    m_quitButton->setVisible(quit);
}

void StatusWindow::setTrafficHistory(TrafficHistory* history) {
    if (m_trafficPanel || !history)
        return;
    m_trafficPanel = new TrafficPanel(history, m_tabs);
    m_tabs->addTab(m_trafficPanel, tr("Traffic"));
}

void StatusWindow::raiseAndActivate() {
    if (isMinimized())
        setWindowState(windowState() & ~Qt::WindowMinimized);
    show();
    raise();
    activateWindow();
}

void StatusWindow::closeEvent(QCloseEvent* event) {
    if (m_quitOnClose) {
        event->ignore();
        Q_EMIT quitRequested();
        return;
    }
    QWidget::closeEvent(event); // hides; the tray keeps running
}

} // namespace nexustray::ui
