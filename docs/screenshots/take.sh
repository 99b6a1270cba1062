#!/bin/sh
# Regenerates the screenshots in this directory from the real program: `nexus-tray --demo` on
# Xvfb with the trayer system tray, rate-limited transfers through the demo tunnel (so the
# streams table is live), then the app's hidden screenshot hook (NEXUS_TRAY_SCREENSHOT_DIR) grabs
# its status window, its Traffic tab, tray menu and editor, and `import` grabs the whole screen
# with the tray. Transfers start and stop over five minutes (DELAY_MS) so that the traffic graph
# has a shape; DELAY_MS=9000 makes a quick run.
# Usage: sh docs/screenshots/take.sh <path to nexus-tray>   (needs xvfb, trayer, x11-utils,
# imagemagick, curl, python3)
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
    NEXUS_TRAY_SCREENSHOT_DIR="$WORK/shots" NEXUS_TRAY_SCREENSHOT_DELAY_MS=${DELAY_MS:-300000} \
    "$BIN" --demo >"$WORK/app.log" 2>&1 &
APP=$!
PIDS="$APP $PIDS"
while ! grep -q '^Demo tunnel up' "$WORK/app.log"; do sleep 0.2; done
PORT=$(sed -n 's|^Demo tunnel up: curl http://demo.localhost:\([0-9]*\)/$|\1|p' "$WORK/app.log")
# transfer <start after s> <for s> <download B/s> <upload B/s>: one stream through the tunnel at
# steady rates (curl's --limit-rate reads in bursts, which the 1 s graph shows as spikes). The
# demo service discards what a client sends after its request: that is the to-local traffic.
cat >"$WORK/transfer.py" <<'PY'
import select, socket, sys, time
port, start, duration, down, up = sys.argv[1:]
time.sleep(float(start))
s = socket.create_connection(("127.0.0.1", int(port)))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.sendall(b"GET /bytes/68719476736 HTTP/1.1\r\nHost: demo.localhost\r\n\r\n")
t0, got, sent, block = time.time(), 0, 0, b"u" * 16384
try:
    while time.time() - t0 < float(duration):
        t = time.time() - t0
        readable, writable, _ = select.select([s], [s], [], 0.01)
        if readable and got < int(down) * t:
            got += len(s.recv(65536))
        if writable and sent < int(up) * t:
            sent += s.send(block)
        if got >= int(down) * t and sent >= int(up) * t:
            time.sleep(0.01)
except OSError:
    pass  # the app quit after its screenshots
PY
transfer() {
    python3 "$WORK/transfer.py" "$PORT" "$@" &
    PIDS="$! $PIDS"
}
transfer 0 900 900000 0
transfer 0 900 2000000 150000
transfer 0 900 350000 0
transfer 30 60 1000000 400000
transfer 40 50 1000000 0
transfer 50 40 1000000 0
transfer 120 90 700000 0
transfer 125 90 700000 250000
transfer 130 90 700000 0
transfer 200 900 500000 0
transfer 240 900 1500000 600000
curl -s -o /dev/null -H 'Host: demo.localhost' "http://127.0.0.1:$PORT/"
sleep 6
import -window root "$WORK/shots/desktop.png"
wait "$APP" || true
for f in status-window traffic-graph tray-menu editor-form editor-yaml desktop; do
    cp "$WORK/shots/$f.png" "$OUT/$f.png"
done
# The panel corner with the icon, enlarged, for the README.
convert "$OUT/desktop.png" -gravity NorthEast -crop 96x28+0+0 +repage -scale 300% "$OUT/tray-icon.png"
echo "screenshots written to $OUT"
