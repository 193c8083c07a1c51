#!/usr/bin/env bash
# Every test of the project, from a fresh Debian machine: installs what is missing, builds, and runs
#   - the C suite (ctest: Google Test + the installed-package consumer) in a plain build,
#   - the same suite under ASan+UBSan and under TSan,
#   - the public header as strict C11 and as C++,
#   - a 30-second libFuzzer run over the pure maps parser and placement math,
# and ends with one line "test stages: N passed, N failed, N skipped". A stage that cannot run
# fails (or, where the platform cannot be had here, is reported skipped with its reason); nothing
# skipped is counted as passed. Exit status is non-zero if any stage failed.
#   usage: scripts/test.sh [stage ...]     (default: all stages)
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh

JOBS=${JOBS:-2}
passed=0 failed=0 skipped=0
failures=() skips=()

# run_stage NAME COMMAND...: runs the command, counts it; exit 77 means "could not run here".
run_stage() {
  local name=$1; shift
  echo "=== stage: $name"
  local start=$SECONDS
  "$@"
  local code=$?
  local took=$((SECONDS - start))
  if [ $code -eq 0 ]; then
    passed=$((passed + 1)); echo "=== stage $name: passed (${took}s)"
  elif [ $code -eq 77 ]; then
    skipped=$((skipped + 1)); skips+=("$name"); echo "=== stage $name: SKIPPED (${took}s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "=== stage $name: FAILED with $code (${took}s)"
  fi
}

# ctest_build DIR CMAKE_ARGS...: configure, build and run the C suite in build/DIR.
ctest_build() {
  local dir=build/$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "$@" >/dev/null &&
    cmake --build "$dir" -j"$JOBS" >/dev/null &&
    (cd "$dir" && ctest -j"$JOBS" --output-on-failure --no-tests=error)
}

stage_deps() {
  need_packages cmake make gcc g++ libgtest-dev pkg-config libbenchmark-dev
}

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

all_stages=(deps native asan tsan header fuzz)
stages=("${@:-${all_stages[@]}}")
for stage in "${stages[@]}"; do
  if ! declare -F "stage_$stage" >/dev/null; then
    echo "unknown stage '$stage' (stages: ${all_stages[*]})" >&2; exit 2
  fi
  run_stage "$stage" "stage_$stage"
  if [ "$stage" = deps ] && [ $failed -gt 0 ]; then break; fi
done

[ ${#skips[@]} -gt 0 ] && echo "skipped stages: ${skips[*]}"
[ ${#failures[@]} -gt 0 ] && echo "failed stages: ${failures[*]}"
echo "test stages: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
