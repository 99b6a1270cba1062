#!/bin/sh
# Runs tst_tray_sni on a private D-Bus session bus (dbus-run-session) and a private X server
# (Xvfb, for Qt's xcb platform, whose theme shows the tray through StatusNotifierItem when a
# StatusNotifierWatcher with a host is on the bus). Nothing of the user's desktop is touched.
# Usage: tray_sni.sh <path to tst_tray_sni> [test arguments...]. Exit 77 (ctest SKIP_RETURN_CODE) when Xvfb or
# dbus-run-session is not installed.
set -u
TEST=$1

for tool in Xvfb dbus-run-session; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (Debian: xvfb, dbus)"
        exit 77
    fi
done

WORK=$(mktemp -d)
XVFB_PID=
cleanup() {
    [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$WORK/display" 2>"$WORK/xvfb.log" &
XVFB_PID=$!
i=0
while [ ! -s "$WORK/display" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if [ ! -s "$WORK/display" ]; then
    echo "FAIL: Xvfb did not start: $(cat "$WORK/xvfb.log")"
    exit 1
fi
DISPLAY=:$(head -n1 "$WORK/display")
export DISPLAY
export QT_QPA_PLATFORM=xcb
# A plain desktop: no platform theme plug-in of the host's desktop, a private runtime dir.
unset WAYLAND_DISPLAY QT_QPA_PLATFORMTHEME XDG_CURRENT_DESKTOP DESKTOP_SESSION
XDG_RUNTIME_DIR="$WORK/runtime"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export XDG_RUNTIME_DIR

dbus-run-session -- "$@"
