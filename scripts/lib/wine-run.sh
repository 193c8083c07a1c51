#!/usr/bin/env bash
# wine-run.sh PLATFORM PROGRAM [ARGS...]   runs a Windows program of PLATFORM under wine
# wine-run.sh PLATFORM --prepare           makes PLATFORM's wine prefix (once; ~10 s) and returns
# PLATFORM is windows-x86_64 or windows-x86. The CMAKE_CROSSCOMPILING_EMULATOR of the windows-*
# toolchains (ctest) and scripts/cross-test.sh call it.
#
# Each platform has a prefix of its own, build/wineprefix-PLATFORM, made when first needed. Both
# are 64-bit prefixes (so a 32-bit program runs as under 64-bit Windows: WOW64, large-address-aware
# up to 4 GiB), but windows-x86's must have been made while wine32 was installed: one made by
# wine64 alone has no syswow64 DLLs, and a 32-bit program started in it dies with "could not load
# kernel32.dll" before running anything. Such a prefix is made again (for windows-x86_64 too, once
# wine32 is installed). Quiet wine, no prompts for
# Mono or Gecko, and the program's build tree on WINEPATH so its DLLs are found.
set -u
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
platform="${1:-}"
# What the prefix must hold: the 64-bit DLLs, and the 32-bit ones (syswow64) for windows-x86 and
# whenever wine32 is installed, because `wine` then starts every program, 64-bit ones included,
# through its 32-bit loader, which fails in a prefix made by wine64 alone.
case "$platform" in
    windows-x86_64) needs=system32/kernel32.dll; [ -x /usr/lib/wine/wine ] && needs=syswow64/kernel32.dll ;;
    windows-x86) needs=syswow64/kernel32.dll ;;
    *) echo "wine-run.sh: first argument must be windows-x86_64 or windows-x86, not '$platform'" >&2; exit 2 ;;
esac
shift
export WINEARCH=win64
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEPREFIX="${BUFFERS_WINEPREFIX_ROOT:-$repo/build}/wineprefix-$platform"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"

ready() { [ -f "$WINEPREFIX/system.reg" ] && [ -f "$WINEPREFIX/drive_c/windows/$needs" ]; }
if [ "${1:-}" = --prepare ]; then
    ready && exit 0
    if [ -e "$WINEPREFIX" ]; then
        echo "wine-run.sh: $WINEPREFIX lacks windows/$needs (made before wine32 was installed?); making it again" >&2
        wineserver --kill 2>/dev/null; rm -rf "$WINEPREFIX"
    fi
    mkdir -p "$(dirname "$WINEPREFIX")"
    # wineboot's own messages are the reason when it fails; keep them.
    log="$WINEPREFIX.log"
    if ! wineboot --init >"$log" 2>&1; then
        cat "$log" >&2; echo "wine-run.sh: wineboot could not make the prefix $WINEPREFIX" >&2; exit 1
    fi
    wineserver --wait
    ready || { cat "$log" >&2; echo "wine-run.sh: $WINEPREFIX has no windows/$needs after wineboot (is wine32 installed for windows-x86?)" >&2; exit 1; }
    exit 0
fi
if [ "${1:-}" = --kill ]; then
    exec wineserver --kill
fi

if [ -z "${WINEPATH:-}" ] && [ $# -gt 0 ]; then
    # The nearest folder above the program holding a CMakeCache.txt is its build tree.
    dir="$(cd "$(dirname "$1")" && pwd)"
    while [ "$dir" != / ] && [ ! -f "$dir/CMakeCache.txt" ]; do dir="$(dirname "$dir")"; done
    if [ -f "$dir/CMakeCache.txt" ]; then
        # Windows spelling of each folder: drive Z: is the Unix root in every wine prefix.
        WINEPATH="$(find "$dir" -name '*.dll' -printf 'Z:%h\n' 2>/dev/null | sort -u | tr '/' '\\' | paste -sd';')"
        export WINEPATH
    fi
fi
exec wine "$@"
