#!/bin/sh
# End-to-end check of the tray on a real X server with a real tray host: starts Xvfb (free display
# picked by -displayfd), the `trayer` system tray, then `nexus-tray --demo`, and checks with
# xwininfo that nexus-tray's icon window was embedded (XEmbed) into trayer's panel, that the icon
# turns green (all tunnels connected), that a page comes through the demo tunnel, and that a second
# launch hands over to the first instance.
# Usage: tray_xvfb.sh <path to nexus-tray>. Exit 77 (ctest SKIP_RETURN_CODE) when Xvfb, trayer or
# xwininfo is not installed.
set -u
BIN=$1

for tool in Xvfb trayer xwininfo; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (Debian: xvfb, trayer, x11-utils)"
        exit 77
    fi
done

WORK=$(mktemp -d)
XVFB_PID=
TRAYER_PID=
APP_PID=
cleanup() {
    for pid in $APP_PID $TRAYER_PID $XVFB_PID; do
        kill "$pid" 2>/dev/null
    done
    for pid in $APP_PID $TRAYER_PID $XVFB_PID; do
        wait "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    echo "--- nexus-tray log ---"
    # A sanitizer report (NEXUS_SANITIZE=ON) is longer than 40 lines and its top frames come
    # first: show it from its start.
    if grep -q '^==[0-9]*==ERROR: ' "$WORK/app.log" 2>/dev/null; then
        sed -n '/^==[0-9]*==ERROR: /,$p' "$WORK/app.log" | head -80
    else
        cat "$WORK/app.log" 2>/dev/null | tail -40
    fi
    if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
        # Still running: where each thread is (a hang and a starved process look alike above).
        echo "--- nexus-tray threads (state, kernel wait channel) ---"
        for t in /proc/"$APP_PID"/task/*; do
            echo "$(cat "$t/comm"): $(cut -d' ' -f3 "$t/stat") $(cat "$t/wchan" 2>/dev/null)"
        done
        if command -v gdb >/dev/null 2>&1; then
            echo "--- nexus-tray stacks ---"
            timeout 60 gdb -batch -p "$APP_PID" -ex "thread apply all bt 12" 2>/dev/null |
                grep -E '^(Thread|#)' | head -150
        fi
    fi
    echo "--- trayer log ---"
    tail -20 "$WORK/trayer.log" 2>/dev/null
    echo "--- window tree ---"
    xwininfo -root -tree 2>/dev/null | head -60
    exit 1
}

# wait_for <seconds> <command...>: polls every 0.2 s.
wait_for() {
    limit=$(($1 * 5))
    shift
    i=0
    while [ $i -lt $limit ]; do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" 2>"$WORK/xvfb.log" &
XVFB_PID=$!
wait_for 10 test -s "$WORK/display" || fail "Xvfb did not start: $(cat "$WORK/xvfb.log")"
DISPLAY=:$(head -n1 "$WORK/display")
export DISPLAY
unset QT_QPA_PLATFORM WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
wait_for 10 xwininfo -root || fail "cannot reach $DISPLAY"
echo "Xvfb on $DISPLAY"

trayer --edge top --align right --widthtype request --height 32 --SetDockType true \
    --transparent false --tint 0x303030 >"$WORK/trayer.log" 2>&1 &
TRAYER_PID=$!
panel_up() { xwininfo -root -tree | grep -q '("panel" "trayer")'; }
# 30 s: under the sanitizer run's load (ctest -j2 beside ASan builds) trayer once took over 10 s.
wait_for 30 panel_up || fail "trayer did not map its panel"

mkdir -p "$WORK/run" "$WORK/config"
chmod 700 "$WORK/run"
export XDG_RUNTIME_DIR="$WORK/run" XDG_CONFIG_HOME="$WORK/config"
"$BIN" --demo >"$WORK/app.log" 2>&1 &
APP_PID=$!

# nexus-tray's tray icon window must be a descendant of trayer's panel window.
icon_embedded() {
    xwininfo -root -tree | awk '
        /\("panel" "trayer"\)/ { inside = 1; match($0, /^ */); indent = RLENGTH; next }
        inside {
            match($0, /^ */)
            if (NF > 0 && RLENGTH <= indent) inside = 0
            else if ($0 ~ /\("nexus-tray" "nexus-tray"\)/) found = 1
        }
        END { exit !found }'
}
# 60 s: once under the sanitizer run's load (beside tst_slowpeers and tst_faults) the demo had
# started but neither the icon nor the tunnel came within 30 s; not seen since, not reproduced.
wait_for 60 icon_embedded || fail "no nexus-tray icon was embedded in the tray"
echo "tray icon embedded in trayer's panel"

wait_for 30 grep -q '^Demo tunnel up: curl http://demo.localhost:' "$WORK/app.log" ||
    fail "the demo tunnel did not come up"
PORT=$(sed -n 's|^Demo tunnel up: curl http://demo.localhost:\([0-9]*\)/$|\1|p' "$WORK/app.log")

# The icon is green once connected: average colour of the icon window, green channel dominant.
if command -v import >/dev/null 2>&1 && command -v convert >/dev/null 2>&1; then
    icon_id=$(xwininfo -root -tree | awk '/\("panel" "trayer"\)/ { inside = 1; next }
        inside && /\("nexus-tray" "nexus-tray"\)/ { print $1; exit }')
    green() {
        import -window "$icon_id" "$WORK/icon.png" 2>/dev/null || return 1
        rgb=$(convert "$WORK/icon.png" -resize 1x1\! -format '%[fx:int(255*r)] %[fx:int(255*g)] %[fx:int(255*b)]' info:)
        set -- $rgb
        [ "$2" -gt $(($1 + 40)) ] && [ "$2" -gt $(($3 + 40)) ]
    }
    wait_for 20 green || fail "the tray icon did not turn green (average rgb: $rgb)"
    echo "tray icon is green"
fi

if command -v curl >/dev/null 2>&1; then
    curl -s --max-time 10 -H 'Host: demo.localhost' "http://127.0.0.1:$PORT/" >"$WORK/page.html" ||
        fail "curl through the tunnel failed"
    grep -q 'came through the nexus-tray tunnel' "$WORK/page.html" || fail "unexpected page"
    echo "page came through the tunnel"
fi

# A second launch asks the first to show its window and exits 0.
"$BIN" --demo >"$WORK/second.log" 2>&1 || fail "second instance exited $?: $(cat "$WORK/second.log")"
status_mapped() { xwininfo -root -tree | grep -q '"nexus-tray status"'; }
wait_for 10 status_mapped || fail "the second launch did not raise the status window"
echo "second launch raised the first instance's window"

kill "$APP_PID"
wait "$APP_PID"
code=$?
APP_PID=
[ "$code" -eq 0 ] || fail "nexus-tray exited $code on SIGTERM"
echo "PASS"
exit 0
