// A relay user that reads slowly, like `curl --limit-rate`, a phone on a weak link or a throttled
// download: a small kernel receive buffer (SO_RCVBUF set before connecting) and reads at a fixed
// rate, so the hub, not the kernel, has to hold what the user has not taken yet. Everything read
// is kept for a byte-exact comparison.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QTcpSocket>
#include <QTimer>

namespace nexustray::test {

class SlowUser : public QObject {
    Q_OBJECT
public:
    explicit SlowUser(int receiveBufferBytes = 16 * 1024, QObject* parent = nullptr);
    ~SlowUser() override;

    // Connects to 127.0.0.1:port (the kernel completes a loopback connect to a listening socket
    // without the event loop) and sends `request`. False with the reason in error().
    bool connectTo(quint16 port, const QByteArray& request);
    // Bytes per second; 0 = stop reading.
    void setRate(qint64 bytesPerSecond);
    // Goes away at once (reset), as a user who gives up.
    void abort() { m_socket.abort(); }

    const QByteArray& received() const { return m_received; }
    // The far side closed and everything it sent has been read.
    bool finished() const { return m_finished; }
    QString error() const { return m_error; }

Q_SIGNALS:
    void finishedReading();

private:
    void tick();

    int m_receiveBuffer;
    QTcpSocket m_socket;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_rate = 0;
    qint64 m_lastTickMs = 0;
    double m_budget = 0;
    QByteArray m_received;
    bool m_finished = false;
    QString m_error;
};

} // namespace nexustray::test
