#!/usr/bin/env bash
# Benchmarks of the C core (docs/benchmarks.md). Every figure is a ratio to a baseline measured in
# the same process, over BENCH_PROCESSES separate processes (min / median / max: placement differs
# between processes), then instruction counts under callgrind (the figures that repeat exactly),
# then contention beside the library of BENCH_BASELINE (a commit, built from `git archive`), then the
# Java routes and the CLI (scripts/bench-java.sh).
# Extra arguments go to the full Google Benchmark run (e.g. --benchmark_filter=Hot).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/packages.sh
source scripts/lib/bench.sh
need_packages cmake g++ libbenchmark-dev libgtest-dev valgrind bc binutils strace
processes=${BENCH_PROCESSES:-5}
baseline=${BENCH_BASELINE:-254c846}   # main before issue 21's work
configure() {   # source folder, build folder
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DBUFFERS_BUILD_BENCHMARKS=ON -DBUFFERS_BUILD_TESTS=OFF \
        -DBUFFERS_BUILD_EXAMPLES=OFF >/dev/null
}
configure . build/bench
cmake --build build/bench --target buffers_bench buffers_count_instructions buffers_contention -j2 >/dev/null
bench=build/bench/tests/bench/buffers_bench
$bench --benchmark_min_time=0.3 "$@"


ratios=$(mktemp)
trap 'rm -f "$ratios"' EXIT
# Runs the benchmarks matching $1 in $processes processes, then prints min / median / max of the ratio
# of each path named after the baseline $2 (the reporter's "<path> / <baseline>: ... ratio Rx" lines).
spread_of_ratios() {
  local filter=$1 baseline=$2 path
  shift 2
  for ((p = 0; p < processes; p++)); do
    $bench --benchmark_filter="$filter" --benchmark_enable_random_interleaving=true 2>/dev/null | sed -n "s/^ *\([a-z ]*\) \/ $baseline *:.*ratio \([0-9.]*\)x/\1 \2/p"
  done >"$ratios"
  for path in "$@"; do
    printf '  %-20s %s x\n' "$path" "$(awk -v p="$path" '{r = $NF; $NF = ""; sub(/ +$/, ""); if ($0 == p) print r}' \
      "$ratios" | spread)"
  done
}

echo
echo "hot paths over $processes processes, ratio to the bare model of the same process (min / median / max):"
spread_of_ratios '^(BareModel|Hot)' 'bare model' "three calls" "window three calls" "three library calls" "one call" \
  "try write" "window" "window behind a call"

echo
echo "16 bytes into another process through an open handle, $processes processes, ratio to one"
echo "process_vm_writev of 16 bytes into the same target from the same process (min / median / max):"
spread_of_ratios '^Remote' 'process_vm_writev' "remote three calls" "remote append"
echo "system calls of the writer per operation (strace -c, 100000 operations; the target is not traced):"
for path in RemoteThreeCalls RemoteAppend; do
  strace -c -o "$ratios" "$bench" --benchmark_filter="^$path" >/dev/null 2>&1
  printf '  %-20s %s\n' "$path" "$(awk 'NR > 2 && $NF != "total" && $4 + 0 >= 50000 {n += $4} END {printf "%.2f", n / 100000}' "$ratios")"
done

echo
echo "the hot paths in write-xor-execute mode (a second process: the mode is chosen before the first use):"
build/bench/tests/bench/buffers_bench --write-xor-execute --benchmark_min_time=0.3 \
  --benchmark_filter='BareModel|HotThreeCalls|HotOneCall' "$@"

echo
echo "instructions per operation (callgrind, 100000 operations each; upstream Rust 4.1: 124):"
counter=build/bench/tests/bench/buffers_count_instructions
for mode in bare three wthree calls one try window three-wx calls-wx one-wx; do
  wx=0; [ "${mode%-wx}" = "$mode" ] || wx=1   # -wx: the same path in write-xor-execute mode
  total=$(BUFFERS_WRITE_XOR_EXECUTE=$wx valgrind --tool=callgrind --toggle-collect="count_${mode%-wx}" \
          --callgrind-out-file=/dev/null "$counter" "${mode%-wx}" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  printf '  %-8s %6.1f\n' "$mode" "$(echo "$total / 100000" | bc -l)"
done
# The hot path is all of buffers_write (the cold paths are functions of their own).
echo "locked instructions in buffers_write: $(objdump -d build/bench/native/libbuffers.a 2>/dev/null |
  awk '/<buffers_write>:/{f=1;next} f&&/^$/{f=0} f' | grep -c 'lock ' || true)"

echo
# Under round-robin real-time priority (root) our 8 threads get both cores, as on an idle machine, and
# really contend; without it, on a busy machine, they mostly run in turns and contend little.
realtime=()
chrt -r 10 true 2>/dev/null && realtime=(chrt -r 10)
echo "contention: a window holding one buffer, 8 threads x 1M get + release, $processes runs each, alternating,"
echo "${realtime[*]:-normal priority} (M ops/s of wall time, then per CPU second of the process; baseline: $baseline):"
base_src=build/bench-baseline-src
if [ "$(cat "$base_src/.commit" 2>/dev/null)" != "$baseline" ]; then
  rm -rf "$base_src" && mkdir -p "$base_src"
  git archive "$baseline" | tar -x -C "$base_src"
  echo "$baseline" >"$base_src/.commit"
fi
# The same program on both sides: it uses only the public API.
cp tests/bench/contention.c "$base_src/tests/bench/contention.c"
grep -q buffers_contention "$base_src/tests/bench/CMakeLists.txt" ||
  printf 'add_executable(buffers_contention contention.c)\ntarget_link_libraries(buffers_contention PRIVATE buffers_static Threads::Threads)\n' \
    >>"$base_src/tests/bench/CMakeLists.txt"
configure "$base_src" build/bench-baseline
cmake --build build/bench-baseline --target buffers_contention -j2 >/dev/null
runs=$(mktemp)
trap 'rm -f "$ratios" "$runs"' EXIT
for ((p = 0; p < processes; p++)); do
  for side in baseline ours; do
    dir=build/bench; [ "$side" = baseline ] && dir=build/bench-baseline
    echo "$side $("${realtime[@]}" "$dir/tests/bench/buffers_contention" 8 1000000 | awk '{print $8, $12, $(NF-1)}')"
  done
done >"$runs"
for side in baseline ours; do
  printf '  %-8s wall %s   per CPU second %s   failures %s\n' "$side" \
    "$(awk -v s=$side '$1 == s {print $2}' "$runs" | spread)" "$(awk -v s=$side '$1 == s {print $3}' "$runs" | spread)" \
    "$(awk -v s=$side '$1 == s {n += $4} END {print n + 0}' "$runs")"
done
median() { awk -v s="$1" -v c="$2" '$1 == s {print $c}' "$runs" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo "  ratio of medians, ours / baseline: wall $(echo "scale=2; $(median ours 2) / $(median baseline 2)" | bc)x," \
     "per CPU second $(echo "scale=2; $(median ours 3) / $(median baseline 3)" | bc)x"

echo
bash scripts/bench-java.sh
