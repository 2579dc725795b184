#!/usr/bin/env bash
# UDP Lab for Windows, built and tested on Linux with Debian's packages:
# Debian's Rust (rustc-web, with its std sources for -Z build-std) and the
# MinGW-w64 cross toolchain build x86_64-pc-windows-gnu; Wine runs it.
#
#   scripts/windows.sh        build the release .exe and the portable zip
#   scripts/windows.sh test   the lib tests and chosen integration tests
#                             under Wine, then the real .exe end to end
#   scripts/windows.sh ci     both, plus clippy -D warnings for the target
#
# Everything goes under target/windows (the Linux build is left alone). It
# installs what is missing with apt-get (as root, or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode=${1:-build}
started=$(date +%s)

target=x86_64-pc-windows-gnu
out=$root/target/windows
exe=$out/$target/release/udp-lab.exe

# --- Packages -----------------------------------------------------------
need=()
[ -x /usr/bin/cargo ] || need+=(cargo-web)
[ -x /usr/bin/rustc ] || need+=(rustc-web)
[ -d /usr/lib/rustlib/src/rust/library ] || need+=(rust-web-src)
[ -x /usr/bin/clippy-driver ] || need+=(rust-web-clippy)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64)
command -v x86_64-w64-mingw32-windres >/dev/null || need+=(binutils-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || need+=(wine wine64)
command -v xvfb-run >/dev/null || need+=(xvfb xauth)
command -v xdotool >/dev/null || need+=(xdotool)
command -v zip >/dev/null || need+=(zip)
# The window's text read back from a screenshot (e2e.sh): Wine's
# accessibility tree cannot be read from Linux.
command -v import >/dev/null || need+=(imagemagick)
command -v tesseract >/dev/null || need+=(tesseract-ocr tesseract-ocr-eng)
command -v ss >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "windows.sh: installing ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Toolchain ----------------------------------------------------------
# Debian's cargo, rustc and clippy (/usr/bin first: rustup's toolchain has
# no Windows std and cannot fetch one). RUSTC_BOOTSTRAP lets this stable
# compiler build std itself (-Z build-std) from rust-web-src.
export PATH="/usr/bin:$PATH"
export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=$out
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
cargo_win() {
    local sub=$1
    shift
    nice -n 10 /usr/bin/cargo "$sub" -Z build-std=std,panic_abort --target $target "$@"
}

# --- Wine -----------------------------------------------------------------
export WINEDEBUG=-all
export WINEPREFIX=$out/wine
wine=/usr/lib/wine/wine64
shim=$out/shim/bcryptprimitives.dll

# Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng, which Rust's std
# imports): a test-only stand-in from scripts/windows/, in the prefix only.
prepare_wine() {
    local src=scripts/windows/bcryptprimitives
    if [ ! -f "$shim" ] || [ "$src.c" -nt "$shim" ] || [ "$src.def" -nt "$shim" ]; then
        mkdir -p "$(dirname "$shim")"
        x86_64-w64-mingw32-gcc -O2 -shared -s -o "$shim" "$src.c" "$src.def" -lbcrypt
    fi
    if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
        # No Mono or Gecko installers: nothing here needs .NET or a browser.
        WINEDLLOVERRIDES="mscoree,mshtml=" "$wine" wineboot --init >/dev/null 2>&1
        /usr/lib/wine/wineserver -w
    fi
    cp "$shim" "$WINEPREFIX/drive_c/windows/system32/"
}

# --- Build and zip ----------------------------------------------------------
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
zip_path=$out/udp-lab-$version-windows-x86_64.zip

build() {
    local t0=$(date +%s)
    cargo_win build --release --locked
    echo "windows.sh: release build $(($(date +%s) - t0)) s, $(stat -c %s "$exe") bytes"
}

make_zip() {
    local stage=$out/zip
    rm -rf "$stage" "$zip_path"
    mkdir -p "$stage"
    cp "$exe" "$stage/udp-lab.exe"
    # CRLF and a BOM: Notepad on any Windows shows it right.
    printf '\xef\xbb\xbf' >"$stage/README.txt"
    sed "s/@VERSION@/$version/; s/\$/\r/" scripts/windows/README.txt >>"$stage/README.txt"
    (cd "$stage" && zip -q -X "$zip_path" udp-lab.exe README.txt)
    echo "windows.sh: $zip_path ($(stat -c %s "$zip_path") bytes)"
}

clippy() {
    local t0=$(date +%s)
    cargo_win clippy --locked --all-targets -- -D warnings
    echo "windows.sh: clippy for $target $(($(date +%s) - t0)) s"
}

# The Windows build's own tests, each binary run by Wine. Integration tests
# chosen for the socket layer and the CLI; the window's kittest suites
# (in --lib) run too. Tests that cannot run under Wine print SKIPPED.
wine_tests() {
    local t0=$(date +%s)
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$wine
    cargo_win test --locked --no-run --lib --test net --test bad_input --test cli_fixes
    echo "windows.sh: test build $(($(date +%s) - t0)) s"
    t0=$(date +%s)
    # --nocapture: the SKIPPED lines of passing tests are shown too.
    local status=0
    cargo_win test --locked --no-fail-fast --lib --test net --test bad_input --test cli_fixes \
        -- --nocapture >"$out/wine-tests.log" 2>&1 || status=$?
    grep -E '^(test result|SKIPPED|failures:|---- )|FAILED|panicked' "$out/wine-tests.log" || true
    echo "windows.sh: tests under Wine $(($(date +%s) - t0)) s (log: $out/wine-tests.log)"
    return "$status"
}

case $mode in
build)
    build
    make_zip
    ;;
test)
    [ -f "$exe" ] || build
    prepare_wine
    wine_tests
    scripts/windows/e2e.sh "$exe"
    ;;
ci)
    build
    make_zip
    clippy
    prepare_wine
    wine_tests
    scripts/windows/e2e.sh "$exe"
    ;;
*)
    echo "usage: scripts/windows.sh [build|test|ci]" >&2
    exit 2
    ;;
esac
/usr/lib/wine/wineserver -k 2>/dev/null || true
echo "windows.sh: $mode took $(($(date +%s) - started)) s"
