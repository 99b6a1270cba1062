// engine/configedit: the tray's comment-preserving `enabled:` toggle and the atomic save that
// refuses invalid text and keeps a backup (the YAML writer is tested in tests/config).
#include <QTemporaryDir>
#include <QtTest>

#include "configedit/ConfigFileEditor.h"

#include <cstring>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace nexustray;
using namespace nexustray::configedit;

namespace {

const QByteArray kTwoBackends = "# my tunnels  (a comment that must survive)\n"
                                "backends:\n"
                                "  - name: web            # the web site\n"
                                "    hostnames: [\"app.example.com\"]   # trailing comment\n"
                                "    nexusAddresses:\n"
                                "      - \"wss://nexus.example.com/connect\"\n"
                                "    attestation:\n"
                                "      hmacSecret: \"s3cret\"\n"
                                "    portMappings:\n"
                                "      443: \"127.0.0.1:8443\"\n"
                                "\n"
                                "  # the mail backend, already switched off\n"
                                "  - name: mail\n"
                                "    enabled: false   # keep this comment\n"
                                "    hostnames: [mail.example.com]\n"
                                "    nexusAddresses: [\"wss://nexus.example.com/connect\"]\n"
                                "    attestation: {hmacSecret: \"other\"}\n"
                                "    portMappings: {993: \"127.0.0.1:993\"}\n";

bool enabledOf(const QByteArray& yaml, const QString& name) {
    const ConfigLoadResult r = loadConfigText(yaml);
    for (const BackendConfig& b : r.config.backends) {
        if (b.name == name)
            return b.enabled;
    }
    qFatal("no backend %s", qPrintable(name));
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString& path, const QByteArray& data) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(data), data.size());
}

mode_t modeOf(const QString& path) {
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// Sets the umask for one scope.
struct ScopedUmask {
    explicit ScopedUmask(mode_t mask)
        : previous(::umask(mask)) {}
    ~ScopedUmask() { ::umask(previous); }
    mode_t previous;
};

// Records what happens to the files of a directory (inotify). The kernel queues the events in
// order as they happen, so reading them after the operation loses nothing.
class DirEvents {
public:
    struct Event {
        uint32_t mask;
        QString name;
    };
    explicit DirEvents(const QString& dir) {
        m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (m_fd >= 0)
            ::inotify_add_watch(m_fd, QFile::encodeName(dir).constData(),
                                IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_MOVED_TO | IN_CLOSE_WRITE);
    }
    ~DirEvents() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool ok() const { return m_fd >= 0; }
    QList<Event> take() {
        QList<Event> events;
        alignas(inotify_event) char buffer[64 * 1024];
        for (;;) {
            const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
            if (n <= 0)
                break;
            for (ssize_t at = 0; at < n;) {
                inotify_event e;
                std::memcpy(&e, buffer + at, sizeof e);
                const char* name = buffer + at + sizeof(inotify_event);
                events.append({e.mask, e.len ? QFile::decodeName(name) : QString()});
                at += ssize_t(sizeof(inotify_event) + e.len);
            }
        }
        return events;
    }

    // Names whose mode changed after bytes were in them (written, or moved in / linked in full).
    static QStringList modeChangedAfterContent(const QList<Event>& events) {
        QSet<QString> withContent;
        QStringList late;
        for (const Event& e : events) {
            if (e.mask & (IN_MODIFY | IN_MOVED_TO))
                withContent.insert(e.name);
            if ((e.mask & IN_ATTRIB) && withContent.contains(e.name))
                late.append(e.name);
        }
        return late;
    }
    static QStringList modeChanged(const QList<Event>& events) {
        QStringList names;
        for (const Event& e : events) {
            if (e.mask & IN_ATTRIB)
                names.append(e.name);
        }
        return names;
    }

private:
    int m_fd = -1;
};

} // namespace

