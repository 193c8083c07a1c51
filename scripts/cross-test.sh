#!/usr/bin/env bash
# scripts/cross-test.sh PLATFORM [--build-only] — build libbuffers and its Google Test suite for PLATFORM into
# build/PLATFORM/ and run the suite on this Debian machine (natively, through the i686 cross loader,
# under qemu-user or under wine). PLATFORM is a row of the platform table (native/platforms.txt) whose
# runner is not "none" (linux-x86_64 linux-x86 linux-aarch64 windows-x86_64 windows-x86 today).
# Installs the compilers, Google Test sources and emulators it needs (apt, as root).
# Exit status: 0 all tests passed; 1 a build step or a test failed; 77 the suite was built but could
# not be run here (the reason is printed; CI reports it as skipped, never as passed).
set -uo pipefail
SCRIPT_NAME=cross-test
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/packages.sh"
source "$REPO_ROOT/scripts/lib/gtest.sh"
source "$REPO_ROOT/scripts/lib/runners.sh"

platform="${1:-}"
build_only="" no_emulator=""
for option in "${@:2}"; do
    case "$option" in
        --build-only) build_only=1 ;;               # build the suite, run nothing
        --no-emulator) build_only=1 no_emulator=1 ;; # for a real machine of PLATFORM (tests/kernel)
        *) die "unknown option $option" ;;
    esac
done
is_platform "$platform" || die "usage: scripts/cross-test.sh PLATFORM [--build-only | --no-emulator] (one of: $BUFFERS_PLATFORMS)"
build="$REPO_ROOT/build/$platform${no_emulator:+-no-emulator}"
mkdir -p "$REPO_ROOT/build"   # the logs below sit beside the build folder, in a fresh clone too
say "platform $platform, build folder $build"

# 1. Tools: compilers and Google Test sources, then whatever runs the programs.
need_packages $(platform_build_packages "$platform")
cannot_run=""
[ -n "$build_only" ] || prepare_runner "$platform" || cannot_run="$RUNNER_WHY"

# 2. Configure and build (Google Test first, from source, for cross platforms).
configure_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUFFERS_BUILD_TESTS=ON
                # Discovering test names runs the test program; do it when tests run, not at build
                # time, so a platform whose programs cannot run here still builds.
                -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST)
[ -z "$no_emulator" ] || configure_args+=(-DBUFFERS_NO_EMULATOR=ON)
toolchain=$(platform_toolchain "$platform")
if [ -n "$toolchain" ]; then
    gtest=$(gtest_dir "$platform") || exit 1
    configure_args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain" -DGTest_DIR="$gtest")
fi
timed "configure $platform" cmake -S "$REPO_ROOT" -B "$build" "${configure_args[@]}" >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; die "CMake could not configure $platform"; }
timed "build $platform" cmake --build "$build" -j2 >"$build.build.log" 2>&1 \
    || { tail -60 "$build.build.log"; die "$platform did not build (full log: $build.build.log)"; }
say "built $platform"
[ -z "$build_only" ] || exit 0

if [ -n "$cannot_run" ]; then
    say "SKIPPED: the $platform suite was built but cannot run on this machine: $cannot_run"
    exit 77
fi

# 3. Run the suite (ctest runs each test through the toolchain's emulator).
log="$build.ctest.log"
# Under wine a test program occasionally loses its wineserver connection ("wine client error:
# recvmsg: Connection reset by peer", seen once in about ten runs) and dies before running a
# test. A failing Windows test is therefore run once more; a real failure fails both times.
retry=()
case "$platform" in windows-*) retry=(--repeat until-pass:2) ;; esac
timed "run $platform suite" ctest --test-dir "$build" --output-on-failure -j2 --timeout 600 "${retry[@]}" >"$log" 2>&1
status=$?
cat "$log"
finish_runner "$platform"
# One line per test with its final outcome: with --repeat a test has a line per attempt, the
# first numbered "i/n", the retries not; the last one counts.
results=$(awk 'match($0, /Test +#[0-9]+: /) { id = substr($0, RSTART, RLENGTH); last[id] = $0 }
               END { for (id in last) print last[id] }' "$log")
passed=$(grep -cE ' Passed ' <<<"$results")
skipped=$(grep -cE '\*\*\*Skipped|Not Run' <<<"$results")
failed=$(grep -vE ' Passed |\*\*\*Skipped|Not Run' <<<"$results" | grep -c .)
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    # No test ran: the test program itself could not start (gtest_discover_tests runs it first).
    # Its own words are what a reader needs, not a count of zero.
    say "the $platform test program could not start, so no test ran; what it printed:"
    grep -B12 -A3 'Error running test executable' "$log" >&2 || tail -30 "$log" >&2
    echo "$platform: the test program could not start (see above and $log)"
    exit 1
fi
retried=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*\*\*\*Failed' "$log")
[ "$retried" -gt 0 ] && [ "$status" -eq 0 ] && say "$retried Windows test run(s) failed once and passed on the retry (see $log)"
echo "$platform: $passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] || exit 1
