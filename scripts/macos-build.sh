#!/usr/bin/env bash
# scripts/macos-build.sh [PLATFORM...] — builds libbuffers for macOS (default: macos-x86_64 and
# macos-aarch64) with Zig from the npm registry (scripts/lib/zig.sh), warnings as errors:
#   build/PLATFORM/native/libbuffers.a, libbuffers.dylib   the C library, static and dynamic
#   build/PLATFORM/tests/native/buffers_tests + helpers    the Google Test suite, linked, not run
#   build/natives/PLATFORM/libbuffers_jni.dylib            the JNI library for the jar
# and checks each is a Mach-O of the right architecture that links only libSystem and imports only
# what libSystem provides (the shipped dylibs: only the symbols listed in scripts/lib/macos.sh).
# Nothing here can run a Mach-O program: what runs on a Mac is left to the self-check (issue 18).
# Exit status 0 when everything built and passed the checks, 1 otherwise (with the reason).
set -uo pipefail
SCRIPT_NAME=macos-build
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/scripts/lib/gtest.sh"
source "$REPO_ROOT/scripts/lib/zig.sh"
source "$REPO_ROOT/scripts/lib/macos.sh"

platforms=("$@")
# The macOS rows of the platform table (native/platforms.txt); each one's architecture is the word
# file(1) gives it (the third of "Mach-O 64-bit ARCH ...", the JNI library's column).
macos_platforms=$(tr ' ' '\n' <<<"$BUFFERS_PLATFORMS" | grep '^macos-' | tr '\n' ' ')
[ ${#platforms[@]} -gt 0 ] || read -r -a platforms <<<"$macos_platforms"
declare -A arch=()
for p in $macos_platforms; do arch[$p]=$(platform_field "$p" 6 | awk '{ print $3 }'); done
for p in "${platforms[@]}"; do [ -n "${arch[$p]:-}" ] || die "unknown macOS platform '$p' ($macos_platforms)"; done

need_packages $(platform_build_packages macos-x86_64)
zig_install >/dev/null || exit 1
mkdir -p "$REPO_ROOT/build"

# is_macho FILE KIND ARCH: `file` calls FILE a Mach-O KIND for ARCH.
is_macho() {
    file -b "$1" | grep -qE "^Mach-O 64-bit $3 $2" || { say "$1 is not a Mach-O $3 $2: $(file -b "$1")"; return 1; }
}

# The import check must be able to fail: without flock in the list, libbuffers.dylib is refused.
check_can_fail() {
    local dylib="$1"
    if MACOS_ALLOWED_IMPORTS=${MACOS_ALLOWED_IMPORTS//_flock /} check_macos_binary "$dylib" >/dev/null 2>&1; then
        die "the import check passed $dylib with _flock left out of the list: it checks nothing"
    fi
    say "the import check refuses $(basename "$dylib") once _flock is left out of the list"
}

# has_self_check FILE: the self-check is compiled into FILE, as it must be in every macOS build
# (BUFFERS_SELF_CHECK, native/CMakeLists.txt; docs/platforms.md, "Self-check").
# grep reads all of llvm-nm's output (no -q): llvm-nm exits 74 when the pipe closes early, which
# pipefail took for a missing self-check.
has_self_check() {
    llvm-nm "$1" 2>/dev/null | grep -E ' [Tt] _self_check_run_steps$' >/dev/null \
        || { say "$1 lacks the self-check (no _self_check_run_steps): a macOS build must check itself"; return 1; }
}

built=()
for platform in "${platforms[@]}"; do
    build="$REPO_ROOT/build/$platform" a=${arch[$platform]}
    gtest=$(gtest_dir "$platform") || exit 1
    timed "configure $platform" cmake -S "$REPO_ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_TOOLCHAIN_FILE="$(platform_toolchain "$platform")" -DGTest_DIR="$gtest" \
        -DBUFFERS_BUILD_TESTS=ON -DBUFFERS_BUILD_EXAMPLES=ON -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST \
        -DCMAKE_C_FLAGS=-Werror -DCMAKE_CXX_FLAGS=-Werror >"$build.configure.log" 2>&1 \
        || { tail -40 "$build.configure.log"; die "CMake could not configure $platform (log: $build.configure.log)"; }
    timed "build $platform" cmake --build "$build" -j2 >"$build.build.log" 2>&1 \
        || { grep -E 'error|FAILED' "$build.build.log" | head -40; die "$platform did not build (log: $build.build.log)"; }
    ! grep -q 'warning:' "$build.build.log" \
        || { grep 'warning:' "$build.build.log" | head; die "$platform built with warnings (log: $build.build.log)"; }
    lib="$build/native"
    file -b "$lib/libbuffers.a" | grep -q 'ar archive' || die "$lib/libbuffers.a is not an archive"
    is_macho "$(readlink -f "$lib/libbuffers.dylib")" 'dynamically linked shared library' "$a" || exit 1
    check_macos_binary "$(readlink -f "$lib/libbuffers.dylib")" || die "libbuffers.dylib for $platform imports what macOS may not have"
    check_can_fail "$(readlink -f "$lib/libbuffers.dylib")"
    has_self_check "$lib/libbuffers.a" || exit 1
    for program in buffers_tests two_copies locator_probe layout_probe coexistence pid_namespace_pair; do
        is_macho "$build/tests/native/$program" executable "$a" || exit 1
    done
    is_macho "$build/native/examples/buffers_demo" executable "$a" || exit 1
    check_macos_binary "$build/tests/native/buffers_tests" any || die "the $platform test program imports what libSystem lacks"
    built+=("$platform: ${lib#$REPO_ROOT/}/libbuffers.a ($(stat -c %s "$lib/libbuffers.a") bytes), libbuffers.dylib ($(stat -c %s "$(readlink -f "$lib/libbuffers.dylib")") bytes), tests/native/buffers_tests ($(stat -c %s "$build/tests/native/buffers_tests") bytes) + 5 helpers, examples/buffers_demo")
done

# The JNI libraries for the jar: the same route as every other platform's.
timed "JNI libraries" bash "$REPO_ROOT/scripts/build-natives.sh" "${platforms[@]}" || die "the macOS JNI libraries did not build"
for platform in "${platforms[@]}"; do
    has_self_check "$REPO_ROOT/build/natives/$platform/libbuffers_jni.dylib" || exit 1
    built+=("$platform: build/natives/$platform/libbuffers_jni.dylib ($(stat -c %s "$REPO_ROOT/build/natives/$platform/libbuffers_jni.dylib") bytes)")
done

say "built with Zig $ZIG_VERSION (warnings as errors), linked, not run:"
for line in "${built[@]}"; do say "  $line"; done
