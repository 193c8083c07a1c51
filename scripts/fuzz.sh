#!/usr/bin/env bash
# Fuzzes the pure parts (maps parser + candidate placement) with libFuzzer for a while.
#   usage: scripts/fuzz.sh [seconds]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/packages.sh
need_packages clang libclang-rt-14-dev
mkdir -p build/fuzz/corpus
clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Inative/src \
  tests/fuzz/fuzz_maps_ranges.c native/src/pure/maps.c native/src/pure/address_range.c -o build/fuzz/fuzz_maps_ranges
# Seed with a real memory map so the fuzzer starts from well-formed lines.
{ head -c 32 /dev/urandom; cat /proc/self/maps; } > build/fuzz/corpus/seed-self-maps
# -error_exitcode=1: libFuzzer exits 77 on a crash by default, which our stage runner reads as "skipped".
build/fuzz/fuzz_maps_ranges -error_exitcode=1 -max_total_time="${1:-30}" -max_len=8192 build/fuzz/corpus 2>&1 | tail -n 3
