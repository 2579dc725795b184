#!/usr/bin/env bash
# Accessibility check in a real window: runs the release build under Xvfb
# with the AT-SPI accessibility bus, presses Start and Send by their
# accessible names (as a screen reader user would), checks the server's
# answer appears in the tree and every control has a name, and saves a
# screenshot that must not be blank. Installs what it needs (Debian/Ubuntu).
#
#   .ci/a11y-check.sh [--lang en|ru] [--out DIR] [--port N] [--readme-screenshot PATH]
#
# --readme-screenshot also saves just the window there (for the README,
# with --port 12345, the lab's port). Without --port a free port is used.
# Exit 0: passed. Anything else: the reason is printed on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

lang=en
out=""
readme_shot=""
port=""
while [ $# -gt 0 ]; do
    case "$1" in
        --lang) lang=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --readme-screenshot) readme_shot=$2; shift 2 ;;
        *) echo "a11y-check: unknown option $1" >&2; exit 2 ;;
    esac
done

say() { echo "a11y-check: $*"; }
die() { echo "a11y-check: FAILED: $*" >&2; exit 1; }

# pyatspi lives in the system Python, not in a pyenv/venv one.
py=/usr/bin/python3
need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v import >/dev/null || need+=(imagemagick)
command -v xdotool >/dev/null || need+=(xdotool)
command -v dbus-run-session >/dev/null || need+=(dbus)
command -v dbus-send >/dev/null || need+=(dbus-bin)
[ -x /usr/libexec/at-spi-bus-launcher ] || need+=(at-spi2-core)
{ [ -x "$py" ] && "$py" -c 'import pyatspi' 2>/dev/null; } || need+=(python3 python3-pyatspi)
ls /usr/lib/*/dri/swrast_dri.so /usr/lib/*/libEGL_mesa.so.0 >/dev/null 2>&1 \
    || need+=(libgl1-mesa-dri libegl1 libegl-mesa0)
ls /usr/lib/*/libxkbcommon-x11.so.0 >/dev/null 2>&1 || need+=(libxkbcommon-x11-0)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null \
        || die "could not install ${need[*]}"
fi

cargo build --release --quiet
# CARGO_TARGET_DIR may put the build elsewhere; cargo knows where.
target_dir=$(cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target_dir/release/udp-lab
[ -x "$bin" ] || die "no $bin after cargo build --release"

work=$(mktemp -d)
[ -n "$out" ] || out=$work
mkdir -p "$out"
xvfb_pid=""
cleanup() {
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A display Xvfb picks itself (no clash with other X servers), bounded wait.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" \
    >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do
    [ -s "$work/display" ] && break
    kill -0 "$xvfb_pid" 2>/dev/null || die "Xvfb did not start: $(cat "$work/xvfb.log")"
    sleep 0.1
done
[ -s "$work/display" ] || die "Xvfb gave no display number within 10 s"
export DISPLAY=":$(head -n1 "$work/display")"

# A clean home: no saved settings or window size from earlier runs.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share
export XDG_RUNTIME_DIR=$work/runtime
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
# Mesa's software renderer when there is no GPU.
export LIBGL_ALWAYS_SOFTWARE=1

# A free UDP port for the server, also given to the client as its target.
[ -n "$port" ] || port=$("$py" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

say "display $DISPLAY, port $port, language $lang"
args=(--bin "$bin" --port "$port" --lang "$lang" --screenshot "$out/a11y-$lang.png")
[ -n "$readme_shot" ] && args+=(--window-screenshot "$readme_shot")
if ! timeout 180 dbus-run-session -- "$py" .ci/a11y_check.py "${args[@]}"; then
    if [ -s "$out/udp-lab-a11y-app.log" ]; then
        echo "--- the app's output:" >&2
        tail -n 40 "$out/udp-lab-a11y-app.log" >&2
    fi
    die "see the messages above"
fi
