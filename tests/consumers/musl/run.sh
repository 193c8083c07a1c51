#!/usr/bin/env bash
# tests/consumers/musl/run.sh — libbuffers on musl libc (Alpine's), here through Debian's musl-tools:
#   1. the C core and the JNI library built with musl-gcc (scripts/build-natives.sh linux-x86_64-musl),
#      checked to need musl's libc.so and no glibc symbol;
#   2. tests/consumers/c_suite (the C API's checks; Google Test needs C++, which musl-gcc lacks), the demo and
#      the installed-package consumer, linked against the static and the shared musl libbuffers,
#      run through musl's loader /lib/ld-musl-x86_64.so.1.
# The JNI library is not loaded by a JVM here (no musl JDK on Debian); the Java loader's choice of
# it is covered by PlatformTest / NativeLoaderTest.
set -uo pipefail
SCRIPT_NAME=musl
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
need_packages musl-tools cmake ninja-build gcc g++ binutils file openjdk-17-jdk-headless
[ -x /lib/ld-musl-x86_64.so.1 ] || die "musl-tools is installed but /lib/ld-musl-x86_64.so.1 is missing"
export JAVA_HOME="${JAVA_HOME:-$(jdk17_home)}"

bash "$REPO_ROOT/scripts/build-natives.sh" linux-x86_64-musl || die "the musl JNI library did not build"
core_dir="$REPO_ROOT/build/natives-core/linux-x86_64-musl"
cmake --build "$core_dir" -j2 --target buffers_shared >>"$core_dir.log" 2>&1 \
    || die "the musl shared libbuffers did not build (log: $core_dir.log)"
work="$REPO_ROOT/build/musl-consumers"
rm -rf "$work" && mkdir -p "$work"
inc=(-I"$REPO_ROOT/native/include")
failed=0
# build_and_run NAME SOURCE LINKAGE: LINKAGE is "static" (libbuffers.a) or "shared" (libbuffers.so).
build_and_run() {
    local name="$1" source="$2" linkage="$3" exe="$work/$1-$3" lib
    if [ "$linkage" = static ]; then lib=("$core_dir/native/libbuffers.a"); else lib=(-L"$core_dir/native" -lbuffers); fi
    musl-gcc -std=c11 -D_DEFAULT_SOURCE -O1 -Wall "${inc[@]}" -o "$exe" "$source" "${lib[@]}" -lpthread \
        || { say "FAILED: $name ($linkage) did not build"; failed=1; return; }
    local interp; interp=$(readelf -l "$exe" | grep -o '/lib/ld-musl[^]]*')
    [ -n "$interp" ] || { say "FAILED: $exe does not run through musl's loader"; failed=1; return; }
    if LD_LIBRARY_PATH="$core_dir/native" "$exe"; then say "passed: $name ($linkage, $interp)"
    else say "FAILED: $name ($linkage) exited with $?"; failed=1; fi
}
for linkage in static shared; do
    build_and_run c_suite "$REPO_ROOT/tests/consumers/c_suite/c_suite.c" "$linkage"
    build_and_run demo "$REPO_ROOT/native/examples/demo.c" "$linkage"
    build_and_run consumer "$REPO_ROOT/tests/native/consumer/consumer.c" "$linkage"
done
[ $failed -eq 0 ] || die "a musl program failed (see above)"
say "musl: JNI library built, C suite, demo and consumer passed (static and shared)"
