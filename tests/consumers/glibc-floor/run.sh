#!/usr/bin/env bash
# tests/consumers/glibc-floor/run.sh — every Linux library we ship loads on glibc 2.17:
#   for linux-x86_64, linux-x86 and linux-aarch64, the JNI library (scripts/build-natives.sh, which
#   checks it) and the shared libbuffers.so are built, and objdump -T must show no symbol version
#   newer than GLIBC_2.17 (the newest glibc on the build machine is 2.36, whose fstat/fstatat are
#   GLIBC_2.33: cmake/glibc-floor/glibc_floor.c routes them to the old entry points). Then the C API
#   checks (tests/consumers/c_suite) run against each libbuffers.so, natively, through the i686
#   loader and under qemu-aarch64, so the rerouted calls are proven to work on each architecture.
# The JNI library that Maven itself links into a fresh clone's jar is checked by the stage publish.
set -uo pipefail
SCRIPT_NAME=glibc-floor
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/scripts/lib/jni.sh"
need_packages binutils file qemu-user openjdk-17-jdk-headless
export JAVA_HOME="${JAVA_HOME:-$(jdk17_home)}"
# the glibc rows of the platform table (native/platforms.txt)
platforms=()
for p in $BUFFERS_PLATFORMS; do [ "$(platform_field "$p" 4)" = glibc ] && platforms+=("$p"); done
[ ${#platforms[@]} -gt 0 ] || die "no glibc platform in $PLATFORM_TABLE"
bash "$REPO_ROOT/scripts/build-natives.sh" "${platforms[@]}" || die "a JNI library failed to build or broke the floor"

failed=0
for platform in "${platforms[@]}"; do
    core_dir="$REPO_ROOT/build/natives-core/$platform"
    cmake --build "$core_dir" -j2 --target buffers_shared >>"$core_dir.log" 2>&1 \
        || die "libbuffers.so did not build for $platform (log: $core_dir.log)"
    lib=$(find "$core_dir/native" -maxdepth 1 -name 'libbuffers.so.*.*' | head -1)
    [ -n "$lib" ] || die "no libbuffers.so.* in $core_dir/native"
    check_glibc_floor "$lib" || failed=1
    check_glibc_floor "$REPO_ROOT/build/natives/$platform/libbuffers_jni.so" || failed=1
    exe="$core_dir/c_suite"
    "$(platform_cc "$platform")" -std=c11 -D_DEFAULT_SOURCE -O1 -I"$REPO_ROOT/native/include" -o "$exe" \
        "$REPO_ROOT/tests/consumers/c_suite/c_suite.c" -L"$core_dir/native" -lbuffers -lpthread \
        || die "the C suite did not build for $platform"
    case "$platform" in
        linux-x86_64) run=(env LD_LIBRARY_PATH="$core_dir/native" "$exe") ;;
        linux-x86) run=(/usr/i686-linux-gnu/lib/ld-linux.so.2 --library-path "$core_dir/native:/usr/i686-linux-gnu/lib" "$exe") ;;
        linux-aarch64) run=(env QEMU_LD_PREFIX=/usr/aarch64-linux-gnu LD_LIBRARY_PATH="$core_dir/native" qemu-aarch64 "$exe") ;;
    esac
    if "${run[@]}" >"$core_dir.c_suite.log" 2>&1; then say "$platform: C suite passed against the floored libbuffers.so"
    else cat "$core_dir.c_suite.log"; say "FAILED: the C suite on $platform"; failed=1; fi
done
[ $failed -eq 0 ] || die "a shipped Linux library needs more than GLIBC_$GLIBC_FLOOR, or the C suite failed (see above)"
say "every shipped Linux library needs at most GLIBC_$GLIBC_FLOOR"
