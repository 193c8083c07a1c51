#!/usr/bin/env bash
# Benchmarks of the C core (docs/benchmarks.md): Google Benchmark figures and their ratios to the
# bare model, then instruction counts per operation under callgrind (the figures that hold on a
# noisy machine). Extra arguments go to the benchmark binary (e.g. --benchmark_filter=Hot).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/packages.sh
need_packages cmake g++ libbenchmark-dev libgtest-dev valgrind bc binutils
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DBUFFERS_BUILD_BENCHMARKS=ON -DBUFFERS_BUILD_TESTS=OFF \
      -DBUFFERS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/bench --target buffers_bench buffers_count_instructions -j2 >/dev/null
build/bench/tests/bench/buffers_bench --benchmark_min_time=0.3 "$@"

echo
echo "the hot paths in write-xor-execute mode (a second process: the mode is chosen before the first use):"
build/bench/tests/bench/buffers_bench --write-xor-execute --benchmark_min_time=0.3 \
  --benchmark_filter='BareModel|HotThreeCalls|HotOneCall' "$@"

echo
echo "instructions per operation (callgrind, 100000 operations each; upstream Rust 4.1: 124):"
counter=build/bench/tests/bench/buffers_count_instructions
for mode in bare three one three-wx one-wx; do
  wx=0; [ "${mode%-wx}" = "$mode" ] || wx=1   # -wx: the same path in write-xor-execute mode
  total=$(BUFFERS_WRITE_XOR_EXECUTE=$wx valgrind --tool=callgrind --toggle-collect="count_${mode%-wx}" \
          --callgrind-out-file=/dev/null "$counter" "${mode%-wx}" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  printf '  %-8s %6.1f\n' "$mode" "$(echo "$total / 100000" | bc -l)"
done
# The hot path is all of buffers_write (the cold paths are functions of their own).
echo "locked instructions in buffers_write: $(objdump -d build/bench/native/libbuffers.a 2>/dev/null |
  awk '/<buffers_write>:/{f=1;next} f&&/^$/{f=0} f' | grep -c 'lock ' || true)"
