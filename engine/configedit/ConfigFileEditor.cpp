#include "configedit/ConfigFileEditor.h"

#include <QFile>
#include <QFileInfo>

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "configedit/YamlTextScan.h"

namespace nexustray::configedit {

namespace {

using namespace yamltext;

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

QByteArray editEnabled(const QByteArray& text, const YAML::Node& backend, bool enabled,
                       QString* error) {
    const QByteArray value = enabled ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    QByteArray out = text;

    // An existing `enabled:` key: replace its value token.
    for (auto it = backend.begin(); it != backend.end(); ++it) {
        if (!it->first.IsScalar() || it->first.Scalar() != "enabled")
            continue;
        const YAML::Node node = it->second; // a copy: binding a reference to the temporary dangles
        const YAML::Mark keyMark = it->first.Mark();
        if (node.IsNull()) {
            // `enabled:` with no value: put one right after the colon.
            const qsizetype colon = out.indexOf(':', keyMark.pos);
            if (colon < 0) {
                *error = QStringLiteral("cannot locate the 'enabled' key");
                return {};
            }
            out.insert(colon + 1, QByteArray(" ") + value);
            return out;
        }
        const YAML::Mark mark = node.Mark();
        if (!node.IsScalar() || mark.pos < 0 || mark.pos >= out.size()) {
            *error = QStringLiteral("cannot locate the value of 'enabled'");
            return {};
        }
        out.replace(mark.pos, plainTokenLength(out, mark.pos), value);
        return out;
    }

    // Flow style `{name: x, ...}`: insert the pair right after the brace.
    const YAML::Mark mapMark = backend.Mark();
    if (backend.Style() == YAML::EmitterStyle::Flow) {
        if (mapMark.pos < 0 || mapMark.pos >= out.size() || out.at(mapMark.pos) != '{') {
            *error = QStringLiteral("cannot locate the backend's mapping");
            return {};
        }
        out.insert(mapMark.pos + 1, QByteArray("enabled: ") + value + QByteArray(", "));
        return out;
    }

    // Block style: a new line before the first key (after the first) that starts its own line,
    // indented like it; if there is none, after the line of the last key.
    int keys = 0;
    qsizetype lastKeyPos = -1;
    int lastKeyColumn = 0;
    for (auto it = backend.begin(); it != backend.end(); ++it, ++keys) {
        const YAML::Mark m = it->first.Mark();
        if (m.pos < 0 || m.pos > out.size())
            continue;
        if (keys > 0 && onlySpacesBefore(out, m.pos)) {
            const qsizetype start = lineStart(out, m.pos);
            out.insert(start, out.mid(start, m.pos - start) + "enabled: " + value + '\n');
            return out;
        }
        lastKeyPos = m.pos;
        lastKeyColumn = m.column;
    }
    if (lastKeyPos < 0) {
        *error = QStringLiteral("cannot locate the backend's keys");
        return {};
    }
    qsizetype at = lineEnd(out, lastKeyPos);
    QByteArray line = QByteArray(lastKeyColumn, ' ') + "enabled: " + value + '\n';
    if (at == out.size() && !out.endsWith('\n'))
        line.prepend('\n');
    out.insert(at, line);
    return out;
}

const BackendConfig* findBackend(const Config& config, const QString& name) {
    for (const BackendConfig& b : config.backends) {
        if (b.name == name)
            return &b;
    }
    return nullptr;
}

QString errnoText(int error) {
    return QString::fromLocal8Bit(std::strerror(error));
}

// Writes `data` to a new file next to `path` and renames it over `path`. The new file is created
// 0600 (mkostemp) and given `mode` while still empty, so no byte is ever readable by more users
// than `mode` allows, whatever the umask; a crash never leaves half a file under `path`.
bool writeFilePrivately(const QString& path, const QByteArray& data, mode_t mode, QString* error) {
    QByteArray temp = QFile::encodeName(path) + ".XXXXXX";
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) {
        *error = errnoText(errno);
        return false;
    }
    auto fail = [&](int code) {
        ::close(fd);
        ::unlink(temp.constData());
        *error = errnoText(code);
        return false;
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return fail(errno);
    if ((st.st_mode & 07777) != mode && ::fchmod(fd, mode) != 0)
        return fail(errno);
    for (qsizetype done = 0; done < data.size();) {
        const ssize_t n = ::write(fd, data.constData() + done, std::size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(errno);
        done += n;
    }
    if (::fsync(fd) != 0)
        return fail(errno);
    if (::close(fd) != 0) {
        const int code = errno;
        ::unlink(temp.constData());
        *error = errnoText(code);
        return false;
    }
    if (::rename(temp.constData(), QFile::encodeName(path).constData()) != 0) {
        const int code = errno;
        ::unlink(temp.constData());
        *error = errnoText(code);
        return false;
    }
    return true;
}

} // namespace

TextEditResult setBackendEnabled(const QByteArray& yaml, const QString& backendName, bool enabled) {
    TextEditResult result;
    const ConfigLoadResult before = loadConfigText(yaml);
    if (!before.ok()) {
        result.error = QStringLiteral("the configuration has errors: %1")
                           .arg(before.errors.constFirst().toString());
        return result;
    }
    const BackendConfig* current = findBackend(before.config, backendName);
    if (!current) {
        result.error = QStringLiteral("no backend named '%1'").arg(backendName);
        return result;
    }
    if (current->enabled == enabled) {
        result.ok = true;
        result.text = yaml;
        return result;
    }

    QByteArray edited;
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        const YAML::Node backends = root["backends"];
        for (std::size_t i = 0; backends.IsSequence() && i < backends.size(); ++i) {
            const YAML::Node backend = backends[i];
            if (!backend.IsMap())
                continue;
            const YAML::Node name = backend["name"];
            if (!name.IsScalar() || fromStd(name.Scalar()).trimmed() != backendName)
                continue;
            edited = editEnabled(yaml, backend, enabled, &result.error);
            break;
        }
    } catch (const YAML::Exception& e) {
        result.error =
            QStringLiteral("cannot parse the configuration: %1").arg(QString::fromUtf8(e.what()));
        return result;
    }
    if (edited.isEmpty()) {
        if (result.error.isEmpty())
            result.error =
                QStringLiteral("cannot locate backend '%1' in the file").arg(backendName);
        return result;
    }