class TestConfigFileEditor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void insertsEnabledAndKeepsEverythingElse() {
        const TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("web"), false);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!enabledOf(r.text, QStringLiteral("web")));
        QVERIFY(!enabledOf(r.text, QStringLiteral("mail")));
        // Exactly one line was added, indented like the backend's keys, after `name:`.
        const QList<QByteArray> before = kTwoBackends.split('\n');
        const QList<QByteArray> after = r.text.split('\n');
        QCOMPARE(after.size(), before.size() + 1);
        QCOMPARE(after.at(3), QByteArray("    enabled: false"));
        QCOMPARE(after.at(2), before.at(2));
        QCOMPARE(after.mid(4), before.mid(3));
    }

    void replacesAnExistingValueInPlace() {
        const TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("mail"), true);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(enabledOf(r.text, QStringLiteral("mail")));
        QVERIFY(r.text.contains("    enabled: true   # keep this comment\n"));
        QByteArray expected = kTwoBackends;
        expected.replace("enabled: false   # keep", "enabled: true   # keep");
        QCOMPARE(r.text, expected);
    }

    void unchangedWhenAlreadySo() {
        const TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("web"), true);
        QVERIFY(r.ok);
        QCOMPARE(r.text, kTwoBackends);
    }

    void flowStyleBackend() {
        const QByteArray yaml = "backends:\n"
                                "  - {name: a, hostnames: [a.example.com], nexusAddresses: "
                                "[\"wss://h.example.com/c\"], attestation: {hmacSecret: x}, "
                                "portMappings: {80: \"127.0.0.1:80\"}} # c\n";
        const TextEditResult r = setBackendEnabled(yaml, QStringLiteral("a"), false);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!enabledOf(r.text, QStringLiteral("a")));
        QVERIFY(r.text.endsWith("# c\n"));
        QVERIFY(r.text.contains("{enabled: false, name: a"));
    }

    void blockBackendAtEndOfFileWithoutNewline() {
        const QByteArray yaml = "backends:\n"
                                "  - name: a\n"
                                "    hostnames: [a.example.com]\n"
                                "    nexusAddresses: [\"wss://h.example.com/c\"]\n"
                                "    attestation:\n"
                                "      hmacSecret: x\n"
                                "    portMappings:\n"
                                "      80: \"127.0.0.1:8080\"";
        const TextEditResult r = setBackendEnabled(yaml, QStringLiteral("a"), false);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!enabledOf(r.text, QStringLiteral("a")));
    }

    void refusesUnknownBackendAndInvalidText() {
        TextEditResult r = setBackendEnabled(kTwoBackends, QStringLiteral("nope"), false);
        QVERIFY(!r.ok);
        QVERIFY(r.error.contains(QLatin1String("nope")));
        r = setBackendEnabled("backends: [", QStringLiteral("web"), false);
        QVERIFY(!r.ok);
        QVERIFY(!r.error.isEmpty());
    }

    void saveWritesAtomicallyWithBackup() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        writeAll(path, kTwoBackends);
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QByteArray edited =
            setBackendEnabled(kTwoBackends, QStringLiteral("web"), false).text;

        const SaveResult saved = saveConfigText(path, edited);
        QVERIFY2(saved.ok, qPrintable(saved.ioError));
        QCOMPARE(readAll(path), edited);
        QCOMPARE(saved.backupPath, path + QStringLiteral(".bak"));
        QCOMPARE(readAll(saved.backupPath), kTwoBackends);
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                             QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QCOMPARE(saved.config.backends.size(), 2);
        QVERIFY(!saved.config.backends.at(0).enabled);
        QCOMPARE(saved.config.sourceFile, path);
    }

    void saveRefusesInvalidTextAndTouchesNothing() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        writeAll(path, kTwoBackends);
        const QByteArray broken =
            QByteArray(kTwoBackends)
                .replace("hostnames: [\"app.example.com\"]", "hostnames: [\"app..example\"]\n"
                                                             "    bogusKey: 1");
        const SaveResult saved = saveConfigText(path, broken);
        QVERIFY(!saved.ok);
        QVERIFY(!saved.errors.isEmpty());
        QVERIFY(saved.errors.first().line > 0);
        QCOMPARE(readAll(path), kTwoBackends);
        QVERIFY(!QFileInfo::exists(path + QStringLiteral(".bak")));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files),
                 QStringList{QStringLiteral("config.yaml")});
    }

    void saveCreatesANewPrivateFile() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("new.yaml"));
        const SaveResult saved = saveConfigText(path, kTwoBackends);
        QVERIFY(saved.ok);
        QVERIFY(saved.backupPath.isEmpty());
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
    }

    // The config may hold the HMAC secret: no byte of it is ever in a file that others may read.
    // With umask 0 a file created with the default mode would be 0666; a correct writer creates
    // every file (new config, backup, temp file) 0600 right away, so no file in the directory
    // changes its mode during the save, and the end result is 0600.
    void saveCreatesFilesPrivateBeforeWritingAnyByte() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        const ScopedUmask umask0(0);
        DirEvents events(dir.path());
        QVERIFY(events.ok());

        SaveResult saved = saveConfigText(path, kTwoBackends); // a new file
        QVERIFY2(saved.ok, qPrintable(saved.ioError));
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(DirEvents::modeChanged(events.take()), QStringList());

        const QByteArray edited =
            setBackendEnabled(kTwoBackends, QStringLiteral("web"), false).text;
        saved = saveConfigText(path, edited); // a new backup, the config replaced
        QVERIFY2(saved.ok, qPrintable(saved.ioError));
        QCOMPARE(readAll(saved.backupPath), kTwoBackends);
        QCOMPARE(modeOf(saved.backupPath), mode_t(0600));
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(DirEvents::modeChanged(events.take()), QStringList());

        // An old backup with a wider mode is replaced, not rewritten in place.
        QVERIFY(QFile::setPermissions(saved.backupPath, QFileDevice::ReadOwner |
                                                            QFileDevice::WriteOwner |
                                                            QFileDevice::ReadOther));
        events.take();
        saved = saveConfigText(path, kTwoBackends);
        QVERIFY2(saved.ok, qPrintable(saved.ioError));
        QCOMPARE(readAll(saved.backupPath), edited);
        QCOMPARE(modeOf(saved.backupPath), mode_t(0600));
        QCOMPARE(DirEvents::modeChanged(events.take()), QStringList());
    }

    // A file the user made group-readable keeps that mode (backup too), set before the content.
    void saveKeepsTheOriginalModeSetBeforeTheContent() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config.yaml"));
        const ScopedUmask umask0(0);
        writeAll(path, kTwoBackends);
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0640), 0);
        DirEvents events(dir.path());
        QVERIFY(events.ok());
        const SaveResult saved = saveConfigText(
            path, setBackendEnabled(kTwoBackends, QStringLiteral("web"), false).text);
        QVERIFY2(saved.ok, qPrintable(saved.ioError));
        QCOMPARE(modeOf(path), mode_t(0640));
        QCOMPARE(modeOf(saved.backupPath), mode_t(0640));
        QCOMPARE(DirEvents::modeChangedAfterContent(events.take()), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestConfigFileEditor)
#include "tst_configfileeditor.moc"
