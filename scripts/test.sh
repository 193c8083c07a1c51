#!/usr/bin/env bash
# Every test of the project, from a fresh Debian machine: installs what is missing, builds, and runs
#   - the install helpers against a stub apt (tests/scripts: a broken mirror must not stop a stage),
#     and the platform table (native/platforms.txt) against the toolchain files and docs/platforms.md,
#   - the C suite (ctest: Google Test + the installed-package consumer) in a plain build,
#   - the same suite under ASan+UBSan and under TSan,
#   - the public header as strict C11 and as C++,
#   - a 30-second libFuzzer run over the pure maps parser and placement math,
#   - the C suite cross-built for linux-x86, linux-aarch64, windows-x86_64 and windows-x86 and run
#     through the i686 loader, qemu-user and wine (scripts/cross-test.sh),
#   - the linux-aarch64 suite under a real arm64 kernel booted by qemu-system-aarch64, where ptrace
#     works (tests/kernel/run.sh),
#   - macOS x86_64 and arm64 built with Zig (scripts/macos-build.sh): C library, test program and
#     JNI libraries linked and checked against libSystem, never run (nothing here runs Mach-O),
#   - the fat jar: JNI libraries for all eight platforms (scripts/build-natives.sh), packed by Maven,
#     each exporting only JNI symbols, and the jar's demo run from another directory,
#   - the CLI launcher bin/buffers on JDK 17 and the newest JDK against `java -jar` (tests/launcher),
#   - the Java suite (mvn verify: JUnit 5 through the JNI library) on JDK 17, on the newest JDK
#     under /usr/lib/jvm, on Debian's 32-bit (i386) JDK 17 and on its aarch64 JDK 17 under qemu-user
#     (scripts/java-cross-test.sh), and the Javadoc of the public API (warnings fail),
#   - the JMH benchmark jar (mvn -Pbench), built and listed, not run,
#   - consumers of the jar: a modular app with jlink, a shaded and relocated app, the bundle started
#     in Apache Felix (tests/consumers/osgi), and the release build from a fresh clone: signed with
#     a throwaway key, the Central bundle and the SBOM checked (tests/consumers/publish),
#   - two builds of the same sources in two folders give byte-identical archives, a build on the newest
#     JDK the same entries (tests/reproducible), and `mvn -q package` prints nothing (tests/quiet),
# and ends with one line "stages: N passed, N failed, N skipped". A stage that cannot run
# fails (or, where the platform cannot be had here, is reported skipped with its reason); nothing
# skipped is counted as passed. Exit status is non-zero if any stage failed.
#   usage: scripts/test.sh [stage ...]     (default: all stages)
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/packages.sh

JOBS=${JOBS:-2}
passed=0 failed=0 skipped=0
failures=() skips=()

# run_stage NAME COMMAND...: runs the command, counts it; exit 77 means "could not run here", and
# the stage's own "SKIPPED: <reason>" line is kept for the summary.
run_stage() {
  local name=$1; shift
  echo "=== stage: $name"
  local start=$SECONDS log; log=$(mktemp)
  ( "$@" ) 2>&1 | tee "$log"   # a subshell: a helper that dies ends the stage, not the script
  local code=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  if [ $code -eq 0 ]; then
    passed=$((passed + 1)); echo "=== stage $name: passed (${took}s)"
  elif [ $code -eq 77 ]; then
    local why; why=$(grep -m1 -o 'SKIPPED: .*' "$log" | sed 's/^SKIPPED: //')
    skipped=$((skipped + 1)); skips+=("$name (${why:-no reason given})"); echo "=== stage $name: SKIPPED (${took}s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== stage $name: FAILED with $code (${took}s)"
  fi
  rm -f "$log"
}

# ctest_build DIR CMAKE_ARGS...: configure, build and run the C suite in build/DIR.
ctest_build() {
  local dir=build/$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "$@" >/dev/null &&
    cmake --build "$dir" -j"$JOBS" >/dev/null &&
    (cd "$dir" && ctest -j"$JOBS" --output-on-failure --no-tests=error)
}

stage_deps() {
  need_packages cmake make gcc g++ libgtest-dev pkg-config libbenchmark-dev openjdk-17-jdk-headless maven
}

stage_scripts() { bash tests/scripts/test_packages.sh && bash tests/scripts/test_platforms.sh; }

stage_native() { ctest_build native -DBUFFERS_BUILD_BENCHMARKS=ON; }
stage_asan()   { ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest_build asan -DBUFFERS_SANITIZE=address,undefined; }
stage_tsan()   { TSAN_OPTIONS=halt_on_error=1 ctest_build tsan -DBUFFERS_SANITIZE=thread; }

stage_header() {
  local header=native/include/reloaded/buffers.h
  cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -x c "$header" &&
    c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -x c++ "$header" &&
    echo "buffers.h compiles as C11 and as C++11"
}

