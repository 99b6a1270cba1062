#!/bin/sh
# Regenerates the screenshots in this directory from the real program: `nexus-tray --demo` on
# Xvfb with the trayer system tray, a rate-limited curl download through the demo tunnel (so the
# streams table is live), then the app's hidden screenshot hook (NEXUS_TRAY_SCREENSHOT_DIR) grabs
# its status window, tray menu and editor, and `import` grabs the whole screen with the tray.
# Usage: sh docs/screenshots/take.sh <path to nexus-tray>   (needs xvfb, trayer, x11-utils,
# imagemagick, curl)
set -eu
BIN=$1
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
PIDS=
cleanup() {
    for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>"$WORK/display" 2>/dev/null &
PIDS="$! $PIDS"
while [ ! -s "$WORK/display" ]; do sleep 0.2; done
export DISPLAY=":$(head -n1 "$WORK/display")"
unset QT_QPA_PLATFORM WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
# A plain desktop background so the panel and the icon stand out.
xsetroot -solid '#3b4252' 2>/dev/null || true
trayer --edge top --align right --widthtype request --height 28 --SetDockType true \
    --transparent false --tint 0x202020 >/dev/null 2>&1 &
PIDS="$! $PIDS"
sleep 1

mkdir -p "$WORK/run" "$WORK/config" "$WORK/shots"
chmod 700 "$WORK/run"
XDG_RUNTIME_DIR="$WORK/run" XDG_CONFIG_HOME="$WORK/config" LANG=C.UTF-8 \
    NEXUS_TRAY_SCREENSHOT_DIR="$WORK/shots" NEXUS_TRAY_SCREENSHOT_DELAY_MS=9000 \
    "$BIN" --demo >"$WORK/app.log" 2>&1 &
APP=$!
PIDS="$APP $PIDS"
while ! grep -q '^Demo tunnel up' "$WORK/app.log"; do sleep 0.2; done
PORT=$(sed -n 's|^Demo tunnel up: curl http://demo.localhost:\([0-9]*\)/$|\1|p' "$WORK/app.log")
for rate in 900k 2M 350k; do
    curl -s -o /dev/null --limit-rate "$rate" -H 'Host: demo.localhost' \
        "http://127.0.0.1:$PORT/bytes/104857600" &
    PIDS="$! $PIDS"
done
curl -s -o /dev/null -H 'Host: demo.localhost' "http://127.0.0.1:$PORT/"
sleep 6
import -window root "$WORK/shots/desktop.png"
wait "$APP" || true
for f in status-window tray-menu editor-form editor-yaml desktop; do
    cp "$WORK/shots/$f.png" "$OUT/$f.png"
done
# The panel corner with the icon, enlarged, for the README.
convert "$OUT/desktop.png" -gravity NorthEast -crop 96x28+0+0 +repage -scale 300% "$OUT/tray-icon.png"
echo "screenshots written to $OUT"
