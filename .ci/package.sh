#!/usr/bin/env bash
# Builds the Debian package (cpack -G DEB, Release, tests off, Debian's hardening flags) in
# build-pkg/ and checks it: the control fields, desktop-file-validate on the desktop entries,
# appstreamcli validate on the AppStream metainfo, lintian (any error fails), every expected file
# in it, and the installed binary itself, unpacked into a scratch root (dpkg -x) and run from there
# (--version, --help, --check-config on the shipped example config, --demo). docs/PACKAGING.md.
# Needs dpkg-dev, desktop-file-utils, appstream and lintian (.ci/packages.txt).
# Env: PACKAGE_BUILD_DIR (default build-pkg), PACKAGE_JOBS (default 2), PACKAGE_CMAKE_ARGS (extra
# configure arguments, e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache for a developer's rebuilds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dir="${PACKAGE_BUILD_DIR:-build-pkg}"
jobs="${PACKAGE_JOBS:-2}"
fail() {
    echo "package.sh: FAIL: $*" >&2
    exit 1
}

# Debian's hardening flags (fortify, stack protector, relro/now) without -g: cpack strips anyway.
export DEB_BUILD_MAINT_OPTIONS="hardening=+all"
export DEB_CXXFLAGS_MAINT_STRIP="-g"
cxxflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS)"
# SKIP_INSTALL_ALL_DEPENDENCY: cpack then builds nothing itself; only what the package holds is
# built below (no bench, examples or tests).
# shellcheck disable=SC2086 # PACKAGE_CMAKE_ARGS is a list of arguments
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEXUS_WERROR=ON -DBUILD_TESTING=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON \
    -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
    -DCMAKE_MODULE_LINKER_FLAGS="$ldflags" ${PACKAGE_CMAKE_ARGS:-}
cmake --build "$dir" -j"$jobs" --target nexus-tray nexus-tray-data

version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$dir/CMakeCache.txt")"
arch="$(dpkg --print-architecture)"
deb="$dir/nexus-tray_${version}_${arch}.deb"
rm -f "$deb"
(cd "$dir" && cpack -G DEB)
[ -f "$deb" ] || fail "cpack made no $deb"
echo "== $deb"
dpkg-deb --info "$deb"

# Control fields.
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = nexus-tray ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
[ "$(field Section)" = net ] || fail "Section: $(field Section)"
for f in Maintainer Homepage Description Installed-Size; do
    [ -n "$(field "$f")" ] || fail "no $f field"
done
depends="$(field Depends)"
depends_names="$(sed 's/ *([^)]*)//g; s/, */\n/g' <<<"$depends")"
# From dpkg-shlibdeps (linked libraries; libqt6keychain1 and libqt6dbus6 through the keyring
# plugin, libqt6httpserver6 and libqt6websockets6 through the metrics and demo plugins) and the one
# run-time plugin package named by hand.
for p in libc6 libstdc++6 libqt6core6 libqt6network6 libqt6websockets6 libqt6widgets6 \
    libqt6gui6 libyaml-cpp0.7 libqt6svg6 libqt6keychain1 libqt6dbus6 libqt6httpserver6; do
    grep -Fxq "$p" <<<"$depends_names" || fail "Depends lacks $p: $depends"
done
# tpm2-tss is loaded when a TPM is opened (issue 10): not linked, so not in Depends; Recommends
# names it by hand (packaging/Package.cmake).
! grep -q '^libtss2' <<<"$depends_names" ||
    fail "Depends names tpm2-tss (it must be dlopen()ed): $depends"
recommends="$(field Recommends)"
recommends_names="$(sed 's/ *([^)]*)//g; s/, */\n/g' <<<"$recommends")"
for p in libtss2-esys-3.0.2-0 libtss2-mu0 libtss2-tctildr0 libtss2-rc0 libtss2-tcti-device0; do
    grep -Fxq "$p" <<<"$recommends_names" || fail "Recommends lacks $p: $recommends"
