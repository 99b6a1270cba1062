// "Store in keyring" on the editor's backend form (issue 13), against a real Secret Service:
// tests/support/secret_service.sh runs this binary with gnome-keyring-daemon on a private D-Bus
// session bus ("running") and without one ("absent"). Offscreen widgets.
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

#include "SecretServiceMode.h"
#include "editor/BackendForm.h"
#include "nexustray/Config.h"
#include "nexustray/Keyring.h"

using namespace nexustray;
using nexustray::ui::BackendForm;

namespace {

BackendConfig backendWithSecret(const QString& name) {
    BackendConfig b;
    b.name = name;
    b.hostnames = {QStringLiteral("app.example.com")};
    b.nexusAddresses = {QStringLiteral("wss://hub.example.com/connect")};
    b.attestation.hmacSecret = QStringLiteral("form-secret");
    return b;
}

KeyringResult readBack(const QString& backend) {
    QObject context;
    KeyringResult result;
    bool done = false;
    readKeyringSecret(backend, &context, [&](const KeyringResult& r) {
        result = r;
        done = true;
    });
    [[maybe_unused]] const bool answered = QTest::qWaitFor([&] { return done; }, 20000);
    return result;
}

} // namespace

class TstKeyringMove : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void movesInlineSecret() {
        REQUIRE_SECRET_SERVICE("running");
        BackendForm form;
        form.load(backendWithSecret(QStringLiteral("moved")));
        auto* button = form.findChild<QPushButton*>(QStringLiteral("storeInKeyringButton"));
        QVERIFY(button);
        QVERIFY(!button->isHidden());
        QSignalSpy edited(&form, &BackendForm::edited);
        button->click();
        QTRY_VERIFY_WITH_TIMEOUT(!edited.isEmpty(), 20000);
        auto* status = form.findChild<QLabel*>(QStringLiteral("keyringStatus"));
        QVERIFY2(status->text().contains(QStringLiteral("'moved'")), qPrintable(status->text()));

        BackendConfig stored = backendWithSecret(QStringLiteral("moved"));
        QVERIFY(form.store(&stored).isEmpty());
        QVERIFY(stored.attestation.usesKeyring());
        QVERIFY(stored.attestation.hmacSecret.isEmpty());
        QVERIFY(stored.attestation.hmacSecretFile.isEmpty());
        QVERIFY(button->isHidden()); // nothing left to move
        const KeyringResult back = readBack(QStringLiteral("moved"));
        QVERIFY2(back.ok, qPrintable(back.error));
        QCOMPARE(back.secret, QByteArray("form-secret"));
    }

    void movesSecretFile() {
        REQUIRE_SECRET_SERVICE("running");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("hmac.secret"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("from-the-file\n");
        file.close();
        BackendConfig b = backendWithSecret(QStringLiteral("filed"));
        b.attestation.hmacSecret.clear();
        b.attestation.hmacSecretFile = path;
        BackendForm form;
        form.load(b);
        QSignalSpy edited(&form, &BackendForm::edited);
        form.findChild<QPushButton*>(QStringLiteral("storeInKeyringButton"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(!edited.isEmpty(), 20000);
        QVERIFY(form.store(&b).isEmpty());
        QVERIFY(b.attestation.usesKeyring());
        QVERIFY(b.attestation.hmacSecretFile.isEmpty());
        QCOMPARE(readBack(QStringLiteral("filed")).secret, QByteArray("from-the-file"));
    }

    void keepsSecretWithoutKeyring() {
        REQUIRE_SECRET_SERVICE("absent");
        BackendForm form;
        form.load(backendWithSecret(QStringLiteral("stays")));
        QSignalSpy edited(&form, &BackendForm::edited);
        auto* status = form.findChild<QLabel*>(QStringLiteral("keyringStatus"));
        form.findChild<QPushButton*>(QStringLiteral("storeInKeyringButton"))->click();
        QTRY_VERIFY2_WITH_TIMEOUT(
            status->text().contains(QStringLiteral("backend 'stays': no Secret Service available")),
            qPrintable(status->text()), 20000);
        QVERIFY(edited.isEmpty());
        BackendConfig stored = backendWithSecret(QStringLiteral("stays"));
        QVERIFY(form.store(&stored).isEmpty());
        QVERIFY(!stored.attestation.usesKeyring());
        QCOMPARE(stored.attestation.hmacSecret, QStringLiteral("form-secret"));
    }
};

QTEST_MAIN(TstKeyringMove)
#include "tst_keyringmove.moc"
