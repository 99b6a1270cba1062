#!/bin/bash
# Runs a command against a private Secret Service: a private D-Bus session bus (no service
# activation, so nothing outside the test can answer), its own HOME/XDG dirs, and, unless the mode
# is "absent", gnome-keyring-daemon --components=secrets with a login keyring created and unlocked
# with a password given on its standard input. Used by the keyring tests (tests/attestation).
#
#   secret_service.sh running|absent COMMAND [ARGS...]
#
# The command sees DBUS_SESSION_BUS_ADDRESS of the private bus and NEXUS_TEST_SECRET_SERVICE set to
# the mode. Its exit code is returned; the bus and the daemon are stopped afterwards.
set -euo pipefail

mode=${1:?usage: secret_service.sh running|absent COMMAND [ARGS...]}
shift
case "$mode" in running | absent) ;; *)
    echo "secret_service.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac

root=$(mktemp -d "${TMPDIR:-/tmp}/nexus-secret-service.XXXXXX")
bus_pid=
keyring_pid=
cleanup() {
    [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null || true
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT

export HOME="$root/home" XDG_DATA_HOME="$root/home/.local/share" XDG_CONFIG_HOME="$root/home/.config"
export XDG_CACHE_HOME="$root/home/.cache" XDG_RUNTIME_DIR="$root/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# No display: nothing may try to show a prompt or autolaunch a bus over X11.
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_PID

# A session bus without <servicedir>s: no D-Bus activation (the standard session config would
# start /usr/share/dbus-1/services/org.freedesktop.secrets.service, i.e. a real keyring, on demand).
cat >"$root/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$root</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
bus_info=$(dbus-daemon --config-file="$root/bus.conf" --fork --print-address=1 --print-pid=1)
bus_pid=$(sed -n 2p <<<"$bus_info")
DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p <<<"$bus_info")
export DBUS_SESSION_BUS_ADDRESS
export NEXUS_TEST_SECRET_SERVICE="$mode"

if [ "$mode" = running ]; then
    # --unlock reads the login keyring's password from stdin and creates the keyring if needed.
    printf '%s' "nexus-test-password" |
        gnome-keyring-daemon --foreground --unlock --components=secrets >"$root/keyring.log" 2>&1 &
    keyring_pid=$!
    for _ in $(seq 1 100); do
        if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
            --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
            grep -q true; then
            break
        fi
        if ! kill -0 "$keyring_pid" 2>/dev/null; then
            echo "secret_service.sh: gnome-keyring-daemon exited:" >&2
            cat "$root/keyring.log" >&2
            exit 1
        fi
        sleep 0.1
    done
fi

set +e
"$@"
rc=$?
exit $rc
