#!/usr/bin/env bash
# Quick benchmark of the C core: hot path (existing buffer: get + append 16 bytes + release) and
# cold path (a new buffer in a 2 GiB window), each beside a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
need_packages cmake g++ libbenchmark-dev libgtest-dev
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DBUFFERS_BUILD_BENCHMARKS=ON -DBUFFERS_BUILD_TESTS=OFF \
      -DBUFFERS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/bench --target buffers_bench -j2 >/dev/null
build/bench/tests/bench/buffers_bench --benchmark_min_time=0.3 "$@"
