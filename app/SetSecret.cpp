#include "SetSecret.h"

#include <QEventLoop>
#include <QTextStream>

#include <cstdio>
#include <string>

#include <termios.h>
#include <unistd.h>

#include "CommandConfig.h"
#include "nexustray/Config.h"
#include "nexustray/Keyring.h"

namespace nexustray::app {

namespace {

// One line of standard input without its line ending; on a terminal the typing is not echoed.
// Returns false on end of input before any character.
bool readSecretLine(const QString& backend, QByteArray* line) {
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    termios saved{};
    bool echoOff = false;
    if (terminal && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= ECHONL;
        echoOff = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        std::fprintf(stderr, "HMAC secret of backend '%s': ", backend.toLocal8Bit().constData());
        std::fflush(stderr);
    }
    std::string text;
    bool any = false;
    char c = 0;
    while (::read(STDIN_FILENO, &c, 1) == 1) {
        any = true;
        if (c == '\n')
            break;
        text.push_back(c);
    }
    if (echoOff)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (!text.empty() && text.back() == '\r')
        text.pop_back();
    *line = QByteArray::fromStdString(text);
    return any;
}

} // namespace

int runSetSecret(const QString& backend, const QString& configPath) {
    QTextStream out(stdout);
    QTextStream err(stderr);
    const std::optional<Config> config = loadCommandConfig(configPath, err);
    if (!config)
        return 1;
    const BackendConfig* found = nullptr;
    QStringList names;
    for (const BackendConfig& b : config->backends) {
        names << QLatin1Char('\'') + b.name + QLatin1Char('\'');
        if (b.name == backend)
            found = &b;
    }
    if (!found) {
        err << "nexus-tray: no backend '" << backend << "' in " << configPath
            << " (backends: " << names.join(QStringLiteral(", ")) << ")\n";
        return 1;
    }
    if (!found->attestation.usesKeyring())
        err << "warning: backend '" << backend
            << "' does not use the keyring yet: set attestation: { hmacSecretKeyring: true } "
               "(instead of its other attestation keys) for the stored secret to be used\n";
    err.flush();

    QByteArray secret;
    readSecretLine(backend, &secret);
    if (QString::fromUtf8(secret).trimmed().isEmpty()) {
        err << "nexus-tray: backend '" << backend
            << "': empty secret (give it as one line on standard input)\n";
        return 1;
    }

    QEventLoop loop;
    KeyringResult result;
    writeKeyringSecret(backend, secret, &loop, [&](const KeyringResult& r) {
        result = r;
        loop.quit();
    });
    loop.exec();
    if (!result.ok) {
        err << "nexus-tray: " << result.error << '\n';
        return 1;
    }
    out << "Stored the HMAC secret of backend '" << backend << "' in the system keyring (service "
        << keyringService() << ", key " << backend << ").\n";
    return 0;
}

} // namespace nexustray::app
