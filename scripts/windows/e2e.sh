#!/usr/bin/env bash
# The real udp-lab.exe under Wine against Linux peers on loopback (called by
# scripts/windows.sh with the Wine prefix in WINEPREFIX): the lab's Python
# client gets its answer, the .exe's client gets one from the Linux
# `udp-lab server`, a truncated datagram shows its first bytes, and the
# window opens under Xvfb with its server answering. Ports come from the OS.
set -euo pipefail
exe=$1
wine=/usr/lib/wine/wine64
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "e2e FAILED: $*" >&2
    for f in "$work"/*.out; do
        [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
    done
    exit 1
}

# The port a server printed in "Server is listening on ADDR port N".
port_of() {
    local out=$1
    for _ in $(seq 300); do
        local port
        port=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$out" | head -n1)
        [ -n "$port" ] && { echo "$port"; return 0; }
        sleep 0.1
    done
    return 1
}

# The lab's client (the handout's, in Linux python3): one request, the answer.
lab_client() {
    python3 - "$@" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))
data, addr = s.recvfrom(1024)
print("Response from server: " + data.decode())
EOF
}

# 1. The .exe's server answers the lab's Python client; a datagram longer
#    than its 8-byte buffer shows its first 8 bytes and its real length.
"$wine" "$exe" server --bind 127.0.0.1:0 --buffer 8 >"$work/server.out" 2>&1 &
pids+=($!)
port=$(port_of "$work/server.out") || fail "udp-lab.exe server printed no port"
answer=$(lab_client "$port" "Hello, server") || fail "no answer from udp-lab.exe server"
[ "$answer" = "Response from server: Hello, client" ] || fail "python3 got: $answer"
lab_client "$port" "0123456789abcdef" >/dev/null || fail "no answer to the long datagram"
sleep 0.5
grep -q "Message from client: Hello, s" "$work/server.out" || fail "the .exe server did not print the message"
grep -q "Message from client: 01234567$" "$work/server.out" ||
    fail "the truncated datagram's first 8 bytes are not shown"
grep -q "read 8 of 16 bytes — on Windows this recvfrom fails with WSAEMSGSIZE" "$work/server.out" ||
    fail "the truncated datagram's real length and Windows' WSAEMSGSIZE are not shown"
echo "e2e: udp-lab.exe server answers python3; truncated datagram shows 8 of 16 bytes"

# 2. The .exe's client against the Linux server.
linux=""
for b in "$root/target/release/udp-lab" "$root/target/debug/udp-lab"; do
    [ -x "$b" ] && { linux=$b; break; }
done
if [ -z "$linux" ]; then
    echo "SKIPPED e2e client: no Linux udp-lab in target/ (cargo build first)"
else
    "$linux" server --bind 127.0.0.1:0 >"$work/linux-server.out" 2>&1 &
    pids+=($!)
    lport=$(port_of "$work/linux-server.out") || fail "the Linux server printed no port"
    "$wine" "$exe" client --to "127.0.0.1:$lport" >"$work/client.out" 2>&1 ||
        fail "udp-lab.exe client failed"
    grep -q "Response from server: Hello, client" "$work/client.out" ||
        fail "udp-lab.exe client did not print the answer"
    echo "e2e: udp-lab.exe client gets \"Hello, client\" from the Linux server"
fi

# Wine's desktop process keeps the display of the program that started it
# (none so far): end this prefix's Wine session before the window's.
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
pids=()
/usr/lib/wine/wineserver -k 2>/dev/null || true
/usr/lib/wine/wineserver -w 2>/dev/null || true

# 3. The window under Xvfb: it opens, titled UDP Lab, and its server (started
#    with --start-server on a port the OS just gave out) answers python3.
wport=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/window.sh" <<EOF
"$wine" "$exe" --start-server --bind 127.0.0.1:$wport --lang en >"$work/window.out" 2>&1 &
app=\$!
for _ in \$(seq 600); do
    xdotool search --name "UDP Lab" >/dev/null 2>&1 && break
    sleep 0.1
done
xdotool search --name "UDP Lab" >/dev/null || { echo "no window"; kill \$app; exit 1; }
echo "e2e: the window is open"
# The window binds its server after it appears: wait until the port is
# bound (Wine's sockets are the machine's own, so ss sees it).
for _ in \$(seq 300); do
    [ -n "\$(ss -Hluln "sport = :$wport" 2>/dev/null)" ] && break
    sleep 0.1
done
status=0
answer=\$(bash -c 'source "$work/fns.sh"; lab_client $wport "Hello, server"') || status=1
echo "\$answer"
# What the window shows, read back: a screenshot, enlarged in grey for OCR
# (egui's small text is below tesseract's usual size). The window alone:
# the screen's empty black around it confuses the OCR's page layout. It
# repaints on events, not on a clock, and under Wine on a loaded machine
# the frame after the answer can come late: read it once a second until
# the status line is there, for up to 15 s, and say when it was.
win=\$(xdotool search --name "UDP Lab" | head -n1)
seen=""
for i in \$(seq 15); do
    sleep 1
    import -window "\$win" "$work/window.png"
    convert "$work/window.png" -colorspace Gray -resize 300% -sharpen 0x1 "$work/window-big.png"
    seen=\$(tesseract "$work/window-big.png" - 2>/dev/null | tr -s ' ' || true)
    if echo "\$seen" | grep -q "Listening on 127.0.0.1 port $wport"; then
        echo "e2e: the status line was read \$i s after the answer"
        break
    fi
done
echo "\$seen"
kill \$app
/usr/lib/wine/wineserver -k 2>/dev/null || true
exit \$status
EOF
declare -f lab_client >"$work/fns.sh"
out=$(xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/window.sh") || fail "window: $out"
echo "$out" | grep -q "Response from server: Hello, client" || fail "the window's server did not answer: $out"
echo "$out" | grep -q "Listening on 127.0.0.1 port $wport" ||
    fail "the window does not show \"Listening on 127.0.0.1 port $wport\" (OCR of its screenshot): $out"
echo "e2e: the window opened, shows \"Listening on 127.0.0.1 port $wport\" and its server answered python3"
