#!/usr/bin/env bash
# Runs a Windows program under wine for ctest (CMAKE_CROSSCOMPILING_EMULATOR of the windows-*
# toolchains) and for scripts/cross-test.sh. Quiet wine, a prefix of our own inside build/, no
# prompts for Mono or Gecko, and the program's build tree on WINEPATH so its DLLs are found.
set -u
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEPREFIX="${WINEPREFIX:-$repo/build/wineprefix}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
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