done

# Unpack into a scratch root.
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
docdir="$root/usr/share/doc/nexus-tray"
metainfo="$root/usr/share/metainfo/io.github.atdexters_lab.nexus_tray.metainfo.xml"
multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
expected=(
    usr/bin/nexus-tray
    "usr/lib/$multiarch/nexus-tray/nexus-tray-gui.so"
    "usr/lib/$multiarch/nexus-tray/nexus-tray-keyring.so"
    "usr/lib/$multiarch/nexus-tray/nexus-tray-metrics.so"
    "usr/lib/$multiarch/nexus-tray/nexus-tray-demo.so"
    usr/lib/systemd/user/nexus-tray.service
    usr/share/applications/nexus-tray.desktop
    usr/share/nexus-tray/autostart/nexus-tray.desktop
    usr/share/icons/hicolor/scalable/apps/nexus-tray.svg
    usr/share/metainfo/io.github.atdexters_lab.nexus_tray.metainfo.xml
    usr/share/man/man1/nexus-tray.1.gz
    usr/share/doc/nexus-tray/config.example.yaml
    usr/share/doc/nexus-tray/README.md
    usr/share/doc/nexus-tray/copyright
    usr/share/doc/nexus-tray/changelog.gz
)
for size in 16 22 24 32 48 64 128 256; do
    expected+=("usr/share/icons/hicolor/${size}x${size}/apps/nexus-tray.png")
done
for f in "${expected[@]}"; do
    [ -f "$root/$f" ] || fail "package lacks /$f"
done
for size in 16 22 24 32 48 64 128 256; do
    png="$root/usr/share/icons/hicolor/${size}x${size}/apps/nexus-tray.png"
    # PNG signature, then the IHDR width and height (big-endian) at bytes 16..23.
    dims="$(od -An -tu1 -j16 -N8 "$png" | tr -s ' ' | sed 's/^ //')"
    [ "$dims" = "0 0 $((size >> 8)) $((size & 255)) 0 0 $((size >> 8)) $((size & 255))" ] ||
        fail "$png is not ${size}x${size} ($dims)"
done
grep -q "^ExecStart=/usr/bin/nexus-tray --no-gui$" "$root/usr/lib/systemd/user/nexus-tray.service" ||
    fail "the systemd unit does not start /usr/bin/nexus-tray --no-gui"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$root/usr/lib/systemd/user/nexus-tray.service" ||
    fail "the systemd unit does not reload with SIGHUP (ExecReload)"
# The newest release note and changelog entry are this version's.
grep -m1 '<release ' "$metainfo" | grep -q "version=\"$version\"" ||
    fail "the metainfo's newest <release> is not $version (packaging/*.metainfo.xml)"
zcat "$docdir/changelog.gz" | head -1 | grep -q "^nexus-tray ($version) " ||
    fail "the changelog's newest entry is not $version (packaging/debian/changelog)"
zcat "$root/usr/share/man/man1/nexus-tray.1.gz" | grep -q '^\.TH NEXUS-TRAY 1 ' || fail "bad man page"

# The tray UI is a module (issue 10): the executable itself must not link Qt Gui or Widgets.
if readelf -d "$root/usr/bin/nexus-tray" | grep -E 'NEEDED.*libQt6(Gui|Widgets)'; then
    fail "usr/bin/nexus-tray links Qt Gui/Widgets; the tray UI belongs in nexus-tray-gui.so"
fi
readelf -d "$root/usr/lib/$multiarch/nexus-tray/nexus-tray-gui.so" | grep -q 'NEEDED.*libQt6Widgets' ||
    fail "the tray module does not link Qt Widgets"
# The metrics endpoint's HTTP server and --demo's hub emulator are plugins too: the executable
# must not link QtHttpServer or QtWebSockets (the plugins do).
if readelf -d "$root/usr/bin/nexus-tray" | grep -E 'NEEDED.*libQt6(HttpServer|WebSockets)'; then
    fail "usr/bin/nexus-tray links QtHttpServer/QtWebSockets; they belong in nexus-tray-metrics.so / nexus-tray-demo.so"