    const ConfigLoadResult after = loadConfigText(edited);
    const BackendConfig* changed = after.ok() ? findBackend(after.config, backendName) : nullptr;
    if (!changed || changed->enabled != enabled) {
        result.error = QStringLiteral("editing 'enabled' of backend '%1' would break the file; "
                                      "edit it in the configuration editor")
                           .arg(backendName);
        return result;
    }
    result.ok = true;
    result.text = edited;
    return result;
}

bool readConfigText(const QString& path, QByteArray* text, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    *text = file.readAll();
    return true;
}

SaveResult saveConfigText(const QString& path, const QByteArray& yaml) {
    SaveResult result;
    ConfigLoadResult loaded = loadConfigText(yaml, path);
    if (!loaded.ok()) {
        result.errors = loaded.errors;
        return result;
    }

    // A symlinked config is written through the link (the link stays a link).
    const QFileInfo info(path);
    const QString target = info.exists() ? info.canonicalFilePath() : path;
    mode_t mode = S_IRUSR | S_IWUSR;
    if (info.exists()) {
        struct stat st {};
        if (::stat(QFile::encodeName(target).constData(), &st) == 0)
            mode = st.st_mode & 07777;
        QByteArray previous;
        QString error;
        if (!readConfigText(path, &previous, &error)) {
            result.ioError = error;
            return result;
        }
        const QString backupPath = path + QStringLiteral(".bak");
        if (!writeFilePrivately(backupPath, previous, mode, &error)) {
            result.ioError =
                QStringLiteral("cannot write the backup %1: %2").arg(backupPath, error);
            return result;
        }
        result.backupPath = backupPath;
    }

    QString error;
    if (!writeFilePrivately(target, yaml, mode, &error)) {
        result.ioError = QStringLiteral("cannot write %1: %2").arg(path, error);
        return result;
    }
    loaded.config.sourceFile = path;
    result.config = std::move(loaded.config);
    result.ok = true;
    return result;
}

} // namespace nexustray::configedit