stage_fuzz() { bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"; }

stage_cross_linux_x86()      { bash scripts/cross-test.sh linux-x86; }
stage_cross_linux_aarch64()  { bash scripts/cross-test.sh linux-aarch64; }
stage_cross_windows_x86_64() { bash scripts/cross-test.sh windows-x86_64; }
stage_cross_windows_x86()    { bash scripts/cross-test.sh windows-x86; }
stage_kernel_linux_aarch64() { bash tests/kernel/run.sh; }

# mvn verify builds the C core (CMake), the JNI library and the jar, then runs the JUnit suite.
maven_verify() {
  local home=$1
  echo "JDK: $home ($("$home/bin/java" -version 2>&1 | head -1))"
  JAVA_HOME=$home mvn -B -ntp clean verify
}

stage_fat_jar() {
  local home; home=$(jdk17_home) || return 1
  bash scripts/build-natives.sh || return 1
  # The released jar carries the JDK 22+ part (Segments, the FFM route) too, built on JDK 17 with no
  # flag: the build finds a JDK 22+ javac itself (pom.xml, java/build/FindJdk.java).
  local newest; newest=$(newest_jdk) || return 1
  JAVA_HOME=$home mvn -B -ntp -q clean package -DskipTests || return 1
  local jar; jar=$(ls target/reloaded-memory-buffers-*.jar | grep -v -- '-sources\|-javadoc' | head -1)
  local listing platform missing=0; listing=$(unzip -l "$jar")
  bash tests/jar-content/check.sh target || missing=1
  for platform in $BUFFERS_PLATFORMS; do
    if grep -qE "reloaded/memory/buffers/native/$platform/(lib)?buffers_jni\.(so|dll|dylib)$" <<<"$listing"; then
      echo "$jar holds $platform"
    else
      echo "$jar lacks $platform" >&2; missing=1
    fi
  done
  [ $missing -eq 0 ] && (cd / && "$home/bin/java" -jar "$OLDPWD/$jar" demo) &&
    (cd / && "$newest/bin/java" --enable-native-access=ALL-UNNAMED -jar "$OLDPWD/$jar" demo)
}

stage_java17()     { local home; home=$(jdk17_home) && maven_verify "$home"; }
stage_java_newest() { local home; home=$(newest_jdk) && maven_verify "$home"; }
stage_java_linux_x86() { bash scripts/java-cross-test.sh linux-x86; }
stage_java_linux_aarch64() { bash scripts/java-cross-test.sh linux-aarch64; }
# initialize first: it finds the JDK 22+ whose javadoc documents Segments too (pom.xml, FindJdk).
stage_javadoc()    { local home; home=$(jdk17_home) && JAVA_HOME=$home mvn -B -ntp -q initialize javadoc:javadoc; }

# The JMH benchmarks (mvn -Pbench) build, and JMH finds them: compiled, not run (scripts/bench.sh runs).
stage_java_bench_build() {
  local home; home=$(jdk17_home) || return 1
  JAVA_HOME=$home mvn -B -ntp -q -Pbench clean package -DskipTests || return 1
  local listed; listed=$("$home/bin/java" -jar target/benchmarks.jar -l | grep -c 'reloaded\.memory\.buffers\.')
  echo "target/benchmarks.jar lists $listed benchmarks"
  [ "$listed" -gt 0 ]
}

# macOS x86_64 and arm64 with Zig: C library, test program and JNI libraries, built and checked, not run.
stage_macos() { bash scripts/macos-build.sh; }

stage_glibc_floor() { bash tests/consumers/glibc-floor/run.sh; }
stage_musl()        { bash tests/consumers/musl/run.sh; }
stage_consumer_modular() { bash tests/consumers/modular/run.sh; }
stage_consumer_shaded()  { bash tests/consumers/shaded/run.sh; }
stage_consumer_osgi()    { bash tests/consumers/osgi/run.sh; }
stage_publish()          { bash tests/consumers/publish/run.sh; }
stage_reproducible()     { bash tests/reproducible/run.sh; }
stage_quiet()            { bash tests/quiet/run.sh; }
stage_launcher()         { bash tests/launcher/run.sh; }   # bin/buffers, the CLI the README documents

# java_bench_build runs before fat_jar: it cleans target/, and later stages use fat_jar's jar.
# quiet (last) builds target/ again, with the natives fat_jar left in build/natives.
all_stages=(deps scripts native asan tsan header fuzz java_bench_build fat_jar launcher java17 java_newest java_linux_x86
            java_linux_aarch64 javadoc
            cross_linux_x86 cross_linux_aarch64 kernel_linux_aarch64 cross_windows_x86_64 cross_windows_x86
            macos glibc_floor musl consumer_modular consumer_shaded consumer_osgi publish reproducible quiet)
stages=("${@:-${all_stages[@]}}")
for stage in "${stages[@]}"; do
  if ! declare -F "stage_$stage" >/dev/null; then
    echo "unknown stage '$stage' (stages: ${all_stages[*]})" >&2; exit 2
  fi
done
for stage in "${stages[@]}"; do
  run_stage "$stage" "stage_$stage"
  if [ "$stage" = deps ] && [ $failed -gt 0 ]; then break; fi
done

for skip in "${skips[@]}"; do echo "skipped stage: $skip"; done
[ ${#failures[@]} -gt 0 ] && echo "failed stages: ${failures[*]}"
echo "total time: $((SECONDS / 60)) min $((SECONDS % 60)) s"
echo "stages: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
