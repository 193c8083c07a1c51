# What runs each platform's programs on this machine. Source after common.sh and packages.sh.
#   linux-x86_64    natively
#   linux-x86       natively through the i686 cross loader (toolchain file), 4 GiB of address space
#   linux-aarch64   qemu-aarch64 (qemu-user)
#   windows-x86_64  wine64
#   windows-x86     wine32:i386 (may be impossible to install; then RUNNER_WHY says why)

RUNNER_WHY=""

# prepare_runner PLATFORM: installs and warms up the runner; non-zero with RUNNER_WHY when it
# cannot be had.
prepare_runner() {
    case "$1" in
        linux-x86_64) return 0 ;;
        linux-x86)
            [ -x /usr/i686-linux-gnu/lib/ld-linux.so.2 ] || { RUNNER_WHY="no i686 cross loader"; return 1; }
            return 0 ;;
        linux-aarch64) need_packages qemu-user ;;
        windows-x86_64) need_wine64 && wine_prefix_ready ;;
        windows-x86)
            if ! need_wine32; then RUNNER_WHY="$WINE32_WHY"; return 1; fi
            wine_prefix_ready ;;
    esac
}

# The wine prefix lives in build/wineprefix; making it takes ~10 s, so it is made once here rather
# than inside the first test's time limit.
wine_prefix_ready() {
    export WINEPREFIX="${WINEPREFIX:-$REPO_ROOT/build/wineprefix}" WINEDEBUG="${WINEDEBUG:--all}"
    export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        mkdir -p "$(dirname "$WINEPREFIX")"
        timed "wine prefix creation" wineboot --init >/dev/null 2>&1 || { RUNNER_WHY="wineboot failed"; return 1; }
        wineserver --wait
    fi
    return 0
}

# finish_runner PLATFORM: stops the wineserver this script's prefix started (it would linger for a
# few seconds otherwise).
finish_runner() {
    case "$1" in
        windows-*) WINEPREFIX="${WINEPREFIX:-$REPO_ROOT/build/wineprefix}" wineserver --kill 2>/dev/null || true ;;
    esac
}