fi
readelf -d "$root/usr/lib/$multiarch/nexus-tray/nexus-tray-metrics.so" | grep -q 'NEEDED.*libQt6HttpServer' ||
    fail "the metrics plugin does not link QtHttpServer"
readelf -d "$root/usr/lib/$multiarch/nexus-tray/nexus-tray-demo.so" | grep -q 'NEEDED.*libQt6WebSockets' ||
    fail "the demo plugin does not link QtWebSockets"

echo "== desktop-file-validate"
desktop-file-validate "$root/usr/share/applications/nexus-tray.desktop" \
    "$root/usr/share/nexus-tray/autostart/nexus-tray.desktop"
echo "== appstreamcli validate --no-net"
appstreamcli validate --no-net "$metainfo"

echo "== lintian"
# --fail-on error: warnings and infos are shown, not fatal.
lintian --fail-on error --display-info "$deb"

echo "== the installed binary, run from the scratch root"
bin="$root/usr/bin/nexus-tray"
out="$("$bin" --version)"
[[ "$out" == "nexus-tray $version (Qt "* ]] || fail "--version printed: $out"
out="$("$bin" --help)"
for opt in --no-gui --config --check-config --demo --version --help; do
    grep -q -- "$opt" <<<"$out" || fail "--help does not mention $opt"
done
# The example names machine-specific files (tls.caFile /etc/nexus-tray/internal-ca.pem): as shipped,
# those are its only problems; with that CA file pointed at a real certificate it is valid.
rc=0
out="$("$bin" --check-config "$docdir/config.example.yaml" 2>&1)" || rc=$?
[ "$rc" -eq 1 ] || fail "--check-config on the installed example exited $rc: $out"
grep -v '^warning: ' <<<"$out" | grep -qv ': no such file$' &&
    fail "--check-config on the installed example: problems other than missing files: $out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=nexus-tray-ca \
    -days 1 -keyout "$root/ca.key" -out "$root/ca.pem" 2>/dev/null
sed "s|/etc/nexus-tray/internal-ca.pem|$root/ca.pem|" "$docdir/config.example.yaml" >"$root/config.yaml"
out="$("$bin" --check-config "$root/config.yaml" 2>/dev/null)" ||
    fail "--check-config on the example with a real CA file failed: $out"
[ "$out" = OK ] || fail "--check-config on the example with a real CA file printed: $out"
rc=0
"$bin" --check-config "$root/no-such-config.yaml" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "--check-config on a missing file exited $rc, expected 1"
rc=0
"$bin" --no-such-option >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "an unknown option exited $rc, expected 2"

# The tray mode loads nexus-tray-gui.so relative to the unpacked binary; without a display the
# module itself answers "no display" (a missing module would say "cannot load the tray UI module").
rc=0
out="$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$bin" -c "$root/config.yaml" 2>&1)" || rc=$?
[ "$rc" -eq 2 ] && grep -q "no display" <<<"$out" ||
    fail "the tray mode of the unpacked binary did not reach its module (exit $rc): $out"

# --demo loads nexus-tray-demo.so relative to the unpacked binary (NEXUS_TRAY_PLUGIN_DIR unset) and
# brings its tunnel up.
demo_out="$root/demo.out"
env -u NEXUS_TRAY_PLUGIN_DIR "$bin" --demo --no-gui >"$demo_out" 2>&1 &
demo_pid=$!
for _ in $(seq 100); do
    grep -q '^Demo tunnel up: ' "$demo_out" && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.2
done
kill -INT "$demo_pid" 2>/dev/null || true
wait "$demo_pid" || true
grep -q '^Demo tunnel up: ' "$demo_out" ||
    fail "--demo of the unpacked binary did not bring its tunnel up: $(cat "$demo_out")"

echo "package.sh: every check passed ($deb)"
