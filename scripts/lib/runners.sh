# What runs each platform's programs on this machine: the runner column of the platform table
# (native/platforms.txt). Source after common.sh and packages.sh.
#   native        natively
#   i686-loader   natively through the i686 cross loader (toolchain file), 4 GiB of address space
#   qemu-user     qemu-aarch64
#   wine64        wine64
#   wine32        wine32:i386 (may be impossible to install; then RUNNER_WHY says why)
#   none          nothing: the platform is built here and never run by this script

RUNNER_WHY=""

# prepare_runner PLATFORM: installs and warms up the runner; non-zero with RUNNER_WHY when it
# cannot be had.
prepare_runner() {
    local runner; runner=$(platform_field "$1" 7)
    case "$runner" in
        native) return 0 ;;
        none) RUNNER_WHY="nothing on this machine runs the $1 suite (docs/platforms.md: macOS is built and checked by scripts/macos-build.sh, musl's C API checks run in tests/consumers/musl)"; return 1 ;;
        i686-loader)
            [ -x /usr/i686-linux-gnu/lib/ld-linux.so.2 ] || { RUNNER_WHY="no i686 cross loader"; return 1; }
            return 0 ;;
        qemu-user) need_packages qemu-user ;;
        wine64) need_wine64 && wine_prefix_ready "$1" ;;
        wine32)
            if ! need_wine32; then RUNNER_WHY="$WINE32_WHY"; return 1; fi
            wine_prefix_ready "$1" ;;
        *) RUNNER_WHY="native/platforms.txt names no known runner for $1 ('$runner')"; return 1 ;;
    esac
}

# wine_prefix_ready PLATFORM: makes the platform's own wine prefix (scripts/lib/wine-run.sh says
# where and why one each); ~10 s, so once here rather than inside the first test's time limit.
wine_prefix_ready() {
    timed "wine prefix for $1" bash "$REPO_ROOT/scripts/lib/wine-run.sh" "$1" --prepare && return 0
    RUNNER_WHY="wineboot could not make the wine prefix of $1 (its output is above)"
    return 1
}

# finish_runner PLATFORM: stops the wineserver this script's prefix started (it would linger for a
# few seconds otherwise).
finish_runner() {
    case "$(platform_field "$1" 7)" in
        wine*) bash "$REPO_ROOT/scripts/lib/wine-run.sh" "$1" --kill 2>/dev/null || true ;;
    esac
}
