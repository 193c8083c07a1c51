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
        macos-*) RUNNER_WHY="nothing on this machine runs Mach-O programs (scripts/macos-build.sh builds and checks them)"; return 1 ;;
        linux-x86)
            [ -x /usr/i686-linux-gnu/lib/ld-linux.so.2 ] || { RUNNER_WHY="no i686 cross loader"; return 1; }
            return 0 ;;
        linux-aarch64) need_packages qemu-user ;;
        windows-x86_64) need_wine64 && wine_prefix_ready "$1" ;;
        windows-x86)
            if ! need_wine32; then RUNNER_WHY="$WINE32_WHY"; return 1; fi
            wine_prefix_ready "$1" ;;
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
    case "$1" in
        windows-*) bash "$REPO_ROOT/scripts/lib/wine-run.sh" "$1" --kill 2>/dev/null || true ;;
    esac
}
